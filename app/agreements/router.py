from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter
from sqlalchemy.orm import Session

from app.agreements import queries
from app.agreements.details import agreement_detail
from app.agreements.models import Agreement, AgreementCategory, AgreementKind
from app.agreements.schemas import AgreementDetail, AgreementOut
from app.core.deps import SessionDep
from app.core.lists import list_route
from app.core.pagination import Fetch
from app.core.params import CountryFilter, SearchText, Slug, ThreatFilter, described, repeatable
from app.core.problems import NOT_FOUND_RESPONSES
from app.countries.queries import country_ids
from app.threats.queries import threat_ids

router = APIRouter(prefix="/v1/agreements", tags=["agreements"])


@dataclass
class AgreementFilters:
    kind: Annotated[
        list[AgreementKind] | None, repeatable("Agreement kind", ["defense_treaty"], 5)
    ] = None
    category: Annotated[
        list[AgreementCategory] | None,
        repeatable(
            "A category of the agreement (DCAD's: dca framework, dic defense-industrial "
            "cooperation, trex training and exercises, procurement, commission, research), "
            "primary or not",
            ["dic", "procurement"],
            6,
        ),
    ] = None
    technology_transfer: Annotated[
        bool | None,
        described(
            "true: technology transfer only, i.e. of kind technology_transfer or with a dic, "
            "procurement or research category; false: the others",
            True,
        ),
    ] = None
    party: CountryFilter = None
    threat: ThreatFilter = None
    q: SearchText = None


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
