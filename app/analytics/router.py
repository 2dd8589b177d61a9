import functools

from fastapi import APIRouter, Request, Response
from fastapi.responses import StreamingResponse

from app.analytics import dyads, exports, queries, representations
from app.analytics.exports import CSV_MEDIA_TYPE, GRAPHML_MEDIA_TYPE, file_responses
from app.analytics.graph import DEFAULT_RESOLUTION, DEFAULT_SEED, network_for
from app.analytics.params import (
    CentralitySort,
    CountryPairPath,
    DyadQuery,
    FilteredNetwork,
    LouvainResolution,
    LouvainSeed,
    NetworkFormatQuery,
    PathLimit,
    PathQuery,
    TableFormatQuery,
    ThreatColumns,
)
from app.analytics.queries import Bloc
from app.analytics.schemas import (
    BlocOut,
    CentralityOut,
    CountryWithFigures,
    DyadYearOut,
    NetworkFormat,
    NetworkMeasure,
    NetworkOut,
    PathsOut,
    TableFormat,
)
from app.cooperation.coverage import coverage_at
from app.cooperation.representations import stated_coverage
from app.core.deps import DataVersion, SessionDep, SessionFactoryDep
from app.core.pagination import CoveredPage, Page, PagingDep
from app.core.params import CountryCode
from app.core.problems import NOT_FOUND_RESPONSES, PROBLEM_RESPONSES
from app.countries import queries as countries
from app.threats import queries as threats

router = APIRouter(tags=["analytics"])
# The country detail carries the country's network figures: it is read here, above the
# countries package, and documented with the other country reads.
country_router = APIRouter(prefix="/v1/countries", tags=["countries"])


def _by_id(bloc: Bloc) -> list[int]:
    return [bloc.id]


@country_router.get("/{code}", response_model=CountryWithFigures, responses=NOT_FOUND_RESPONSES)
def get_country(session: SessionDep, version: DataVersion, code: CountryCode) -> CountryWithFigures:
    """One country by ISO3 or ISO2 code, in any case, with its network figures."""
    country = countries.get_country(session, code)
    return representations.country_with_figures(session, country, version)


@router.get(
    "/v1/network",
    response_model=NetworkOut,
    responses={**file_responses(CSV_MEDIA_TYPE, GRAPHML_MEDIA_TYPE), **NOT_FOUND_RESPONSES},
)
def get_network(
    version: DataVersion, wanted: NetworkFormatQuery, filtered: FilteredNetwork
) -> NetworkOut | Response:
    """The cooperation network: countries with at least one tie in the filtered period, and
    an edge per pair that shares at least one initiative.

    An edge's `weight` is the number of distinct initiatives the pair shares in the period
    (as in the partners list), broken down per channel and per threat (how many of them
    address it). Filters narrow the ties (threat, channel, year range) and the countries
    (`region`, `organization`: both ends must qualify). 404 for an unknown organization.
    With `channel=transfer&directed=true`, edges point from supplier to recipient.
    `meta.coverage` names the requested years a channel's data does not fully cover (the
    files link to the same notes: `Link: <...>; rel="describedby"`).
    """
    network, coverage = filtered
    if wanted is not NetworkFormat.json:
        return exports.network_download(network, wanted, coverage)
    return representations.network_out(network, version, coverage)


@router.get(
    "/v1/network/centrality",
    response_model=CoveredPage[CentralityOut],
    responses=NOT_FOUND_RESPONSES,
)
def list_network_centrality(
    paging: PagingDep,
    filtered: FilteredNetwork,
    sort: CentralitySort = NetworkMeasure.degree,
) -> Page[CentralityOut] | StreamingResponse:
    """Countries of the filtered network ranked by degree (partners), weighted degree (sum
    of edge weights) or betweenness.

    Betweenness is networkx's, normalized, over weighted shortest paths where an edge's
    length is 1/weight, so that paths run through strong ties; it is rounded to 6 decimals.
    Every row carries its rank by each of the three measures (equal values share a rank).
    """
    network, coverage = filtered
    rows = queries.ranked(network, sort)
    key = functools.partial(queries.ranking_key, measure=sort)
    return paging.of_sorted(rows, key, representations.centrality_out, coverage, csv=False)


@router.get(
    "/v1/network/communities", response_model=CoveredPage[BlocOut], responses=NOT_FOUND_RESPONSES
)
def list_network_communities(
    paging: PagingDep,
    filtered: FilteredNetwork,
    resolution: LouvainResolution = DEFAULT_RESOLUTION,
    seed: LouvainSeed = DEFAULT_SEED,
) -> Page[BlocOut] | StreamingResponse:
    """Cooperation blocs: Louvain communities (networkx `louvain_communities`, weighted by
    edge weight, seeded so that the answer is deterministic), largest first.

    Each bloc lists its members, the total weight of the edges between them, and the
    threats its internal ties address most (per threat: the pair-initiative ties inside the
    bloc whose initiative addresses it).
    """
    network, coverage = filtered
    found = queries.blocs(network, resolution, seed)
    return paging.of_sorted(found, _by_id, representations.bloc_out, coverage, csv=False)


