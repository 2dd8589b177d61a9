"""The parameters of the analytics reads, each checked and normalized by a dependency.

A route receives what it needs (network filters, dyad filters, the format of the answer, two
distinct countries) and checks nothing itself. FastAPI documents a route's own query
parameters first, then its dependencies' in the order of the route's signature: keep that
order when changing a route, the OpenAPI document lists the parameters in it.
"""

from dataclasses import asdict, dataclass, replace
from datetime import date
from typing import Annotated, TypeVar

from fastapi import Depends, Query, Request

from app.analytics import dyads, queries
from app.analytics.exports import CSV_MEDIA_TYPE, GRAPHML_MEDIA_TYPE
from app.analytics.graph import Network, NetworkFilters, network_for
from app.analytics.schemas import NetworkFormat, NetworkMeasure, TableFormat
from app.cooperation.models import TieChannel
from app.cooperation.params import CountryPair, channel_filter, country_pair
from app.cooperation.representations import stated_coverage
from app.core.coverage import StatedCoverage
from app.core.deps import DataVersion, SessionDep
from app.core.params import (
    SLUG_PATTERN,
    CountryFilter,
    IsoDate,
    SlugItem,
    ThreatFilter,
    YearFilter,
    YearGte,
    YearLte,
    bounded,
    region_query,
    text_param,
    year_query,
)
from app.core.problems import InvalidParameter
from app.countries.queries import country_ids
from app.organizations.queries import RoleFilter, organization_ids, roles_listed
from app.threats.queries import threat_ids

# The days `as_of` may name: those of the years the year filters take.
Format = TypeVar("Format", NetworkFormat, TableFormat)
MIN_DAY, MAX_DAY = date(1800, 1, 1), date(2200, 12, 31)
# Organizations whose members a dyad-year group may be made of at once.
MAX_GROUP_ORGANIZATIONS = 5

ChannelFilter = Annotated[
    list[TieChannel] | None, channel_filter(TieChannel.organization, TieChannel.exercise)
]
RegionFilter = Annotated[
    str | None,
    region_query("Region or UN sub-region, any case: both countries of an edge must be in it"),
]
OrganizationFilter = Annotated[
    str | None,
    text_param(
        "Organization slug: both countries of an edge must be members of it (role `member`, "
        "not observer or partner) at some time in the period; their edge still counts ties "
        "through every channel",
        "asean",
        max_length=160,
        pattern=SLUG_PATTERN,
    ),
]

DirectedNetwork = Annotated[
    bool,
    Query(
        description="true: edges point from the supplier to the recipient (one each way for "
        "a pair that traded both ways); only with directed channels (`channel=transfer`). "
        "Degrees then count in- and out-edges, paths follow the arrows",
        examples=[True],
    ),
]


@dataclass(frozen=True)
class NetworkTies:
    """The first query parameters of a network read: which ties it holds."""

    threat: ThreatFilter = None
    channel: ChannelFilter = None
    year: YearFilter = None
    year_gte: YearGte = None
    year_lte: YearLte = None


@dataclass(frozen=True)
class NetworkCountries:
    """The last query parameters of a network read: which countries, and which way."""

    region: RegionFilter = None
    organization: OrganizationFilter = None
    directed: DirectedNetwork = False


def network_filters(
    session: SessionDep,
    ties: Annotated[NetworkTies, Depends()],
    countries: Annotated[NetworkCountries, Depends()],
) -> NetworkFilters:
    """The filters that select the ties of a network, shared by the network endpoints."""
    # The two parameter groups are named as `network_filters` names its arguments.
    return queries.network_filters(session, **asdict(ties), **asdict(countries))


NetworkQuery = Annotated[NetworkFilters, Depends(network_filters)]


