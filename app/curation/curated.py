"""The create, update, delete and threat links every curated resource shares, written once.

A domain's write module declares its resource (`Curated(...)`) and keeps only its own rules:
what a new row is built from and what comes with it, what a change must satisfy, what forbids
a delete. The skeleton does the rest the same way for every resource: it locks the target
(404 when absent, 412 on a stale If-Match), refuses a duplicate key (409), cites the sources,
reloads, makes the representation a GET returns and audits the change with before and after.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar, cast

from pydantic import BaseModel
from sqlalchemy import ColumnElement, delete, select
from sqlalchemy.orm import Session

from app.audit.models import AuditOperation
from app.cooperation.models import TieChannel
from app.core.db import Versioned
from app.curation.inputs import snapshot
from app.curation.transaction import Conflict, ThreatLinks, Write
from app.sources.models import Citation
from app.sources.queries import cite
from app.sources.schemas import CitationIn
from app.threats.schemas import ThreatLinkPut


class _Identified(Protocol):
    id: Any


class _Cited(Protocol):
    citations: list[Citation]


Model = TypeVar("Model", bound=Versioned)
Detail = TypeVar("Detail", bound=BaseModel)
Changes = dict[str, Any] | Callable[[], dict[str, Any]]


@dataclass(frozen=True)
class Curated(Generic[Model, Detail]):
    """A curated resource: its model, audit entity (whose words name it in the 409 and 404
    details), collection path, representation, the channel whose threat links it holds, and
    the column of its public key."""

    model: type[Model]
    entity: str
    collection: str
    detail: Callable[[Session, str], Detail]
    channel: TieChannel | None = None
    key_name: str = "slug"

    @property
    def key(self) -> ColumnElement[str]:
        column: ColumnElement[str] = getattr(self.model, self.key_name)
        return column

    @property
    def noun(self) -> str:
        return self.entity.replace("_", " ")

    def missing(self, key: str) -> str:
        return f"No {self.noun} with {self.key_name} {key!r}; GET {self.collection} lists them."

    def target(self, tx: Write, key: str) -> Model:
        """The row a write changes: locked, 404 when absent, 412 when If-Match is stale."""
        return tx.target(select(self.model).where(self.key == key), self.missing(key))

    def create(
        self,
        tx: Write,
        key: str,
        build: Callable[[], Model],
        sources: Sequence[CitationIn] | None = None,
        threats: Sequence[str] = (),
        then: Callable[[Model], None] | None = None,
    ) -> Detail:
        """Add the row `build` makes (after the duplicate check), citing `sources`, linked to
        `threats`; `then` adds what comes with it (parties, editions) once it has an id."""
        if tx.session.scalar(select(self.key).where(self.key == key)) is not None:
            article = "An" if self.noun[0] in "aeiou" else "A"
            raise Conflict(f"{article} {self.noun} with {self.key_name} {key!r} already exists.")
        row = build()
        row.modified_in_version = tx.version
        if sources is not None:
            cast(_Cited, row).citations = cite(tx.session, sources, "/body/sources")
        tx.session.add(row)
        tx.session.flush()
        if self.channel is not None:
            ThreatLinks(self.channel).add(tx, _id(row), list(threats), "/body/threats")
        if then is not None:
            then(row)
        tx.reload()
        after = self.detail(tx.session, key)
        tx.audit(self.entity, key, AuditOperation.create, None, snapshot(after))
        return after

    def update(
        self,
        tx: Write,
        key: str,
        changes: Changes,
        sources: Sequence[CitationIn] | None = None,
        check: Callable[[Model], None] | None = None,
    ) -> Detail:
        """Set `changes` (a callable is resolved after the target is found), `check` the row,
        then cite `sources` if sent."""
        row = self.target(tx, key)
        before = self.detail(tx.session, key)
        for name, value in (changes() if callable(changes) else changes).items():
            setattr(row, name, value)
        if check is not None:
            check(row)
        if sources is not None:
            cast(_Cited, row).citations = cite(tx.session, sources, "/body/sources")
        tx.reload()
        after = self.detail(tx.session, key)
        tx.audit(self.entity, key, AuditOperation.update, snapshot(before), snapshot(after))
        return after

    def delete(self, tx: Write, key: str) -> None:
        self.delete_unless(tx, key)

    def delete_unless(
        self, tx: Write, key: str, first: Callable[[Model, Detail], None] | None = None
    ) -> None:
        """Delete the row; `first` may refuse (409 naming what still holds on to it) or delete
        what must go by its own statement first."""
        row = self.target(tx, key)
        before = self.detail(tx.session, key)
        if first is not None:
            first(row, before)
        tx.session.execute(delete(self.model).where(self.key == key))
        tx.audit(self.entity, key, AuditOperation.delete, snapshot(before), None)

    @property
    def threat_actions(self) -> tuple[Callable[..., Detail], Callable[..., None]]:
        """The write functions of the threat-link routes (`routes.threat_links`)."""
        return self.link_threat, self.unlink_threat

    def link_threat(
        self, tx: Write, key: str, threat: str, period: ThreatLinkPut | None = None
    ) -> Detail:
        assert self.channel is not None
        ThreatLinks(self.channel).link(tx, self.target(tx, key), key, threat, period)
        return self.detail(tx.session, key)

    def unlink_threat(self, tx: Write, key: str, threat: str) -> None:
        assert self.channel is not None
        ThreatLinks(self.channel).unlink(tx, _id(self.target(tx, key)), key, threat)


def _id(row: Versioned) -> Any:
    return cast(_Identified, row).id


def replace_rows(
    tx: Write, stored: Iterable[object], row: object, sources: Sequence[CitationIn]
) -> None:
    """A sub-resource PUT's rows: `stored` go, `row` comes citing `sources`. Through the
    session (the citations are loaded), so that the identity map forgets the rows whose ids
    the new ones may reuse."""
    for old in stored:
        tx.session.delete(old)
    tx.session.flush()
    cast(_Cited, row).citations = cite(tx.session, sources, "/body/sources")
    tx.session.add(row)
    tx.reload()


def audit_put(tx: Write, entity: str, entity_id: str, before: Any, after: Any) -> None:
    """A sub-resource PUT: a create when nothing stood there before, else an update."""
    operation = AuditOperation.update if before is not None else AuditOperation.create
    tx.audit(entity, entity_id, operation, before, after)
