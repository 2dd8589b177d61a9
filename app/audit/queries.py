from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.models import AuditEntry, AuditOperation
from app.core.pagination import PageParams, SortKey, fetch_page


def list_audit_entries(
    session: Session,
    *,
    entity: list[str],
    entity_id: str | None,
    key_name: str | None,
    operation: list[AuditOperation],
    since: datetime | None,
    until: datetime | None,
    page: PageParams,
) -> tuple[Sequence[AuditEntry], int, str | None]:
    """Newest first."""
    statement = select(AuditEntry)
    if entity:
        statement = statement.where(AuditEntry.entity.in_(entity))
    if entity_id is not None:
        statement = statement.where(AuditEntry.entity_id == entity_id)
    if key_name is not None:
        statement = statement.where(AuditEntry.key_name == key_name)
    if operation:
        statement = statement.where(AuditEntry.operation.in_(operation))
    if since is not None:
        statement = statement.where(AuditEntry.at >= since)
    if until is not None:
        statement = statement.where(AuditEntry.at < until)
    return fetch_page(session, statement, SortKey(AuditEntry.id, AuditEntry.id, True), page)


def deleted_resources(session: Session, entities: Collection[str]) -> dict[tuple[str, str], Any]:
    """What curators deleted through the write API: (entity, id) -> the resource as it was.

    The seed and the importers read it so that a re-run does not bring a deleted resource back.
    """
    rows = session.execute(
        select(AuditEntry.entity, AuditEntry.entity_id, AuditEntry.before)
        .where(AuditEntry.operation == AuditOperation.delete, AuditEntry.entity.in_(entities))
        .order_by(AuditEntry.id)
    )
    return {(entity, entity_id): before for entity, entity_id, before in rows}
