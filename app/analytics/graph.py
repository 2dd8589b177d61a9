"""The cooperation network as a networkx graph, built from the ties table.

Nodes are countries (keyed by ISO3) with at least one tie in the filtered period; an edge
joins two countries that share at least one initiative. A network of directed channels only
(transfers) may be asked for as directed: an edge then points from the source of its ties
(the supplier) to their target, and a pair that traded both ways has an edge each way. Its
`weight` is the number of distinct shared initiatives (channel, initiative) in the period,
as in the partners query; `channels` and `threats` break it down, and `distance` = 1/weight
makes strong ties short for the weighted shortest paths behind betweenness.

A graph is built with one SQL statement and kept in a small LRU cache keyed by the database,
its data version and the filters. Every change to the data bumps the version, so a changed
database is never answered from a stale graph. The measures computed on a graph (centrality,
blocs: seconds of CPU on the full network) are kept with it, and a graph is identified by
its content too: a write that changes no edge, weight or node of this network (a
description, a source, another filter's ties) finds the Network built before it, with its
measures, instead of computing them again (issue 18). Each measure is computed once per
network even when many requests ask at the same time (single flight), and at most
`HEAVY_COMPUTATIONS` of them run at a time in a process, so that they cannot take every
thread that small reads and writes need.
"""

import hashlib
import threading
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
from sqlalchemy.orm import Session, aliased

from app.cooperation.channels import DIRECTED
from app.cooperation.models import Tie, TieChannel
from app.cooperation.queries import INITIATIVE_THREATS, TieFilters, linked_threat
from app.core.memo import LruCache, database_identity
from app.core.periods import Span
from app.countries.models import Country
from app.countries.queries import in_region
from app.organizations.models import Membership, MembershipRole
from app.threats.models import ThreatCategory

NETWORK_CACHE_SIZE = 16
# Networks by content (database, filters, fingerprint): the last few contents of each.
CONTENT_CACHE_SIZE = 16
# Betweenness and Louvain are CPU-bound under the GIL: running more at once only slows each.
HEAVY_COMPUTATIONS = 1
_heavy = threading.BoundedSemaphore(HEAVY_COMPUTATIONS)
# Louvain runs per (resolution, seed); a client varying them must not grow a network unbounded.
BLOC_CACHE_SIZE = 8


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
    """A built graph and the measures computed on it, each computed once.

    Shared between requests through the cache: callers must never mutate `graph`.
    """

    def __init__(self, graph: nx.Graph) -> None:
        self.graph = graph
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

    @property
    def centrality(self) -> dict[str, Centrality]:
        return self._measures.get_or_build("centrality", self._centrality)

    def _centrality(self) -> dict[str, Centrality]:
        with _heavy:
            return self._compute_centrality()

    def _compute_centrality(self) -> dict[str, Centrality]:
        graph = self.graph
        # Weighted: a path through strong ties (many shared initiatives) is short.
        betweenness = {
            node: round(value, 6)
            for node, value in nx.betweenness_centrality(
                graph, weight="distance", normalized=True
            ).items()
        }
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

    def blocs(self, resolution: float, seed: int) -> list[frozenset[str]]:
        """Louvain communities, largest first (then by first ISO3), computed once per
        (resolution, seed). Deterministic: the graph is built in ISO3 order and the seed fixed."""

        def detect() -> list[frozenset[str]]:
            with _heavy:
                found = nx.community.louvain_communities(
                    self.graph, weight="weight", resolution=resolution, seed=seed
                )
            return sorted((frozenset(c) for c in found), key=lambda c: (-len(c), min(c)))

        return self._blocs.get_or_build((resolution, seed), detect)


_networks: LruCache[tuple[str, int, NetworkFilters], Network] = LruCache(NETWORK_CACHE_SIZE)
_by_content: LruCache[tuple[str, NetworkFilters, str], Network] = LruCache(CONTENT_CACHE_SIZE)


def network_for(session: Session, data_version: int, filters: NetworkFilters) -> Network:
    """The network for these filters at this data version, from the cache when built before.

    `data_version` must have been read before the ties are: a graph is then at least as new
    as its key, and any later change, which bumps the version, misses the cache.
    """
    database = database_identity(session)

    def build() -> Network:
        built = build_network(session, filters)
        # The same content as a network built at an earlier version: that one, measures and all.
        return _by_content.get_or_build((database, filters, built.fingerprint), lambda: built)

    return _networks.get_or_build((database, data_version, filters), build)


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


def build_network(session: Session, filters: NetworkFilters) -> Network:
    """The graph of the filtered ties: an `nx.DiGraph` when the filters ask for directed."""
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
    return Network(graph)
