"""The write framework every domain's write routes use.

A write request runs in one transaction that:
- starts with `BEGIN IMMEDIATE` on SQLite (concurrent writers queue for the write lock instead
  of failing when a read lock cannot be upgraded; a lock still held after the busy timeout is
  a 503) and takes the data-state row lock on PostgreSQL, bumping the data version once;
- locks the row it changes (`SELECT ... FOR UPDATE` on PostgreSQL) and only then checks
  `If-Match` against the row's `modified_in_version`, so that two writers holding the same
  tag cannot both succeed (the second gets 412); what it locks and keeps is stamped with
  the write's version at commit (a sub-resource write locks, hence stamps, its parent);
- records an audit entry per changed record, and, through the one change path
  (`app.curation.changes`), re-derives the ties the change affects without being asked;
  commits all of it together, or nothing: an integrity error becomes a 409, never a 500.

A route reads top to bottom:

    with write_transaction(request, principal, if_match) as tx:
        organization = tx.target(select(Organization).where(...), missing="No organization ...")
        before = snapshot()
        ... change it ...
        tx.audit("organization", slug, AuditOperation.update, before, snapshot())
    written(response, tx, request, request.url.path)   # ETag of the resource, no-store
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Annotated, Any, TypeVar

from fastapi import Header, Request, Response
from sqlalchemy import Select, delete, insert, select, text, update
from sqlalchemy.engine import Row as StoredRow
from sqlalchemy.exc import DataError, IntegrityError

from app.analytics.graph import refresh_default_network
from app.audit.models import AuditEntry, AuditOperation
from app.auth.deps import AUTH_RESPONSES, Principal
from app.cooperation.channels import CHANNELS
from app.cooperation.models import TieChannel
from app.core.caching import accepts_gzip, entity_tag, tagged_data_version
from app.core.db import Versioned
from app.core.language import Language, requested_language
from app.core.periods import latest_day
from app.core.problems import (
    InvalidParameter,
    ProblemError,
    problem_answer,
)
from app.curation.changes import Changes
from app.sources.models import Source
from app.threats.queries import threat_ids
from app.threats.schemas import ThreatLinkPut

Row = TypeVar("Row")

IfMatch = Annotated[
    str | None,
    Header(
        max_length=1000,
        description="An ETag from a GET of this resource (or `*`): the write is refused with "
        "412 when the resource changed after that version, or when the tag is not one the API "
        "issued. Absent: unconditional write.",
        examples=['"0.1.0-7-5f1c0a9e3b2d4c6a"'],
    ),
]


class PreconditionFailed(ProblemError):
    def __init__(self, detail: str) -> None:
        super().__init__(412, detail)


class Conflict(ProblemError):
    def __init__(self, detail: str) -> None:
        super().__init__(409, detail)


def if_match_version(header: str, paths: list[str], accept: str) -> int | None:
    """The newest data version named in an `If-Match` header for the resource at one of `paths`;
    None for `*` (any version).

    Tags are `"{app_version}-{data_version}-{digest}[-gz]"`, the digest naming the path and
    the `Accept` of the GET that issued it; weak tags never match (RFC 9110 uses the strong
    comparison for If-Match). A malformed header is a 412, and so is one whose tags were all
    issued for other resources: a tag copied from another record guards nothing.
    """
    if header.strip() == "*":
        return None
    tags = [tag.strip() for tag in header.split(",")]
    versions = [tagged_data_version(tag) for tag in tags]
    issued = [
        version
        for tag, version in zip(tags, versions, strict=True)
        if version is not None and _issued_for(tag, version, paths, accept)
    ]
    if None in versions or not issued:
        raise PreconditionFailed("If-Match must hold an ETag from a GET of this resource (or *).")
    return max(issued)


# Accept headers a client may have sent with its GET besides the one of its write.
_COMMON_ACCEPTS = ("", "*/*", "application/json")


def _issued_for(tag: str, version: int, paths: list[str], accept: str) -> bool:
    return any(
        tag == entity_tag(version, path, b"", candidate, gzip, language)
        for path in paths
        for candidate in dict.fromkeys((accept, *_COMMON_ACCEPTS))
        for gzip in (False, True)
        for language in Language
    )


def resource_paths(path: str, canonical_key: str | None = None) -> list[str]:
    """The paths whose GET may have issued the tag of a write to `path`: the resource and the
    resources it is part of (a membership or an edition is written with its organization's or
    its series' tag); with `canonical_key`, also as addressed by it (a country written as
    `/v1/countries/tr` has the tag of `/v1/countries/TUR`)."""
    segments = path.rstrip("/").split("/")  # "", "v1", collection, key, ...
    keyed = [segments]
    if canonical_key is not None and len(segments) > 3:
        keyed.append([*segments[:3], canonical_key, *segments[4:]])
    return ["/".join(parts[:end]) for parts in keyed for end in range(4, len(parts) + 1)]


class Write:
    """One write: its session, its author, the data version it creates, its precondition."""

    def __init__(
        self, changes: Changes, principal: Principal, if_match: str | None, request: Request
    ) -> None:
        self.changes = changes
        self.session = changes.session
        self.principal = principal
        self.version = changes.version
        self.if_match = if_match
        self.path = request.url.path
        self.accept = request.headers.get("accept", "")
        self.now = changes.now
        self._locked: list[Versioned] = []

    @property
    def _postgresql(self) -> bool:
        return self.session.get_bind().dialect.name == "postgresql"

    def lock(self, statement: Select[Row]) -> Row | None:
        """The row, locked until commit (SQLite: the whole database already is).

        A write changes what it locks (a sub-resource write locks its parent): unless the write
        deletes it, the row is stamped with the write's version at commit (`stamp`).
        """
        statement = statement.execution_options(populate_existing=True)
        if self._postgresql:
            statement = statement.with_for_update()
        row = self.session.scalars(statement).one_or_none()
        if isinstance(row, Versioned):
            self._locked.append(row)
        return row

    def target(self, statement: Select[Row], missing: str) -> Row:
        """The row the write changes: locked, 404 when absent, 412 when If-Match is stale."""
        row = self.lock(statement)
        if row is None:
            raise ProblemError(404, missing)
        if isinstance(row, Versioned):
            self.check_precondition(row)
        return row

    def check_precondition(self, row: Versioned) -> None:
        if self.if_match is None:
            return
        # Countries are addressed by alpha-2 or alpha-3 in any case; their tags name the alpha-3.
        paths = resource_paths(self.path, getattr(row, "iso3", None))
        seen = if_match_version(self.if_match, paths, self.accept)
        if seen is not None and seen >= self.version:
            raise PreconditionFailed(
                f"If-Match names data version {seen}, which does not exist yet; send an ETag "
                "from a GET of this resource."
            )
        if seen is not None and row.modified_in_version > seen:
            raise PreconditionFailed(
                f"The resource changed in data version {row.modified_in_version}, after "
                f"the version in If-Match ({seen}); GET it again and reapply your change."
            )

    def stamp(self) -> None:
        """Mark the rows the write locked and kept as changed in its version: their ETags move,
        a client holding an older one gets 412, and they are now the curators' (the seed and
        the importers leave them alone)."""
        for row in self._locked:
            if row in self.session:  # not deleted by the write
                row.modified_in_version = self.version

    def audit(
        self, entity: str, entity_id: str, operation: AuditOperation, before: Any, after: Any
    ) -> None:
        self.changes.audit(
            AuditEntry(
                at=self.now,
                key_name=self.principal.name,
                entity=entity,
                entity_id=entity_id,
                operation=operation,
                data_version=self.version,
                before=before,
                after=after,
            )
        )

    def reload(self) -> None:
        """Flush, and forget loaded state, so a GET's query function reads what is now stored."""
        self.session.flush()
        self.session.expire_all()


