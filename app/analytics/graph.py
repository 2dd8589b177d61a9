"""The cooperation network as a networkx graph, built from the ties table.

Nodes are countries (keyed by ISO3) with at least one tie in the filtered period; an edge
joins two countries that share at least one initiative. A network of directed channels only
(transfers) may be asked for as directed: an edge then points from the source of its ties
(the supplier) to their target, and a pair that traded both ways has an edge each way. Its
`weight` is the number of distinct shared initiatives (channel, initiative) in the period,
as in the partners query; `channels` and `threats` break it down, and `distance` = 1/weight
makes strong ties short for the weighted shortest paths behind betweenness.

A graph is built with one SQL statement and kept in a small LRU cache of the engine (one per
worker), keyed by its data version and the filters. Every change to the data bumps the
version, so a changed database is never answered from a stale graph. A graph is identified
by its content too (`Network.fingerprint`): a write that changes no edge, weight or node of
this network (a description, a source, another filter's ties) finds the Network built
before it, with the measures it computed (issue 18). The measures (centrality, blocs:
seconds of CPU on the full network) are computed once for all workers and stored by
fingerprint (`app.analytics.figures`); in a worker, each is asked for once per network even
when many requests want it at the same time (single flight), and at most
`HEAVY_COMPUTATIONS` of them run at a time, so that they cannot take every thread that small
reads and writes need. After a write that touched ties, the default network's measures are
computed in the background (`refresh_default_network`), before a reader asks for them.
"""

import hashlib
import logging
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any

import networkx as nx  # type: ignore[import-untyped]
from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    and_,
    cast,
    distinct,
    func,
    null,
    or_,
    select,
    true,
)
from sqlalchemy import union_all as sql_union_all
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, aliased, sessionmaker

from app.analytics.figures import Json, computed, shared_figures
from app.cooperation.channels import DIRECTED
from app.cooperation.models import Tie, TieChannel
from app.cooperation.queries import INITIATIVE_THREATS, TieFilters, linked_threat
from app.core.memo import LruCache
from app.core.periods import Span
from app.countries.models import Country
from app.countries.queries import in_region
from app.organizations.models import Membership, MembershipRole
from app.system.models import DataState
from app.threats.models import ThreatCategory

log = logging.getLogger(__name__)

NETWORK_CACHE_SIZE = 16
# Networks by content (database, filters, fingerprint): the last few contents of each.
CONTENT_CACHE_SIZE = 16
# Betweenness and Louvain are CPU-bound under the GIL: running more at once only slows each.
HEAVY_COMPUTATIONS = 1
_heavy = threading.BoundedSemaphore(HEAVY_COMPUTATIONS)
# Louvain runs per (resolution, seed); a client varying them must not grow a network unbounded.
BLOC_CACHE_SIZE = 8
# The blocs GET /v1/network/communities answers without parameters: computed after writes.
DEFAULT_RESOLUTION = 1.0
DEFAULT_SEED = 42


@dataclass(frozen=True)
class NetworkFilters:
    """Which ties make the network. Hashable: it is part of the cache key."""

    threat_ids: tuple[int, ...] = ()
    channels: tuple[TieChannel, ...] = ()
    year_gte: int | None = None
    year_lte: int | None = None
    as_of: date | None = None  # one day, instead of the years
    # Both countries of an edge must be in the region (a region or sub-region, lower case)...
    region: str | None = None
    # ...and members of the organization (role `member`) at some time in the period.
    organization_id: int | None = None
    # Edges from the source of a directed channel's ties to their target (the channels are
    # then directed ones only: `queries.network_filters` checks it).
    directed: bool = False

    def tie_filters(self) -> TieFilters:
        return TieFilters(
            threat_ids=list(self.threat_ids),
            channels=list(self.channels),
            year_gte=self.year_gte,
            year_lte=self.year_lte,
            as_of=self.as_of,
        )

    @property
    def window(self) -> Span:
        return self.tie_filters().window

    def conditions(self) -> list[ColumnElement[bool]]:
        conditions = self.tie_filters().conditions()
        if self.directed:
            # Of the two rows of a tie, the one from its source.
            conditions.append(
                or_(*(and_(Tie.channel == c, Tie.country_role == r) for c, r in DIRECTED.items()))
            )
        for countries in self._country_sets():
            conditions += [Tie.country_id.in_(countries), Tie.partner_id.in_(countries)]
        return conditions

    def _country_sets(self) -> list[Select[int]]:
        sets: list[Select[int]] = []
        if self.region is not None:
            sets.append(select(Country.id).where(in_region(self.region)))
        if self.organization_id is not None:
            members = select(Membership.country_id).where(
                Membership.organization_id == self.organization_id,
                Membership.role == MembershipRole.member,
            )
            period = self.window.met_by(Membership.start_date, Membership.end_date)
            sets.append(members.where(*period))
        return sets


