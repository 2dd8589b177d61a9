from fastapi import APIRouter
from sqlalchemy.orm import Session

from app.core.deps import SessionDep
from app.core.lists import NoFilters, list_route
from app.core.pagination import Fetch
from app.core.params import Slug
from app.core.problems import NOT_FOUND_RESPONSES
from app.threats import queries
from app.threats.details import threat_detail
from app.threats.models import ThreatCategory
from app.threats.schemas import ThreatDetail, ThreatOut

router = APIRouter(prefix="/v1/threat-categories", tags=["threat-categories"])


@list_route(router, ThreatOut)
def list_threat_categories(session: Session, filters: NoFilters) -> Fetch[ThreatCategory]:
    """The threats that cooperation addresses, traditional and non-traditional."""
    return lambda page: queries.list_threats(session, page)


@router.get("/{slug}", response_model=ThreatDetail, responses=NOT_FOUND_RESPONSES)
def get_threat_category(session: SessionDep, slug: Slug) -> ThreatDetail:
    """One threat, the ways of cooperating against it and the initiatives that address it."""
    return threat_detail(session, slug)
