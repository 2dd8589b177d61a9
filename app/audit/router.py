from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse

from app.audit import queries
from app.audit.models import AuditOperation
from app.audit.schemas import AuditEntryOut
from app.auth.deps import AUTH_RESPONSES, CuratorDep
from app.core.deps import SessionDep
from app.core.pagination import LIST_RESPONSES, Page, PageDep, list_response
from app.core.params import NO_CONTROL_CHARACTERS, IsoTimestamp

router = APIRouter(prefix="/v1/audit", tags=["audit"])


@router.get(
    "",
    response_model=Page[AuditEntryOut],
    responses={**LIST_RESPONSES, **AUTH_RESPONSES},
)
def list_audit_entries(
    request: Request,
    response: Response,
    _principal: CuratorDep,
    session: SessionDep,
    page: PageDep,
    entity: Annotated[
        list[str] | None,
        Query(
            max_length=10,
            description="Only this kind of record; repeat for any of several",
            examples=[["organization", "membership"]],
        ),
    ] = None,
    entity_id: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=300,
            pattern=NO_CONTROL_CHARACTERS,
            description="Only this record (slug, ISO3, or parent/child such as `nato/SWE`)",
            examples=["nato"],
        ),
    ] = None,
    key_name: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=80,
            pattern=NO_CONTROL_CHARACTERS,
            description="Only writes made with this API key",
            examples=["ana"],
        ),
    ] = None,
    operation: Annotated[
        list[AuditOperation] | None,
        Query(max_length=3, description="Only these operations", examples=[["delete"]]),
    ] = None,
    since: Annotated[
        IsoTimestamp | None,
        Query(description="From this time on (RFC 3339)", examples=["2026-01-01T00:00:00Z"]),
    ] = None,
    until: Annotated[
        IsoTimestamp | None,
        Query(description="Before this time (RFC 3339)", examples=["2027-01-01T00:00:00Z"]),
    ] = None,
) -> Page[AuditEntryOut] | StreamingResponse:
    """The audit trail of writes, newest first (curator scope): who, when, what, before, after."""
    return list_response(
        request,
        response,
        page,
        lambda p: queries.list_audit_entries(
            session,
            entity=entity or [],
            entity_id=entity_id,
            key_name=key_name,
            operation=operation or [],
            since=since,
            until=until,
            page=p,
        ),
        lambda rows: [AuditEntryOut.model_validate(row) for row in rows],
    )