@dataclass(frozen=True)
class Ranks:
    degree: int
    weighted_degree: int
    betweenness: int


@dataclass(frozen=True)
class Centrality:
    iso3: str
    name: str
    degree: int
    weighted_degree: int
    betweenness: float
    ranks: Ranks


def competition_ranks(values: dict[str, Any]) -> dict[str, int]:
    """1 for the highest value; equal values share a rank and the next rank skips (1, 1, 3)."""
    ordered = sorted(values.values(), reverse=True)
    first_position: dict[Any, int] = {}
    for position, value in enumerate(ordered, start=1):
        first_position.setdefault(value, position)
    return {node: first_position[value] for node, value in values.items()}


class Network:
    """A built graph and the measures computed on it, each asked for once.

    Shared between requests through the cache: callers must never mutate `graph`. With an
    engine, the measures come from (or go to) the store shared by every worker.
    """

    def __init__(
        self, graph: nx.Graph, engine: Engine | None = None, data_version: int = 0
    ) -> None:
        self.graph = graph
        # Weak: the engine's own cache holds its networks, which must not keep it alive.
        self._engine = weakref.ref(engine) if engine is not None else None
        self.data_version = data_version  # the version it was built at
        self._blocs: LruCache[tuple[float, int], list[frozenset[str]]] = LruCache(BLOC_CACHE_SIZE)
        self._measures: LruCache[str, dict[str, Centrality]] = LruCache(1)

    @cached_property
    def fingerprint(self) -> str:
        """What the measures depend on: every node with its attributes, every edge with its
        weights, in the graph's (ISO3) order. Equal fingerprints, equal measures."""
        digest = hashlib.blake2b(digest_size=16)
        digest.update(repr(sorted(self.graph.graph.items())).encode())
        for node, data in self.graph.nodes(data=True):
            digest.update(repr((node, sorted(data.items()))).encode())
        for a, b, data in self.graph.edges(data=True):
            digest.update(repr((a, b, sorted(data.items()))).encode())
        return digest.hexdigest()

    @cached_property
    def iso3_by_id(self) -> dict[int, str]:
        return {data["id"]: node for node, data in self.graph.nodes(data=True)}

    @property
    def threat_names(self) -> dict[str, str]:
        """Slug to name of every threat an edge addresses, by slug."""
        names: dict[str, str] = self.graph.graph["threats"]
        return names

    def _figures(self, measure: str, compute: Callable[[], Json]) -> Json:
        """The measure from the store shared by the workers, or computed here."""

        def heavy() -> Json:
            with _heavy:
                return compute()

        engine = self._engine() if self._engine is not None else None
        if engine is None:
            return computed(heavy, measure, self.fingerprint)
        return shared_figures(engine, self.fingerprint, measure, self.data_version, heavy)

    @property
    def centrality(self) -> dict[str, Centrality]:
        return self._measures.get_or_build("centrality", self._centrality)

    def _centrality(self) -> dict[str, Centrality]:
        betweenness: dict[str, float] = self._figures("centrality", self._betweenness)
        graph = self.graph
        degree = dict(graph.degree())
        weighted_degree = dict(graph.degree(weight="weight"))
        degree_ranks = competition_ranks(degree)
        weighted_ranks = competition_ranks(weighted_degree)
        betweenness_ranks = competition_ranks(betweenness)
        return {
            node: Centrality(
                iso3=node,
                name=graph.nodes[node]["name"],
                degree=degree[node],
                weighted_degree=weighted_degree[node],
                betweenness=betweenness[node],
                ranks=Ranks(degree_ranks[node], weighted_ranks[node], betweenness_ranks[node]),
            )
            for node in graph
        }

    def _betweenness(self) -> dict[str, float]:
        """The heavy part of the centrality (degrees take no time): weighted, so that a path
        through strong ties (many shared initiatives) is short."""
        return {
            node: round(value, 6)
            for node, value in nx.betweenness_centrality(
                self.graph, weight="distance", normalized=True
            ).items()
        }

    def blocs(self, resolution: float, seed: int) -> list[frozenset[str]]:
        """Louvain communities, largest first (then by first ISO3), computed once per
        (resolution, seed). Deterministic: the graph is built in ISO3 order and the seed fixed."""

        def detect() -> list[list[str]]:
            found = nx.community.louvain_communities(
                self.graph, weight="weight", resolution=resolution, seed=seed
            )
            ordered = sorted((sorted(c) for c in found), key=lambda c: (-len(c), c[0]))
            return ordered

        def stored() -> list[frozenset[str]]:
            members: list[list[str]] = self._figures(f"blocs {resolution!r} {seed}", detect)
            return [frozenset(bloc) for bloc in members]

        return self._blocs.get_or_build((resolution, seed), stored)