_LINK_PERIOD = (
    "start_date",
    "start_precision",
    "end_date",
    "end_precision",
    "source_id",
    "locator",
)


class ThreatLinks:
    """`PUT` and `DELETE /{initiative}/threats/{threat}` for one channel's initiatives.

    A link changes the threats of every tie of the initiative: the change path re-derives the
    ties and the partner aggregates (which hold the threats per pair) of the initiative. A link
    has a period and the source dating it (issue 15), which must lie within the initiative's
    lifetime (`Channel.lifetime`).
    """

    def __init__(self, channel: TieChannel):
        self.channel = CHANNELS[channel]
        self.links = self.channel.threat_links
        self.table = self.links.table
        self.owner = self.links.owner_column

    def link(
        self, tx: "Write", owner: Any, name: str, threat: str, period: ThreatLinkPut | None = None
    ) -> None:
        """Without `period`, idempotent: linking a linked threat is recorded as an update that
        changes nothing. With it, the link's period and source become what it says."""
        threat_id, stored = self._find(tx, owner.id, threat)
        values = {} if period is None else self._period(tx, owner, period)
        where = (self.owner == owner.id) & (self.table.c.threat_id == threat_id)
        if stored is None:
            tx.session.execute(
                insert(self.table), {self.links.owner: owner.id, "threat_id": threat_id, **values}
            )
        elif values:
            tx.session.execute(update(self.table).where(where).values(values))
        tx.reload()
        _, after = self._find(tx, owner.id, threat)
        operation = AuditOperation.update if stored is not None else AuditOperation.create
        tx.audit(
            self.links.entity,
            f"{name}/{threat}",
            operation,
            self._snapshot(name, threat, stored),
            self._snapshot(name, threat, after),
        )

    def _period(self, tx: "Write", owner: Any, period: ThreatLinkPut) -> dict[str, Any]:
        """The link's columns from the body, refused (422) when the period does not lie within
        the initiative's lifetime or the source is unknown."""
        life, noun = self.channel.lifetime(owner), self.links.key
        start, end = period.start_date, period.end_date
        problems = []
        if start is not None and life.start is not None:
            starts = latest_day(start, period.start_precision)
            if starts < life.start:
                problems.append(
                    ("start_date", f"starts ({start}) before the {noun} ({life.start})")
                )
        if start is not None and life.end is not None and start >= life.end:
            problems.append(("start_date", f"starts ({start}) after the {noun} ended ({life.end})"))
        if end is not None and life.end is not None and end > life.end:
            problems.append(("end_date", f"ends ({end}) after the {noun} ({life.end})"))
        if end is not None and life.start is not None:
            ends = latest_day(end, period.end_precision)
            if ends <= life.start:
                problems.append(("end_date", f"ends ({end}) before the {noun} ({life.start})"))
        if problems:
            field, what = problems[0]
            raise InvalidParameter(
                f"/body/{field}", f"The link {what}: a link lies within its {noun}'s period."
            )
        cited = period.sources[0] if period.sources else None
        if cited is not None and tx.session.get(Source, cited.source) is None:
            raise InvalidParameter(
                "/body/sources/0/source",
                f"Unknown source {cited.source!r}; GET /v1/sources lists them.",
            )
        return {
            "start_date": start,
            "start_precision": period.start_precision,
            "end_date": end,
            "end_precision": period.end_precision,
            "source_id": cited.source if cited is not None else None,
            "locator": cited.locator if cited is not None else None,
        }

    def _snapshot(
        self, name: str, threat: str, stored: StoredRow[Any] | None
    ) -> dict[str, Any] | None:
        if stored is None:
            return None
        period = {
            key: value.isoformat() if isinstance(value, date) else value
            for key, value in stored._mapping.items()
        }
        return {self.links.key: name, "threat": threat, **period}

    def add(self, tx: "Write", owner_id: int, threats: list[str], pointer: str) -> None:
        """Link a new initiative to the threats its request body names (undated)."""
        rows = [
            {self.links.owner: owner_id, "threat_id": threat_id}
            for threat_id in threat_ids(tx.session, threats, pointer)
        ]
        if rows:
            tx.session.execute(insert(self.table), rows)

    def unlink(self, tx: "Write", owner_id: int, name: str, threat: str) -> None:
        threat_id, stored = self._find(tx, owner_id, threat)
        if stored is None:
            raise ProblemError(
                404, f"{self.links.key.capitalize()} {name!r} is not linked to threat {threat!r}."
            )
        tx.session.execute(
            delete(self.table).where(self.owner == owner_id, self.table.c.threat_id == threat_id)
        )
        tx.audit(
            self.links.entity,
            f"{name}/{threat}",
            AuditOperation.delete,
            self._snapshot(name, threat, stored),
            None,
        )

    def _find(self, tx: "Write", owner_id: int, threat: str) -> tuple[int, StoredRow[Any] | None]:
        """The threat's id, and the stored link's period and source (None: not linked)."""
        (threat_id,) = threat_ids(tx.session, [threat], "/path/threat")
        stored = tx.session.execute(
            select(*(self.table.c[key] for key in _LINK_PERIOD)).where(
                self.owner == owner_id, self.table.c.threat_id == threat_id
            )
        ).one_or_none()
        return threat_id, stored


