from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from app.cooperation import queries, representations
from app.cooperation.params import (
    ChannelFilter,
    CommonCountries,
    CountryPath,
    PartnersPath,
    TieQuery,
)
from app.cooperation.queries import PartnerSort, common_sort_key, partner_sort_key
from app.cooperation.schemas import CommonPartnerOut, CoverageReport, PairOut, PartnerOut
from app.core.deps import DataVersion, SessionDep
from app.core.pagination import LIST_RESPONSES, CoveredPage, Page, PagingDep
from app.core.params import Slug, YearGte, YearLte, check_years
from app.core.problems import NOT_FOUND_RESPONSES, PROBLEM_RESPONSES
from app.threats.schemas import ThreatDetail

router = APIRouter(prefix="/v1/countries", tags=["cooperation"])
common_router = APIRouter(prefix="/v1/partners", tags=["cooperation"])

PartnerSortQuery = Annotated[
    PartnerSort,
    Query(
        description="Order of the partners; `-` for descending, equal keys by name. `ties`: "
        "shared initiatives; `tie_years`: distinct years with an active tie (fifty years in "
        "an alliance outweigh one exercise); `first_year` (unknown: earliest); `last_year` "
        "(ongoing: latest); `name`. The default, `-ties`, is the order this list has always "
        "had, kept so that existing clients' top partners do not change under them",
        examples=["-tie_years"],
    ),
]

coverage_router = APIRouter(prefix="/v1/coverage", tags=["cooperation"])
# A threat category's detail lists the initiatives of every channel linked to it: it is read
# here, above the channels' packages, and documented with the other threat reads.
threat_router = APIRouter(prefix="/v1/threat-categories", tags=["threat-categories"])


@router.get(
    "/{code}/partners",
    response_model=CoveredPage[PartnerOut],
    responses={**NOT_FOUND_RESPONSES, **LIST_RESPONSES},
)
def get_country_partners(
    session: SessionDep,
    country: CountryPath,
    filters: TieQuery,
    paging: PagingDep,
    sort: PartnerSortQuery = PartnerSort.ties_desc,
) -> Page[PartnerOut] | StreamingResponse:
    """Every country that cooperates with this one, by default ranked by number of ties
    (`sort` for tie-years, first or last year, name).

    A tie is one shared initiative: co-membership in an organization in overlapping periods
    (not universal bodies such as the UN), taking part in the same exercise edition (not as
    observers), being parties to the same agreement (an organization party stands for its
    members at the time), contributing to the same operation, or an arms transfer between
    the two (one supplied the other: `directions` says which way). The threats of a tie are
    those its initiative addresses while the tie holds (each threat link has its period).

    `technology_transfer=true` keeps the ties that move technology in the seed article's
    sense: the arms transfers (`transfer`) and the agreements that transfer technology (the
    ones `/v1/agreements?technology_transfer=true` lists), each still counted once, in its own
    channel.

    `meta.coverage` (for CSV: the `Link` with `rel="describedby"`) names the requested years
    that a channel's data does not fully cover, where a missing tie is unknown, not absent.
    """
    partners = queries.partners_of(session, country.id, filters, sort)
    coverage = representations.stated_coverage(
        paging.request, session, filters.channels_returned, *filters.years
    )
    to_item = representations.partner_out
    return paging.of_sorted(partners, partner_sort_key(sort), to_item, coverage)


@router.get("/{code}/partners/{other}", response_model=PairOut, responses=NOT_FOUND_RESPONSES)
def get_country_pair(
    request: Request, session: SessionDep, pair: PartnersPath, filters: TieQuery
) -> PairOut:
    """Every tie between two countries: channel, initiative, period, threats and sources; a
    transfer's tie says who supplied whom (`direction`). `meta.coverage` names the requested
    years a channel's data does not fully cover."""
    ties = queries.ties_between(session, pair.country.id, pair.other.id, filters)
    coverage = representations.stated_coverage(
        request, session, filters.channels_returned, *filters.years
    )
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


@common_router.get("/common", response_model=Page[CommonPartnerOut], responses=LIST_RESPONSES)
def get_common_partners(
    session: SessionDep,
    countries: CommonCountries,
    filters: TieQuery,
    paging: PagingDep,
) -> Page[CommonPartnerOut] | StreamingResponse:
    """The partners that every one of two or more countries cooperates with (none of those
    countries themselves), most ties with them all first, then by name; for each, every
    queried country's ties with it by channel. The filters are those of
    `/v1/countries/{code}/partners` and apply to each country's ties alike: each side is what
    that country's partners list says of the partner."""
    shared = queries.common_partners(session, countries, filters)
    to_item = representations.common_partner_out
    return paging.of_sorted(shared, common_sort_key, to_item)


@threat_router.get("/{slug}", response_model=ThreatDetail, responses=NOT_FOUND_RESPONSES)
def get_threat_category(session: SessionDep, slug: Slug) -> ThreatDetail:
    """One threat, the ways of cooperating against it and the initiatives that address it."""
    return representations.threat_detail(session, slug)