def _day(
    as_of: Annotated[
        IsoDate | None,
        Query(
            description="Only ties that hold on this day (not with year, year_gte, year_lte)",
            examples=["2010-06-30"],
        ),
    ] = None,
) -> date | None:
    if as_of is not None and not MIN_DAY <= as_of <= MAX_DAY:
        raise InvalidParameter("/query/as_of", f"as_of must lie between {MIN_DAY} and {MAX_DAY}.")
    return as_of


def path_filters(
    session: SessionDep,
    ties: Annotated[NetworkTies, Depends()],
    # Between the two groups: the OpenAPI document lists `as_of` after the years.
    as_of: Annotated[date | None, Depends(_day)],
    countries: Annotated[NetworkCountries, Depends()],
) -> NetworkFilters:
    """The network filters, with a day (`as_of`) as the window instead of years."""
    filters = network_filters(session, ties, countries)
    if as_of is None:
        return filters
    if filters.year_gte is not None or filters.year_lte is not None:
        raise InvalidParameter("/query/as_of", "Use either as_of or year/year_gte/year_lte.")
    return replace(filters, as_of=as_of)


PathQuery = Annotated[NetworkFilters, Depends(path_filters)]


def filtered_network(
    request: Request, session: SessionDep, version: DataVersion, filters: NetworkQuery
) -> tuple[Network, StatedCoverage]:
    """The network for the request's filters, and what its years' data does not cover."""
    network = network_for(session, version, filters)
    first, last = filters.year_gte, filters.year_lte
    return network, stated_coverage(request, session, filters.channels, first, last)


FilteredNetwork = Annotated[tuple[Network, StatedCoverage], Depends(filtered_network)]

CentralitySort = Annotated[
    NetworkMeasure,
    Query(
        description="Rank by this measure, highest first (then by ISO3)", examples=["-betweenness"]
    ),
]
LouvainResolution = Annotated[
    float,
    bounded(
        "Louvain resolution: above 1 favours smaller blocs, below 1 larger", 1.0, ge=0.1, le=10
    ),
]
LouvainSeed = Annotated[
    int,
    bounded(
        "Random seed of the Louvain method: the same seed gives the same blocs",
        42,
        ge=0,
        le=2**31 - 1,
    ),
]
PathLimit = Annotated[int, bounded("At most this many paths, strongest first", 10, ge=1, le=100)]
ThreatColumns = Annotated[
    bool,
    Query(
        description="true: also a column per threat category (`threat_terrorism`...), "
        "in JSON and CSV: how many of the counted initiatives address it that year",
        examples=[True],
    ),
]


def _negotiated(
    request: Request, asked: Format | None, files: dict[str, Format], default: Format
) -> Format:
    """The format asked for with `format`, else the first of `files` that `Accept` names."""
    if asked is not None:
        return asked
    accept = request.headers.get("accept", "")
    return next((wanted for media_type, wanted in files.items() if media_type in accept), default)


def network_format(
    request: Request,
    format: Annotated[
        NetworkFormat | None,
        Query(
            description="json (default), csv (edge list) or graphml (for Gephi, networkx, "
            "igraph); also chosen by `Accept: text/csv` or `application/graphml+xml`",
            examples=["graphml"],
        ),
    ] = None,
) -> NetworkFormat:
    files = {CSV_MEDIA_TYPE: NetworkFormat.csv, GRAPHML_MEDIA_TYPE: NetworkFormat.graphml}
    return _negotiated(request, format, files, NetworkFormat.json)


NetworkFormatQuery = Annotated[NetworkFormat, Depends(network_format)]


def table_format(
    request: Request,
    format: Annotated[
        TableFormat | None,
        Query(
            description="json (default, paginated) or csv (every row, streamed); "
            "also chosen by `Accept: text/csv`",
            examples=["csv"],
        ),
    ] = None,
) -> TableFormat:
    return _negotiated(request, format, {CSV_MEDIA_TYPE: TableFormat.csv}, TableFormat.json)


TableFormatQuery = Annotated[TableFormat, Depends(table_format)]


