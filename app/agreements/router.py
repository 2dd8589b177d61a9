from fastapi import APIRouter
from sqlalchemy.orm import Session

from app.agreements import queries
from app.agreements.details import agreement_detail
from app.agreements.models import Agreement
from app.agreements.params import AgreementFilters
from app.agreements.schemas import AgreementDetail, AgreementOut
from app.core.deps import SessionDep
from app.core.lists import list_route
from app.core.pagination import Fetch
from app.core.params import Slug
from app.core.problems import NOT_FOUND_RESPONSES
from app.countries.queries import country_ids
from app.threats.queries import threat_ids

router = APIRouter(prefix="/v1/agreements", tags=["agreements"])


@list_route(router, AgreementOut)
def list_agreements(session: Session, filters: AgreementFilters) -> Fetch[Agreement]:
    """Defense treaties and cooperation agreements (curated ones and, once imported, DCAD
    1.0's bilateral agreements signed 1980-2010), technology-transfer programs and agreements,
    intelligence sharing and strategies. Technology transfer: `technology_transfer=true`; by
    DCAD category: `category=dic`. Each agreement counts once in the partners' `agreement`
    channel, whatever its categories (the `transfer` channel is arms deliveries, never
    agreements)."""
    parties = country_ids(session, filters.party or [], "/query/party")
    threats = threat_ids(session, filters.threat or [])
    return lambda page: queries.list_agreements(
        session, kind=filters.kind or [], category=filters.category or [],
        technology_transfer=filters.technology_transfer, party_ids=parties, threat_ids=threats,
        q=filters.q, page=page,
    )  # fmt: skip


@router.get("/{slug}", response_model=AgreementDetail, responses=NOT_FOUND_RESPONSES)
def get_agreement(session: SessionDep, slug: Slug) -> AgreementDetail:
    """One agreement with its parties (countries or organizations), threats and sources."""
    return agreement_detail(session, slug)
