from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse

from app.core.deps import SessionDep
from app.core.pagination import LIST_RESPONSES, Page, PageDep, list_response
from app.core.params import CountryFilter, SearchText, Slug, ThreatFilter
from app.core.problems import NOT_FOUND_RESPONSES
from app.countries.queries import country_ids
from app.operations import queries
from app.operations.details import operation_detail
from app.operations.models import OperationKind
from app.operations.schemas import (
    OperationDetail,
    OperationOut,
)
from app.threats.queries import threat_ids

router = APIRouter(prefix="/v1/operations", tags=["operations"])


@router.get("", response_model=Page[OperationOut], responses=LIST_RESPONSES)
def list_operations(
    request: Request,
    response: Response,
    session: SessionDep,
    page: PageDep,
    kind: Annotated[
        OperationKind | None,
        Query(description="peacekeeping or humanitarian", examples=["peacekeeping"]),
    ] = None,
    host: CountryFilter = None,
    contributor: CountryFilter = None,
    threat: ThreatFilter = None,
    q: SearchText = None,
) -> Page[OperationOut] | StreamingResponse:
    """Peacekeeping missions and humanitarian operations."""
    hosts = country_ids(session, host or [], "/query/host")
    contributors = country_ids(session, contributor or [], "/query/contributor")
    threats = threat_ids(session, threat or [])
    return list_response(
        request,
        response,
        page,
        lambda p: queries.list_operations(
            session,
            kind=kind,
            host_ids=hosts,
            contributor_ids=contributors,
            threat_ids=threats,
            q=q,
            page=p,
        ),
        lambda rows: [OperationOut.model_validate(row) for row in rows],
    )


@router.get("/{slug}", response_model=OperationDetail, responses=NOT_FOUND_RESPONSES)
def get_operation(session: SessionDep, slug: Slug) -> OperationDetail:
    """One operation with its lead organization, host country and contributing countries."""
    return operation_detail(session, slug)