class _EngineNetworks:
    """One engine's networks: by (data version, filters), and by content."""

    def __init__(self) -> None:
        self.by_version: LruCache[tuple[int, NetworkFilters], Network] = LruCache(
            NETWORK_CACHE_SIZE
        )
        self.by_content: LruCache[tuple[NetworkFilters, str], Network] = LruCache(
            CONTENT_CACHE_SIZE
        )


# Per engine: a worker has one; in tests, each app instance plays a worker of its own.
_engines: "weakref.WeakKeyDictionary[Engine, _EngineNetworks]" = weakref.WeakKeyDictionary()
_engines_lock = threading.Lock()


def _networks_of(engine: Engine) -> _EngineNetworks:
    with _engines_lock:
        found = _engines.get(engine)
        if found is None:
            found = _engines[engine] = _EngineNetworks()
        return found


def network_for(session: Session, data_version: int, filters: NetworkFilters) -> Network:
    """The network for these filters at this data version, from the cache when built before.

    `data_version` must have been read before the ties are: a graph is then at least as new
    as its key, and any later change, which bumps the version, misses the cache.
    """
    networks = _networks_of(session.get_bind().engine)

    def build() -> Network:
        built = build_network(session, filters, data_version)
        # The same content as a network built at an earlier version: that one, measures and all.
        return networks.by_content.get_or_build((filters, built.fingerprint), lambda: built)

    return networks.by_version.get_or_build((data_version, filters), build)


