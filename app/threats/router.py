from fastapi import APIRouter, Request, Response
from fastapi.responses import StreamingResponse

from app.core.deps import SessionDep
from app.core.pagination import LIST_RESPONSES, Page, PageDep, list_response
from app.core.params import Slug
from app.core.problems import NOT_FOUND_RESPONSES
from app.threats import queries
from app.threats.details import threat_detail
from app.threats.schemas import ThreatDetail, ThreatOut

router = APIRouter(prefix="/v1/threat-categories", tags=["threat-categories"])


@router.get("", response_model=Page[ThreatOut], responses=LIST_RESPONSES)
def list_threat_categories(
    request: Request, response: Response, session: SessionDep, page: PageDep
) -> Page[ThreatOut] | StreamingResponse:
    """The threats that cooperation addresses, traditional and non-traditional."""
    return list_response(
        request,
        response,
        page,
        lambda p: queries.list_threats(session, p),
        lambda rows: [ThreatOut.model_validate(row) for row in rows],
    )


@router.get("/{slug}", response_model=ThreatDetail, responses=NOT_FOUND_RESPONSES)
def get_threat_category(session: SessionDep, slug: Slug) -> ThreatDetail:
    """One threat, the ways of cooperating against it and the initiatives that address it."""
    return threat_detail(session, slug)
