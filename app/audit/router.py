from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import StreamingResponse

from app.audit import queries
from app.audit.params import AuditFilters
from app.audit.schemas import AuditEntryOut
from app.auth.deps import AUTH_RESPONSES, CuratorDep
from app.core.deps import SessionDep
from app.core.pagination import LIST_RESPONSES, Page, PagingDep

router = APIRouter(prefix="/v1/audit", tags=["audit"])


@router.get("", response_model=Page[AuditEntryOut], responses={**LIST_RESPONSES, **AUTH_RESPONSES})
def list_audit_entries(
    _principal: CuratorDep,
    session: SessionDep,
    filters: Annotated[AuditFilters, Depends()],
    paging: PagingDep,
) -> Page[AuditEntryOut] | StreamingResponse:
    """The audit trail of writes, newest first (curator scope): who, when, what, before, after."""
    return paging.of(
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
