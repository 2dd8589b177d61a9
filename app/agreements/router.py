from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse

from app.agreements import queries
from app.agreements.details import agreement_detail
from app.agreements.models import AgreementKind
from app.agreements.schemas import (
    AgreementDetail,
    AgreementOut,
)
from app.core.deps import SessionDep
from app.core.pagination import LIST_RESPONSES, Page, PageDep, list_response
from app.core.params import CountryFilter, SearchText, Slug, ThreatFilter
from app.core.problems import NOT_FOUND_RESPONSES
from app.countries.queries import country_ids
from app.threats.queries import threat_ids

router = APIRouter(prefix="/v1/agreements", tags=["agreements"])


@router.get("", response_model=Page[AgreementOut], responses=LIST_RESPONSES)
def list_agreements(
    request: Request,
    response: Response,
    session: SessionDep,
    page: PageDep,
    kind: Annotated[
        list[AgreementKind] | None,
        Query(
            max_length=5,
            description="Agreement kind; repeat for any of several",
            examples=[["defense_treaty"]],
        ),
    ] = None,
    party: CountryFilter = None,
    threat: ThreatFilter = None,
    q: SearchText = None,
) -> Page[AgreementOut] | StreamingResponse:
    """Defense treaties, technology-transfer programs, intelligence sharing and strategies."""
    parties = country_ids(session, party or [], "/query/party")
    threats = threat_ids(session, threat or [])
    return list_response(
        request,
        response,
        page,
        lambda p: queries.list_agreements(
            session, kind=kind or [], party_ids=parties, threat_ids=threats, q=q, page=p
        ),
        lambda rows: [AgreementOut.model_validate(row) for row in rows],
    )


@router.get("/{slug}", response_model=AgreementDetail, responses=NOT_FOUND_RESPONSES)
def get_agreement(session: SessionDep, slug: Slug) -> AgreementDetail:
    """One agreement with its parties (countries or organizations), threats and sources."""
    return agreement_detail(session, slug)