@router.get(
    "/v1/countries/{code}/paths/{other}", response_model=PathsOut, responses=NOT_FOUND_RESPONSES
)
def get_country_paths(
    request: Request,
    session: SessionDep,
    version: DataVersion,
    pair: CountryPairPath,
    filters: PathQuery,
    limit: PathLimit = 10,
) -> PathsOut:
    """The shortest cooperation paths (fewest hops, unweighted) between two countries in the
    filtered network, each hop with the shared initiatives that make it.

    The network holds the ties of the window asked for: one year (`year`), a range
    (`year_gte`, `year_lte`) or one day (`as_of`); none: every year. Each hop's ties say when
    they hold within the window and cite the sources of the facts behind them; each hop says
    when at least one of its ties holds (`periods`), and each path when all its hops hold at
    once (`concurrent`): over a range of years, a path may join countries through ties of
    different times, and then `concurrent` is empty. `meta.coverage` names the years of the
    window that a channel's data does not fully cover.

    All shortest paths are returned up to `limit`, the strongest first (highest sum of hop
    weights), then in ISO3 order. When no path joins the two (or one has no tie at all in
    the filtered network) the answer is 200 with `length: null` and no paths; an unknown
    code is a 404, the same country twice a 422.
    """
    network = network_for(session, version, filters)
    country, other = pair.country, pair.other
    found = queries.shortest_paths(session, network, filters, country.iso3, other.iso3, limit)
    day = filters.as_of
    first, last = (day.year, day.year) if day else (filters.year_gte, filters.year_lte)
    coverage = stated_coverage(request, session, filters.channels, first, last)
    return representations.paths_out(country, other, found, version, coverage)


@router.get(
    "/v1/dyad-years",
    response_model=CoveredPage[DyadYearOut],
    responses={**file_responses(CSV_MEDIA_TYPE), **PROBLEM_RESPONSES},
)
def list_dyad_years(
    session: SessionDep,
    session_factory: SessionFactoryDep,
    version: DataVersion,
    filters: DyadQuery,
    wanted: TableFormatQuery,
    paging: PagingDep,
    threat_columns: ThreatColumns = False,
) -> Page[DyadYearOut] | Response:
    """One row per country pair per year with at least one shared initiative active that
    year (a sparse panel: no rows of zeros), in (country_a, country_b, year) order; with
    `balanced=true`, every pair of the selected countries in every year of the range in
    which both exist.

    Counts are distinct initiatives active in the year per channel: organizations both
    belong to, exercise editions held that year, agreements in force for both, operations
    both contribute to, arms transfers between them (from the order year to the last
    delivery), with `transfers_a_to_b` and `transfers_b_to_a` saying who supplied whom. A tie
    is active in a year when its period meets it; an unknown start
    counts from `year_gte`, an open end up to the current year. `threats` are the threats
    the counted initiatives address. `cow_a` and `cow_b` are the Correlates of War codes
    the countries carried that year, for the longest part of it (DEU: 260 in 1980, 255 in
    2000; null before 1955). Filters: `country` (repeatable; see `within`), `channel`,
    `threat` (the initiative addresses one of them), and a group: `members_of` (both countries
    members of the organization in that year: a membership spell of the roles asked for,
    `member` by default, meets the year; a country that joined in 1999 is not a member in
    1995) and `region` (both in the region or UN sub-region). With `balanced=true` and a
    group, the panel is every pair of the group in every year both belong to it. With
    `threat_columns=true`, `threat_<slug>` per threat category counts the initiatives that
    address it (`threats` lists them).

    In a balanced panel a count is a number where the channel's data covers the year (0: no
    tie) and null (an empty CSV cell) where it does not and no tie is known; a channel not
    asked for with `channel` is null. `meta.coverage` names the years a channel's data does
    not fully cover; the CSV links to the same notes (`Link: <...>; rel="describedby"`).
    """
    years = filters.year_gte, filters.year_lte
    coverage = stated_coverage(paging.request, session, filters.channels, *years)
    known = coverage_at(session, version)
    threat_slugs = threats.threat_slugs(session) if threat_columns else []
    if wanted is TableFormat.csv:
        return exports.dyad_years_download(
            session, session_factory, filters, known, threat_slugs, coverage
        )
    page = paging.page
    rows, cursor = dyads.dyad_page(session, filters, known, page.cursor, page.limit)
    total = dyads.count_dyad_years(session, version, filters)
    data = [representations.dyad_out(row, threat_slugs) for row in rows]
    return paging.envelope(data, total, cursor, coverage)
