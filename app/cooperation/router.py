from collections.abc import Sequence

from fastapi import APIRouter, Request, Response
from fastapi.responses import StreamingResponse

from app.cooperation import queries, representations
from app.cooperation.params import CountryPath, PartnersPath, TieQuery
from app.cooperation.queries import PartnerSummary
from app.cooperation.schemas import PairOut, PartnerOut
from app.core.deps import SessionDep
from app.core.pagination import (
    LIST_RESPONSES,
    Page,
    PageDep,
    PageParams,
    list_response,
    page_of_sorted,
)
from app.core.problems import NOT_FOUND_RESPONSES

router = APIRouter(prefix="/v1/countries", tags=["cooperation"])


@router.get(
    "/{code}/partners",
    response_model=Page[PartnerOut],
    responses={**NOT_FOUND_RESPONSES, **LIST_RESPONSES},
)
def get_country_partners(
    request: Request,
    response: Response,
    session: SessionDep,
    country: CountryPath,
    filters: TieQuery,
    page: PageDep,
) -> Page[PartnerOut] | StreamingResponse:
    """Every country that cooperates with this one, ranked by number of ties.

    A tie is one shared initiative: co-membership in an organization in overlapping periods
    (not universal bodies such as the UN), taking part in the same exercise edition (not as
    observers), being parties to the same agreement (an organization party stands for its
    members at the time), contributing to the same operation, or an arms transfer between
    the two (one supplied the other: `directions` says which way). The threats of a tie are
    those of its initiative.
    """
    partners = queries.partners_of(session, country.id, filters)

    def fetch(p: PageParams) -> tuple[Sequence[PartnerSummary], int, str | None]:
        rows, cursor = page_of_sorted(partners, lambda s: [-s.ties, s.partner.name], p)
        return rows, len(partners), cursor

    return list_response(
        request,
        response,
        page,
        fetch,
        lambda rows: [representations.partner_out(s) for s in rows],
    )


@router.get("/{code}/partners/{other}", response_model=PairOut, responses=NOT_FOUND_RESPONSES)
def get_country_pair(session: SessionDep, pair: PartnersPath, filters: TieQuery) -> PairOut:
    """Every tie between two countries: channel, initiative, period, threats and sources; a
    transfer's tie says who supplied whom (`direction`)."""
    ties = queries.ties_between(session, pair.country.id, pair.other.id, filters)
    return representations.pair_out(pair.country, pair.other, ties)
