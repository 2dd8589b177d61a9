from collections.abc import Sequence
from datetime import datetime

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
