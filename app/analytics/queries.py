"""Reads over the cooperation network: filters, centrality, blocs, paths, a country's standing.

The graph itself, its cache and the meaning of an edge: `graph.py`. Dyad-years: `dyads.py`.
They return plain dataclasses; `representations.py` makes the API schemas of them.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from itertools import islice, pairwise

import networkx as nx  # type: ignore[import-untyped]
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.analytics.graph import Centrality, Network, NetworkFilters, network_for
from app.analytics.schemas import NetworkMeasure
from app.cooperation.channels import CHANNELS, DIRECTED
from app.cooperation.models import TieChannel
from app.cooperation.queries import PairTie, ties_of_pairs
from app.core.params import check_years
from app.core.periods import Span, common_spans, merged_spans
from app.core.problems import InvalidParameter, NotFound
from app.countries.models import Country, CowCodePeriod
from app.organizations.models import Organization
from app.sources.models import Source
from app.threats.queries import threat_ids

# Enumerating every shortest path can explode on dense networks: count up to this many.
MAX_PATHS_ENUMERATED = 1000
TOP_BLOC_THREATS = 5

_CHANNEL_ORDER = list(CHANNELS)


def known_region(session: Session, region: str) -> str:
    """The region or sub-region, lower case; an unknown one is a 422 listing the known ones."""
    known = {
        name
        for pair in session.execute(select(Country.region, Country.subregion).distinct())
        for name in pair
        if name
    }
    if region.lower() not in {name.lower() for name in known}:
        raise InvalidParameter(
            "/query/region",
            f"Unknown region {region!r}; known regions and sub-regions: "
            f"{', '.join(sorted(known))}.",
        )
    return region.lower()


def _organization_id(session: Session, slug: str) -> int:
    organization_id = session.scalar(select(Organization.id).where(Organization.slug == slug))
    if organization_id is None:
        known = ", ".join(session.scalars(select(Organization.slug).order_by(Organization.slug)))
        raise NotFound(f"No organization {slug!r}; known: {known}.")
    return organization_id


def network_filters(
    session: Session,
    *,
    threat: list[str] | None,
    channel: list[TieChannel] | None,
    year: int | None,
    year_gte: int | None,
    year_lte: int | None,
    region: str | None,
    organization: str | None,
    directed: bool = False,
) -> NetworkFilters:
    """Checked, normalized filters: equal queries give equal filters, and share a cache entry."""
    check_years(year, year_gte, year_lte)
    if directed and (not channel or not set(channel) <= DIRECTED.keys()):
        raise InvalidParameter(
            "/query/directed",
            "A directed network is one of directed channels only: add "
            + " ".join(f"channel={c.value}" for c in DIRECTED)
            + ".",
        )
    if year is not None:
        year_gte = year_lte = year
    return NetworkFilters(
        threat_ids=tuple(sorted(set(threat_ids(session, threat or [])))),
        channels=tuple(sorted(set(channel or []), key=_CHANNEL_ORDER.index)),
        year_gte=year_gte,
        year_lte=year_lte,
        region=known_region(session, region) if region is not None else None,
        organization_id=_organization_id(session, organization) if organization else None,
        directed=directed,
    )


# --- centrality ----------------------------------------------------------------------------


def ranked(network: Network, measure: NetworkMeasure) -> list[Centrality]:
    """Every country of the network, highest value of the measure first, then by ISO3."""
    rows = list(network.centrality.values())
    rows.sort(key=lambda row: ranking_key(row, measure))
    return rows


def ranking_key(row: Centrality, measure: NetworkMeasure) -> list[int | float | str]:
    value: int | float
    if measure is NetworkMeasure.degree:
        value = row.degree
    elif measure is NetworkMeasure.weighted_degree:
        value = row.weighted_degree
    else:
        value = row.betweenness
    return [-value, row.iso3]


@dataclass(frozen=True)
class Standing:
    """A country's place in the whole network (every channel, every year)."""

    network_size: int
    centrality: Centrality | None  # None: the country has no tie at all


def standing(session: Session, country_id: int, data_version: int) -> Standing:
    network = network_for(session, data_version, NetworkFilters())
    iso3 = network.iso3_by_id.get(country_id)
    return Standing(
        network_size=network.graph.number_of_nodes(),
        centrality=network.centrality[iso3] if iso3 is not None else None,
    )


# --- blocs ---------------------------------------------------------------------------------


@dataclass
class Bloc:
    id: int
    members: list[tuple[str, str]]  # (iso3, name), by ISO3
    internal_weight: int
    threats: list[tuple[str, str, int]]  # (slug, name, ties), most first


