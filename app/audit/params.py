"""The query parameters of the audit trail."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Query
from pydantic import StringConstraints

from app.audit.models import AuditOperation
from app.core.params import IsoTimestamp, described, repeatable, text_param


@dataclass
class AuditFilters:
    entity: Annotated[
        list[Annotated[str, StringConstraints(max_length=40, pattern=r"^[a-z_]+$")]] | None,
        repeatable("Only this kind of record", ["organization", "membership"], 10),
    ] = None
    entity_id: Annotated[
        str | None,
        text_param(
            "Only this record (slug, ISO3, or parent/child such as `nato/SWE`)",
            "nato",
            max_length=300,
        ),
    ] = None
    key_name: Annotated[
        str | None, text_param("Only writes made with this API key", "ana", max_length=80)
    ] = None
    operation: Annotated[
        list[AuditOperation] | None,
        Query(max_length=3, description="Only these operations", examples=[["delete"]]),
    ] = None
    since: Annotated[
        IsoTimestamp | None,
        described("From this time on (RFC 3339)", "2026-01-01T00:00:00Z"),
    ] = None
    until: Annotated[
        IsoTimestamp | None,
        described("Before this time (RFC 3339)", "2027-01-01T00:00:00Z"),
    ] = None
