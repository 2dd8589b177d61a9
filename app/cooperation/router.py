from collections.abc import Sequence

from fastapi import APIRouter, Request, Response
from fastapi.responses import StreamingResponse

from app.cooperation import queries, representations
from app.cooperation.params import ChannelFilter, CountryPath, PartnersPath, TieQuery
from app.cooperation.queries import PartnerSummary
from app.cooperation.schemas import CoverageReport, PairOut, PartnerOut
from app.core.deps import DataVersion, SessionDep
from app.core.pagination import (
    LIST_RESPONSES,
    CoveredPage,
    Page,
    PageDep,
    PageParams,
    list_response,
    page_of_sorted,
)
from app.core.params import YearGte, YearLte, check_years
from app.core.problems import NOT_FOUND_RESPONSES, PROBLEM_RESPONSES

router = APIRouter(prefix="/v1/countries", tags=["cooperation"])
coverage_router = APIRouter(prefix="/v1/coverage", tags=["cooperation"])


@router.get(
    "/{code}/partners",
    response_model=CoveredPage[PartnerOut],
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

    `meta.coverage` (for CSV: the `Link` with `rel="describedby"`) names the requested years
    that a channel's data does not fully cover, where a missing tie is unknown, not absent.
    """
    partners = queries.partners_of(session, country.id, filters)
    coverage = representations.stated_coverage(request, session, filters.channels, *filters.years)

    def fetch(p: PageParams) -> tuple[Sequence[PartnerSummary], int, str | None]:
        rows, cursor = page_of_sorted(partners, lambda s: [-s.ties, s.partner.name], p)
        return rows, len(partners), cursor

    return list_response(
        request,
        response,
        page,
        fetch,
        lambda rows: [representations.partner_out(s) for s in rows],
        coverage,
    )


@router.get("/{code}/partners/{other}", response_model=PairOut, responses=NOT_FOUND_RESPONSES)
def get_country_pair(
    request: Request, session: SessionDep, pair: PartnersPath, filters: TieQuery
) -> PairOut:
    """Every tie between two countries: channel, initiative, period, threats and sources; a
    transfer's tie says who supplied whom (`direction`). `meta.coverage` names the requested
    years a channel's data does not fully cover."""
    ties = queries.ties_between(session, pair.country.id, pair.other.id, filters)
    coverage = representations.stated_coverage(request, session, filters.channels, *filters.years)
    return representations.pair_out(pair.country, pair.other, ties, coverage)


@coverage_router.get("", response_model=CoverageReport, responses=PROBLEM_RESPONSES)
def get_coverage(
    request: Request,
    session: SessionDep,
    version: DataVersion,
    channel: ChannelFilter = None,
    year_gte: YearGte = None,
    year_lte: YearLte = None,
) -> CoverageReport:
    """Which of these years each channel's data does not fully cover (no `channel`: every
    channel; an open end: from the channel's first fact or dataset year, up to this year).

    The notes that answers about years carry in their `meta`; a download (CSV, GraphML), which
    has no meta, links here with `Link: <...>; rel="describedby"`. `GET /v1/meta` has each
    channel's coverage whole, `GET /v1/datasets` the datasets behind it.
    """
    check_years(None, year_gte, year_lte)
    coverage = representations.stated_coverage(request, session, channel or [], year_gte, year_lte)
    return CoverageReport(coverage=coverage.notes, data_version=version)