class _Refresher:
    """Computes the default network's measures in a thread of its own, one run at a time per
    engine; a request during a run asks for one more run after it (the data moved on)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running = False
        self._again = False

    def request(self, sessions: sessionmaker[Session]) -> None:
        with self._lock:
            if self._running:
                self._again = True
                return
            self._running = True
        threading.Thread(
            target=self._run, args=(sessions,), name="network-figures", daemon=True
        ).start()

    def _run(self, sessions: sessionmaker[Session]) -> None:
        while True:
            try:
                _compute_default_network(sessions)
            except Exception:
                # The first reader computes them instead: nothing is lost but the head start.
                log.exception("network figures: computing the default network's failed")
            with self._lock:
                if not self._again:
                    self._running = False
                    return
                self._again = False


_refreshers: "weakref.WeakKeyDictionary[Engine, _Refresher]" = weakref.WeakKeyDictionary()


def refresh_default_network(sessions: sessionmaker[Session]) -> None:
    """After a committed change that touched ties: compute the measures of the default
    network (centrality, the default blocs) at the new data version in the background, so
    that the first reader after the write finds them (here and, stored, in every worker)."""
    engine = sessions.kw["bind"]
    with _engines_lock:
        refresher = _refreshers.get(engine)
        if refresher is None:
            refresher = _refreshers[engine] = _Refresher()
    refresher.request(sessions)


def _compute_default_network(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        # The version first, then the ties: the graph is at least as new as its key.
        version = session.scalar(select(DataState.version).where(DataState.id == 1)) or 0
        network = network_for(session, version, NetworkFilters())
        network.centrality  # noqa: B018 - computed (or found) for the readers to come
        network.blocs(DEFAULT_RESOLUTION, DEFAULT_SEED)


def _edge_counts_statement(filters: NetworkFilters) -> Select[*tuple[Any, ...]]:
    """Per undirected pair: distinct initiatives per channel (threat_id NULL) and per
    (channel, threat), in one statement, with both countries' attributes."""
    conditions = filters.conditions()
    # Ties are stored in both directions: one of the two is enough for an undirected graph
    # (a directed one keeps the row from the source, in `conditions`).
    once = true() if filters.directed else Tie.country_id < Tie.partner_id
    links = INITIATIVE_THREATS
    per_channel = (
        select(
            Tie.country_id.label("country_id"),
            Tie.partner_id.label("partner_id"),
            Tie.channel.label("channel"),
            cast(null(), Integer).label("threat_id"),
            func.count(distinct(Tie.initiative_id)).label("initiatives"),
        )
        .where(once, *conditions)
        .group_by(Tie.country_id, Tie.partner_id, Tie.channel)
    )
    per_threat = (
        select(
            Tie.country_id,
            Tie.partner_id,
            Tie.channel,
            links.c.threat_id,
            func.count(distinct(Tie.initiative_id)),
        )
        .join(links, linked_threat(links, filters.tie_filters().window))
        .where(once, *conditions)
        .group_by(Tie.country_id, Tie.partner_id, Tie.channel, links.c.threat_id)
    )
    counts = sql_union_all(per_channel, per_threat).subquery("counts")
    country, partner = aliased(Country), aliased(Country)
    return (
        select(
            country.id,
            country.iso3,
            country.name,
            country.region,
            country.subregion,
            partner.id,
            partner.iso3,
            partner.name,
            partner.region,
            partner.subregion,
            counts.c.channel,
            ThreatCategory.slug,
            ThreatCategory.name,
            counts.c.initiatives,
        )
        .join(country, country.id == counts.c.country_id)
        .join(partner, partner.id == counts.c.partner_id)
        .outerjoin(ThreatCategory, ThreatCategory.id == counts.c.threat_id)
    )


def build_network(session: Session, filters: NetworkFilters, data_version: int = 0) -> Network:
    """The graph of the filtered ties (an `nx.DiGraph` when the filters ask for directed), its
    measures shared through the session's database. `data_version`: the version it is of."""
    nodes: dict[str, dict[str, Any]] = {}
    channels: dict[tuple[str, str], dict[TieChannel, int]] = {}
    threats: dict[tuple[str, str], dict[str, int]] = {}
    threat_names: dict[str, str] = {}
    for row in session.execute(_edge_counts_statement(filters)):
        ends = []
        for offset in (0, 5):
            country_id, iso3, name, region, subregion = row[offset : offset + 5]
            nodes[iso3] = {"id": country_id, "name": name, "region": region, "subregion": subregion}
            ends.append(iso3)
        pair = (ends[0], ends[1]) if filters.directed else (min(ends), max(ends))
        channel, threat_slug, threat_name, initiatives = row[10:]
        if threat_slug is None:
            channels.setdefault(pair, dict.fromkeys(TieChannel, 0))[TieChannel(channel)] = (
                initiatives
            )
        else:
            # An initiative has one channel: summing over channels counts each one once.
            pair_threats = threats.setdefault(pair, {})
            pair_threats[threat_slug] = pair_threats.get(threat_slug, 0) + initiatives
            threat_names[threat_slug] = threat_name
    # Insertion order decides the iteration order of networkx, and so the tie-breaks of
    # Louvain and of path enumeration: ISO3 order makes them the same on every database.
    graph = (nx.DiGraph if filters.directed else nx.Graph)(
        threats=dict(sorted(threat_names.items()))
    )
    for iso3 in sorted(nodes):
        graph.add_node(iso3, **nodes[iso3])
    for pair in sorted(channels):
        weight = sum(channels[pair].values())
        graph.add_edge(
            *pair,
            weight=weight,
            distance=1 / weight,
            channels=channels[pair],
            threats=dict(sorted(threats.get(pair, {}).items())),
        )
    return Network(graph, session.get_bind().engine, data_version)
