from collections.abc import Callable, Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session

from app.analytics import dyads, exports, queries
from app.analytics.graph import Centrality, Network, NetworkFilters, network_for
from app.analytics.schemas import (
    BlocOut,
    CentralityOut,
    CentralityRanks,
    DyadYearOut,
    EdgeOut,
    HopOut,
    HopTie,
    NetworkFormat,
    NetworkMeasure,
    NetworkMeta,
    NetworkOut,
    NodeOut,
    PathOut,
    PathsOut,
    TableFormat,
    ThreatCount,
)
from app.cooperation.channels import CHANNELS
from app.cooperation.models import TieChannel
from app.cooperation.schemas import Initiative
from app.core.deps import SessionDep
from app.core.pagination import Page, PageDep, page_envelope, page_of_sorted
from app.core.params import (
    NO_CONTROL_CHARACTERS,
    CountryCode,
    CountryFilter,
    ThreatFilter,
    YearGte,
    YearLte,
)
from app.core.problems import NOT_FOUND_RESPONSES, PROBLEM_RESPONSES, InvalidParameter
from app.countries.queries import country_ids, get_country
from app.countries.schemas import CountryRef
from app.threats.queries import threat_ids
from app.threats.schemas import ThreatRef

router = APIRouter(tags=["analytics"])

CSV_MEDIA_TYPE = "text/csv"
GRAPHML_MEDIA_TYPE = "application/graphml+xml"

ChannelFilter = Annotated[
    list[TieChannel] | None,
    Query(
        max_length=len(CHANNELS),
        description="Channel of cooperation; repeat for any of several",
        examples=[["organization", "exercise"]],
    ),
]
YearFilter = Annotated[
    int | None,
    Query(
        ge=1800,
        le=2200,
        description="Only ties active in this year (not with year_gte/year_lte)",
        examples=[2024],
    ),
]
RegionFilter = Annotated[
    str | None,
    Query(
        max_length=60,
        pattern=NO_CONTROL_CHARACTERS,
        description="Region or UN sub-region, any case: both countries of an edge must be in it",
        examples=["South-eastern Asia"],
    ),
]
OrganizationFilter = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=160,
        pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
        description="Organization slug: both countries of an edge must be members of it "
        "(role `member`, not observer or partner) at some time in the period; their edge "
        "still counts ties through every channel",
        examples=["asean"],
    ),
]


class NetworkParams:
    """The filters that select the ties of a network, shared by the network endpoints."""

    def __init__(
        self,
        threat: ThreatFilter = None,
        channel: ChannelFilter = None,
        year: YearFilter = None,
        year_gte: YearGte = None,
        year_lte: YearLte = None,
        region: RegionFilter = None,
        organization: OrganizationFilter = None,
    ) -> None:
        self.threat = threat
        self.channel = channel
        self.year = year
        self.year_gte = year_gte
        self.year_lte = year_lte
        self.region = region
        self.organization = organization

    def filters(self, session: Session) -> NetworkFilters:
        return queries.network_filters(
            session,
            threat=self.threat,
            channel=self.channel,
            year=self.year,
            year_gte=self.year_gte,
            year_lte=self.year_lte,
            region=self.region,
            organization=self.organization,
        )


NetworkQuery = Annotated[NetworkParams, Depends()]


def _data_version(request: Request) -> int:
    # Set by the conditional-GET middleware before the route reads any tie (see graph.py).
    return int(request.state.data_version)


def _network(request: Request, session: Session, params: NetworkParams) -> Network:
    return network_for(session, _data_version(request), params.filters(session))


def _network_format(request: Request, requested: NetworkFormat | None) -> NetworkFormat:
    if requested is not None:
        return requested
    accept = request.headers.get("accept", "")
    if CSV_MEDIA_TYPE in accept:
        return NetworkFormat.csv
    if GRAPHML_MEDIA_TYPE in accept:
        return NetworkFormat.graphml
    return NetworkFormat.json


