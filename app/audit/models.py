"""The audit trail: every write, who made it, and the values before and after."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, UtcDateTime
from app.core.periods import enum_column


class AuditOperation(StrEnum):
    create = "create"
    update = "update"
    delete = "delete"


class AuditEntry(Base):
    """Written in the same transaction as the change it records: both or neither."""

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_entity_entity_id", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    key_name: Mapped[str] = mapped_column(String(80), index=True)
    entity: Mapped[str] = mapped_column(String(40))
    # The entity's public key: a slug, an ISO3 code, or e.g. `nato/IDN` for a membership.
    entity_id: Mapped[str] = mapped_column(String(300))
    operation: Mapped[AuditOperation] = mapped_column(enum_column(AuditOperation, "operation"))
    data_version: Mapped[int]
    before: Mapped[Any | None] = mapped_column(JSON)
    after: Mapped[Any | None] = mapped_column(JSON)