@contextmanager
def write_transaction(
    request: Request, principal: Principal, if_match: str | None = None
) -> Iterator[Write]:
    """Run one write; commit it with its ties, audit entries and version bump, or nothing."""
    with request.app.state.session_factory() as session:
        changes = Changes(session)
        try:
            if session.get_bind().dialect.name == "sqlite":
                session.execute(text("BEGIN IMMEDIATE"))
            write = Write(changes, principal, if_match, request)
            yield write
            write.stamp()
            changes.finish(changed=True)  # every write is audited: it always changes the data
            session.commit()
            if changes.touched_ties:
                refresh_default_network(request.app.state.session_factory)
        except IntegrityError:
            session.rollback()
            raise Conflict(
                "The change conflicts with stored data: a duplicate, or a record that is "
                "still referenced elsewhere."
            ) from None
        except DataError:
            session.rollback()
            raise ProblemError(422, "A value does not fit the stored field.") from None
        except BaseException:
            session.rollback()
            raise
        finally:
            changes.close()


def written(response: Response, write: Write, request: Request, path: str) -> None:
    """Headers of a successful write: the ETag a GET of `path` now returns, and no caching."""
    response.headers["ETag"] = entity_tag(
        write.version,
        path,
        b"",
        request.headers.get("accept", ""),
        accepts_gzip(request.headers.get("accept-encoding", "")),
        requested_language(request.scope),
    )
    response.headers["Cache-Control"] = "no-store"


_WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    400: problem_answer("The body is not JSON (e.g. not UTF-8)"),
    404: problem_answer("Not found"),
    409: problem_answer("Conflicts with stored data (a duplicate slug, a record still referenced)"),
    412: problem_answer("If-Match names an older version than the stored one (or is malformed)"),
    422: problem_answer("Invalid request body or parameter (names the field and the reason)"),
    503: problem_answer("The database is busy; retry after Retry-After seconds"),
}


def write_responses(*, precondition: bool = True) -> dict[int | str, dict[str, Any]]:
    """The error responses every write route declares (412 only where If-Match applies)."""
    errors = {code: value for code, value in _WRITE_ERRORS.items() if precondition or code != 412}
    return {**AUTH_RESPONSES, **errors}