def _download(chunks: Iterator[str], media_type: str, filename: str) -> StreamingResponse:
    return StreamingResponse(
        chunks,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _file_responses(*media_types: str) -> dict[int | str, dict[str, Any]]:
    return {
        200: {
            "description": "The JSON document, or the file asked for with `format`",
            "content": {media_type: {"schema": {"type": "string"}} for media_type in media_types},
        }
    }


def _ref(iso3: str, name: str) -> CountryRef:
    return CountryRef(iso3=iso3, name=name)


@router.get(
    "/v1/network",
    response_model=NetworkOut,
    responses={**_file_responses(CSV_MEDIA_TYPE, GRAPHML_MEDIA_TYPE), **NOT_FOUND_RESPONSES},
)
def get_network(
    request: Request,
    session: SessionDep,
    params: NetworkQuery,
    format: Annotated[
        NetworkFormat | None,
        Query(
            description="json (default), csv (edge list) or graphml (for Gephi, networkx, "
            "igraph); also chosen by `Accept: text/csv` or `application/graphml+xml`",
            examples=["graphml"],
        ),
    ] = None,
) -> NetworkOut | Response:
    """The cooperation network: countries with at least one tie in the filtered period, and
    an edge per pair that shares at least one initiative.

    An edge's `weight` is the number of distinct initiatives the pair shares in the period
    (as in the partners list), broken down per channel and per threat (how many of them
    address it). Filters narrow the ties (threat, channel, year range) and the countries
    (`region`, `organization`: both ends must qualify). 404 for an unknown organization.
    """
    network = _network(request, session, params)
    wanted = _network_format(request, format)
    if wanted is NetworkFormat.csv:
        return _download(exports.edge_list_csv(network), CSV_MEDIA_TYPE, "network.csv")
    if wanted is NetworkFormat.graphml:
        return _download(exports.graphml(network), GRAPHML_MEDIA_TYPE, "network.graphml")
    graph = network.graph
    return NetworkOut(
        nodes=[
            NodeOut(
                iso3=iso3,
                name=data["name"],
                region=data["region"],
                subregion=data["subregion"],
                degree=graph.degree(iso3),
                weighted_degree=graph.degree(iso3, weight="weight"),
            )
            for iso3, data in graph.nodes(data=True)
        ],
        edges=[
            EdgeOut(
                source=source,
                target=target,
                weight=data["weight"],
                channels=data["channels"],
                threats=data["threats"],
            )
            for source, target, data in sorted(graph.edges(data=True))
        ],
        threats=[ThreatRef(slug=slug, name=name) for slug, name in network.threat_names.items()],
        meta=NetworkMeta(
            nodes=graph.number_of_nodes(),
            edges=graph.number_of_edges(),
            data_version=_data_version(request),
        ),
    )


def _centrality_out(row: Centrality) -> CentralityOut:
    return CentralityOut(
        country=_ref(row.iso3, row.name),
        degree=row.degree,
        weighted_degree=row.weighted_degree,
        betweenness=row.betweenness,
        ranks=CentralityRanks(
            degree=row.ranks.degree,
            weighted_degree=row.ranks.weighted_degree,
            betweenness=row.ranks.betweenness,
        ),
    )


@router.get(
    "/v1/network/centrality", response_model=Page[CentralityOut], responses=NOT_FOUND_RESPONSES
)
def list_network_centrality(
    request: Request,
    response: Response,
    session: SessionDep,
    page: PageDep,
    params: NetworkQuery,
    sort: Annotated[
        NetworkMeasure,
        Query(
            description="Rank by this measure, highest first (then by ISO3)",
            examples=["-betweenness"],
        ),
    ] = NetworkMeasure.degree,
) -> Page[CentralityOut]:
    """Countries of the filtered network ranked by degree (partners), weighted degree (sum
    of edge weights) or betweenness.

    Betweenness is networkx's, normalized, over weighted shortest paths where an edge's
    length is 1/weight, so that paths run through strong ties; it is rounded to 6 decimals.
    Every row carries its rank by each of the three measures (equal values share a rank).
    """
    network = _network(request, session, params)
    rows = queries.ranked(network, sort)
    chosen, cursor = page_of_sorted(rows, lambda row: queries.ranking_key(row, sort), page)
    data = [_centrality_out(row) for row in chosen]
    return page_envelope(request, response, data, len(rows), cursor, page.limit)


@router.get("/v1/network/communities", response_model=Page[BlocOut], responses=NOT_FOUND_RESPONSES)
def list_network_communities(
    request: Request,
    response: Response,
    session: SessionDep,
    page: PageDep,
    params: NetworkQuery,
    resolution: Annotated[
        float,
        Query(
            ge=0.1,
            le=10,
            description="Louvain resolution: above 1 favours smaller blocs, below 1 larger",
            examples=[1.0],
        ),
    ] = 1.0,
    seed: Annotated[
        int,
        Query(
            ge=0,
            le=2**31 - 1,
            description="Random seed of the Louvain method: the same seed gives the same blocs",
            examples=[42],
        ),
    ] = 42,
) -> Page[BlocOut]:
    """Cooperation blocs: Louvain communities (networkx `louvain_communities`, weighted by
    edge weight, seeded so that the answer is deterministic), largest first.

    Each bloc lists its members, the total weight of the edges between them, and the
    threats its internal ties address most (per threat: the pair-initiative ties inside the
    bloc whose initiative addresses it).
    """
    network = _network(request, session, params)
    found = queries.blocs(network, resolution, seed)
    chosen, cursor = page_of_sorted(found, lambda bloc: [bloc.id], page)
    data = [
        BlocOut(
            id=bloc.id,
            size=len(bloc.members),
            members=[_ref(iso3, name) for iso3, name in bloc.members],
            internal_weight=bloc.internal_weight,
            threats=[
                ThreatCount(slug=slug, name=name, ties=ties) for slug, name, ties in bloc.threats
            ],
        )
        for bloc in chosen
    ]
    return page_envelope(request, response, data, len(found), cursor, page.limit)


@router.get(
    "/v1/countries/{code}/paths/{other}", response_model=PathsOut, responses=NOT_FOUND_RESPONSES
)
def get_country_paths(
    request: Request,
    session: SessionDep,
    code: CountryCode,
    other: CountryCode,
    params: NetworkQuery,
    limit: Annotated[
        int,
        Query(ge=1, le=100, description="At most this many paths, strongest first", examples=[10]),
    ] = 10,
) -> PathsOut:
    """The shortest cooperation paths (fewest hops, unweighted) between two countries in the
    filtered network, each hop with the shared initiatives that make it.

    All shortest paths are returned up to `limit`, the strongest first (highest sum of hop
    weights), then in ISO3 order. When no path joins the two (or one has no tie at all in
    the filtered network) the answer is 200 with `length: null` and no paths; an unknown
    code is a 404, the same country twice a 422.
    """
    country = get_country(session, code)
    partner = get_country(session, other)
    if partner.id == country.id:
        raise InvalidParameter("/path/other", "A path needs two different countries.")
    filters = params.filters(session)
    network = network_for(session, _data_version(request), filters)
    found = queries.shortest_paths(session, network, filters, country.iso3, partner.iso3, limit)
    return PathsOut(
        country=CountryRef.model_validate(country),
        other=CountryRef.model_validate(partner),
        length=found.length,
        total=found.total,
        truncated=found.truncated,
        data=[
            PathOut(
                countries=[_ref(*path.hops[0].source)] + [_ref(*hop.target) for hop in path.hops],
                strength=path.strength,
                hops=[
                    HopOut(
                        source=_ref(*hop.source),
                        target=_ref(*hop.target),
                        weight=hop.weight,
                        ties=[
                            HopTie(
                                channel=tie.channel,
                                initiative=Initiative(kind=tie.kind, slug=tie.slug, name=tie.name),
                            )
                            for tie in hop.ties
                        ],
                    )
                    for hop in path.hops
                ],
            )
            for path in found.paths
        ],
        data_version=_data_version(request),
    )


def _dyad_out(row: dyads.DyadYear) -> DyadYearOut:
    return DyadYearOut(
        year=row.year,
        country_a=_ref(row.country_a.iso3, row.country_a.name),
        country_b=_ref(row.country_b.iso3, row.country_b.name),
        cow_a=row.country_a.cow_code,
        cow_b=row.country_b.cow_code,
        organizations=row.counts[TieChannel.organization],
        exercises=row.counts[TieChannel.exercise],
        agreements=row.counts[TieChannel.agreement],
        operations=row.counts[TieChannel.operation],
        ties=row.ties,
        threats=row.threats,
    )


def _with_own_session(request: Request, write: Callable[[Session], Iterator[str]]) -> Iterator[str]:
    """A streamed body is written after the route has returned: it reads through a session of
    its own rather than the request's, whose lifetime belongs to the dependency."""
    with request.app.state.session_factory() as session:
        yield from write(session)


@router.get(
    "/v1/dyad-years",
    response_model=Page[DyadYearOut],
    responses={**_file_responses(CSV_MEDIA_TYPE), **PROBLEM_RESPONSES},
)
def list_dyad_years(
    request: Request,
    response: Response,
    session: SessionDep,
    page: PageDep,
    year_gte: Annotated[
        int,
        Query(
            ge=1800,
            le=2200,
            description=f"First year (required; at most {dyads.MAX_SPAN_YEARS} years in all)",
            examples=[2000],
        ),
    ],
    year_lte: Annotated[
        int, Query(ge=1800, le=2200, description="Last year (required)", examples=[2024])
    ],
    country: CountryFilter = None,
    within: Annotated[
        bool,
        Query(
            description="Only pairs whose two countries are both among `country` (with two "
            "codes: that one pair); by default a pair needs one of them",
            examples=[True],
        ),
    ] = False,
    channel: ChannelFilter = None,
    threat: ThreatFilter = None,
    directed: Annotated[
        bool,
        Query(
            description="false: one row per unordered pair, country_a < country_b by ISO3; "
            "true: both orders, with the same counts",
            examples=[False],
        ),
    ] = False,
    format: Annotated[
        TableFormat | None,
        Query(
            description="json (default, paginated) or csv (every row, streamed); "
            "also chosen by `Accept: text/csv`",
            examples=["csv"],
        ),
    ] = None,
) -> Page[DyadYearOut] | Response:
    """One row per country pair per year with at least one shared initiative active that
    year (a sparse panel: no rows of zeros), in (country_a, country_b, year) order.

    Counts are distinct initiatives active in the year per channel: organizations both
    belong to, exercise editions held that year, agreements in force for both, operations
    both contribute to. A tie is active in a year when its period meets it; an unknown start
    counts from `year_gte`, an open end up to the current year. `threats` are the threats
    the counted initiatives address. Filters: `country` (repeatable; see `within`),
    `channel`, `threat` (the initiative addresses one of them).
    """
    if year_gte > year_lte:
        raise InvalidParameter("/query/year_gte", "year_gte is after year_lte.")
    if year_lte - year_gte + 1 > dyads.MAX_SPAN_YEARS:
        raise InvalidParameter(
            "/query/year_lte", f"At most {dyads.MAX_SPAN_YEARS} years per request."
        )
    if within and len(set(country or [])) < 2:
        raise InvalidParameter("/query/within", "within needs at least two country codes.")
    filters = dyads.DyadFilters(
        year_gte=year_gte,
        year_lte=year_lte,
        country_ids=tuple(sorted(set(country_ids(session, country or [], "/query/country")))),
        within=within,
        channels=tuple(sorted(set(channel or []), key=list(TieChannel).index)),
        threat_ids=tuple(sorted(set(threat_ids(session, threat or [])))),
        directed=directed,
    )
    accept = request.headers.get("accept", "")
    if format is TableFormat.csv or (format is None and CSV_MEDIA_TYPE in accept):

        def write(own: Session) -> Iterator[str]:
            rows = (dyads.csv_row(row) for row in dyads.iter_dyad_years(own, filters))
            return exports.csv_chunks(dyads.csv_header(), rows)

        filename = f"dyad-years-{year_gte}-{year_lte}.csv"
        return _download(_with_own_session(request, write), CSV_MEDIA_TYPE, filename)
    rows, cursor = dyads.dyad_page(session, filters, page.cursor, page.limit)
    total = dyads.count_dyad_years(session, _data_version(request), filters)
    data = [_dyad_out(row) for row in rows]
    return page_envelope(request, response, data, total, cursor, page.limit)
