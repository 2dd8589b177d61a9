from fastapi import APIRouter
from sqlalchemy.orm import Session

from app.core.lists import NoFilters, list_route
from app.core.pagination import Fetch
from app.threats import queries
from app.threats.models import ThreatCategory
from app.threats.schemas import ThreatOut

router = APIRouter(prefix="/v1/threat-categories", tags=["threat-categories"])


@list_route(router, ThreatOut)
def list_threat_categories(session: Session, filters: NoFilters) -> Fetch[ThreatCategory]:
    """The threats that cooperation addresses, traditional and non-traditional."""
    return lambda page: queries.list_threats(session, page)