def blocs(network: Network, resolution: float, seed: int) -> list[Bloc]:
    graph = network.graph
    found = []
    for number, members in enumerate(network.blocs(resolution, seed), start=1):
        internal = graph.subgraph(members)
        threat_ties: dict[str, int] = defaultdict(int)
        for _source, _target, threats in internal.edges(data="threats"):
            for slug, ties in threats.items():
                threat_ties[slug] += ties
        top = sorted(threat_ties.items(), key=lambda item: (-item[1], item[0]))
        found.append(
            Bloc(
                id=number,
                members=[(iso3, graph.nodes[iso3]["name"]) for iso3 in sorted(members)],
                internal_weight=sum(weight for _u, _v, weight in internal.edges(data="weight")),
                threats=[
                    (slug, network.threat_names[slug], ties)
                    for slug, ties in top[:TOP_BLOC_THREATS]
                ],
            )
        )
    return found


# --- paths ---------------------------------------------------------------------------------


@dataclass
class Hop:
    source: tuple[str, str]  # (iso3, name)
    target: tuple[str, str]
    weight: int
    ties: list[PairTie]  # each with its span cut to the window
    spans: list[Span]  # the days at least one of its ties holds, in the window


@dataclass
class Path:
    strength: int
    hops: list[Hop]
    # The days every hop holds at once, in the window: empty when the hops never held
    # together (a path through ties of different times).
    concurrent: list[Span]


@dataclass
class Paths:
    length: int | None
    total: int
    truncated: bool
    paths: list[Path]


def _shortest_paths(graph: nx.Graph, source: str, target: str) -> list[list[str]]:
    if source not in graph or target not in graph:
        return []
    try:
        return list(islice(nx.all_shortest_paths(graph, source, target), MAX_PATHS_ENUMERATED + 1))
    except nx.NetworkXNoPath:
        return []


def _in_window(ties: list[PairTie], window: Span) -> list[PairTie]:
    """The ties with their spans cut to the window (the filters keep ties that meet it), by
    channel then slug."""
    cut = []
    for tie in ties:
        span = tie.span.overlap(window)
        if span is not None:
            cut.append(replace(tie, span=span))
    return sorted(cut, key=lambda tie: (_CHANNEL_ORDER.index(tie.channel), tie.initiative.slug))


def shortest_paths(
    session: Session,
    network: Network,
    filters: NetworkFilters,
    source: str,
    target: str,
    limit: int,
) -> Paths:
    """Every shortest path (fewest hops) from source to target in the filtered network,
    strongest first (sum of hop weights), then by the ISO3 sequence; the first `limit`, each
    hop with its ties (period in the window, sources) and each path with the days all its
    hops hold together."""
    graph = network.graph
    found = _shortest_paths(graph, source, target)
    if not found:
        return Paths(length=None, total=0, truncated=False, paths=[])
    truncated = len(found) > MAX_PATHS_ENUMERATED
    found = found[:MAX_PATHS_ENUMERATED]

    def strength(path: list[str]) -> int:
        return sum(graph.edges[u, v]["weight"] for u, v in pairwise(path))

    found.sort(key=lambda path: (-strength(path), path))
    chosen = found[:limit]
    node_id = {iso3: graph.nodes[iso3]["id"] for path in chosen for iso3 in path}
    tie_filters = filters.tie_filters()
    window = tie_filters.window
    hop_ties = ties_of_pairs(
        session,
        {(node_id[u], node_id[v]) for path in chosen for u, v in pairwise(path)},
        tie_filters,
    )

    def ref(iso3: str) -> tuple[str, str]:
        return iso3, graph.nodes[iso3]["name"]

    def hop(u: str, v: str) -> Hop:
        ties = _in_window(hop_ties.get((node_id[u], node_id[v]), []), window)
        if filters.directed:  # a directed hop follows its arrow: u supplied v
            ties = [tie for tie in ties if tie.roles[0] == CHANNELS[tie.channel].source_role]
        return Hop(
            source=ref(u),
            target=ref(v),
            weight=graph.edges[u, v]["weight"],
            ties=ties,
            spans=merged_spans(tie.span for tie in ties),
        )

    paths = []
    for path in chosen:
        hops = [hop(u, v) for u, v in pairwise(path)]
        concurrent = [window]
        for each in hops:
            concurrent = common_spans(concurrent, each.spans)
        paths.append(Path(strength=strength(path), hops=hops, concurrent=concurrent))
    return Paths(length=len(found[0]) - 1, total=len(found), truncated=truncated, paths=paths)


def cow_codes_of(session: Session, country_id: int) -> Sequence[tuple[CowCodePeriod, Source]]:
    """The country's dated COW codes in time order, each with the source it cites."""
    rows = session.execute(
        select(CowCodePeriod, Source)
        .join(Source, Source.id == CowCodePeriod.source_id)
        .where(CowCodePeriod.country_id == country_id)
        .order_by(CowCodePeriod.valid_from, CowCodePeriod.id)
    )
    return [(period, source) for period, source in rows]