def dyad_filters(
    session: SessionDep,
    year_gte: Annotated[
        int,
        year_query(f"First year (required; at most {dyads.MAX_SPAN_YEARS} years in all)", 2000),
    ],
    year_lte: Annotated[int, year_query("Last year (required)", 2024)],
    country: CountryFilter = None,
    within: Annotated[
        bool,
        Query(
            description="Only pairs whose two countries are both among `country` (with two "
            "codes: that one pair); by default a pair needs one of them",
            examples=[True],
        ),
    ] = False,
    members_of: Annotated[
        list[SlugItem] | None,
        Query(
            max_length=MAX_GROUP_ORGANIZATIONS,
            description="Organization slug: only the pair-years whose two countries are both "
            "members of it in that year (a membership spell meets the year; full members "
            "unless `member_role` says otherwise); repeat for the members of any of several",
            examples=[["asean"]],
        ),
    ] = None,
    member_role: Annotated[
        list[RoleFilter] | None,
        Query(
            max_length=len(RoleFilter),
            description="With `members_of`: the membership roles that count (repeatable), or "
            "`any`; `member` by default (an observer is not a member)",
            examples=[["member", "associate"]],
        ),
    ] = None,
    region: Annotated[
        str | None,
        region_query("Region or UN sub-region, any case: both countries of a pair must be in it"),
    ] = None,
    channel: ChannelFilter = None,
    threat: ThreatFilter = None,
    directed: Annotated[
        bool,
        Query(
            description="false: one row per unordered pair, country_a < country_b by ISO3; "
            "true: both orders, with the same counts (the transfer directions swapped)",
            examples=[False],
        ),
    ] = False,
    balanced: Annotated[
        bool,
        Query(
            description="true: every pair of the selected countries in every year both exist "
            "(zeros where a channel's data covers the year, null where it does not and no tie "
            f"is known), at most {dyads.MAX_BALANCED_ROWS:,} pairs x years; false: only the "
            "pair-years with a tie",
            examples=[True],
        ),
    ] = False,
) -> dyads.DyadFilters:
    if year_gte > year_lte:
        raise InvalidParameter("/query/year_gte", "year_gte is after year_lte.")
    if year_lte - year_gte + 1 > dyads.MAX_SPAN_YEARS:
        raise InvalidParameter(
            "/query/year_lte", f"At most {dyads.MAX_SPAN_YEARS} years per request."
        )
    if within and len(set(country or [])) < 2:
        raise InvalidParameter("/query/within", "within needs at least two country codes.")
    if member_role and not members_of:
        raise InvalidParameter(
            "/query/member_role", "member_role says which members of `members_of` count: add it."
        )
    organizations = organization_ids(session, members_of or [], "/query/members_of")
    filters = dyads.DyadFilters(
        year_gte=year_gte,
        year_lte=year_lte,
        country_ids=tuple(sorted(set(country_ids(session, country or [], "/query/country")))),
        within=within,
        channels=tuple(sorted(set(channel or []), key=list(TieChannel).index)),
        threat_ids=tuple(sorted(set(threat_ids(session, threat or [])))),
        directed=directed,
        balanced=balanced,
        organization_ids=tuple(sorted(set(organizations))),
        roles=tuple(sorted(set(roles_listed(member_role or [])))) if members_of else (),
        region=queries.known_region(session, region) if region is not None else None,
    )
    if balanced and (rows := dyads.panel_rows(session, filters)) > dyads.MAX_BALANCED_ROWS:
        raise InvalidParameter(
            "/query/balanced",
            f"A balanced panel of these countries and years has up to {rows:,} rows (pairs x "
            f"years); at most {dyads.MAX_BALANCED_ROWS:,} per request: name fewer countries "
            "(`country`, with `within=true` for the pairs among them, or a group: "
            "`members_of`, `region`) or fewer years.",
        )
    return filters


DyadQuery = Annotated[dyads.DyadFilters, Depends(dyad_filters)]


CountryPairPath = Annotated[
    CountryPair, Depends(country_pair("A path needs two different countries."))
]
