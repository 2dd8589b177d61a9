from datetime import datetime
from typing import Any

from pydantic import Field

from app.audit.models import AuditOperation
from app.core.fields import FromRow


class AuditEntryOut(FromRow):
    id: int = Field(examples=[42])
    at: datetime = Field(description="When the write was committed (UTC)")
    key_name: str = Field(description="Name of the API key that made the write", examples=["ana"])
    entity: str = Field(description="Kind of record", examples=["organization"])
    entity_id: str = Field(
        description="The record's public key (slug, ISO3, or parent/child)", examples=["nato"]
    )
    operation: AuditOperation
    data_version: int = Field(description="The data version this write created", examples=[7])
    before: Any | None = Field(description="The record as a GET returned it before; null on create")
    after: Any | None = Field(description="The record as a GET returns it after; null on delete")
