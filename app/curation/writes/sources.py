"""Curating sources. A source that facts still cite cannot be deleted (409 counting them)."""

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.audit.models import AuditOperation
from app.core.problems import InvalidParameter
from app.curation.inputs import snapshot
from app.curation.transaction import Conflict, Write
from app.sources import queries
from app.sources.models import Source
from app.sources.schemas import SourceCreate, SourceDetail, SourceOut, SourceUpdate

SOURCE = "source"


def source_detail(session: Session, source_id: str) -> SourceDetail:
    source = queries.get_source(session, source_id)
    return SourceDetail(
        **SourceOut.model_validate(source).model_dump(),
        cited_by=queries.citation_counts(session, source.id),
    )


def _target(tx: Write, source_id: str) -> Source:
    return tx.target(
        select(Source).where(Source.id == source_id),
        f"No source with id {source_id!r}; GET /v1/sources lists them.",
    )


def create_source(tx: Write, body: SourceCreate) -> SourceDetail:
    if tx.session.get(Source, body.id) is not None:
        raise Conflict(f"A source with id {body.id!r} already exists.")
    tx.session.add(Source(**body.model_dump(), modified_in_version=tx.version))
    tx.reload()
    after = source_detail(tx.session, body.id)
    tx.audit(SOURCE, body.id, AuditOperation.create, None, snapshot(after))
    return after


def update_source(tx: Write, source_id: str, body: SourceUpdate) -> SourceDetail:
    source = _target(tx, source_id)
    before = source_detail(tx.session, source_id)
    changes = body.model_dump(exclude_unset=True)
    if "published_date" in changes and "published_precision" not in changes:
        changes["published_precision"] = body.published_precision
    for name, value in changes.items():
        setattr(source, name, value)
    if source.published_date is None and source.published_precision is not None:
        raise InvalidParameter(
            "/body/published_precision", "published_precision is set without published_date."
        )
    tx.reload()
    after = source_detail(tx.session, source_id)
    tx.audit(SOURCE, source_id, AuditOperation.update, snapshot(before), snapshot(after))
    return after


def delete_source(tx: Write, source_id: str) -> None:
    source = _target(tx, source_id)
    before = source_detail(tx.session, source_id)
    if before.cited_by:
        total = sum(before.cited_by.values())
        kinds = ", ".join(f"{table}: {count}" for table, count in sorted(before.cited_by.items()))
        raise Conflict(
            f"Source {source_id!r} is cited by {total} facts ({kinds}); cite another source "
            "for them first."
        )
    tx.session.execute(delete(Source).where(Source.id == source.id))
    tx.audit(SOURCE, source_id, AuditOperation.delete, snapshot(before), None)
