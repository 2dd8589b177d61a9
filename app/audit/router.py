from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import StringConstraints

from app.audit import queries
from app.audit.models import AuditOperation
from app.audit.schemas import AuditEntryOut
from app.auth.deps import AUTH_RESPONSES, CuratorDep
from app.core.deps import SessionDep
from app.core.pagination import LIST_RESPONSES, Page, PageDep, list_response
from app.core.params import IsoTimestamp, described, repeatable, text_param

router = APIRouter(prefix="/v1/audit", tags=["audit"])


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


@router.get("", response_model=Page[AuditEntryOut], responses={**LIST_RESPONSES, **AUTH_RESPONSES})
def list_audit_entries(
    request: Request,
    response: Response,
    _principal: CuratorDep,
    session: SessionDep,
    filters: Annotated[AuditFilters, Depends()],
    page: PageDep,
) -> Page[AuditEntryOut] | StreamingResponse:
    """The audit trail of writes, newest first (curator scope): who, when, what, before, after."""
    return list_response(
        request,
        response,
        page,
        lambda p: queries.list_audit_entries(
            session,
            entity=filters.entity or [],
            entity_id=filters.entity_id,
            key_name=filters.key_name,
            operation=filters.operation or [],
            since=filters.since,
            until=filters.until,
            page=p,
        ),
        lambda rows: [AuditEntryOut.model_validate(row) for row in rows],
    )
