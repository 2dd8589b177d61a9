"""Reads over the ties table: a country's partners, and the evidence for a pair.

What a tie is, and how the table is kept in step with the facts: `derivation.py`.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    Subquery,
    and_,
    bindparam,
    case,
    cast,
    distinct,
    exists,
    func,
    literal,
    select,
    union_all,
)
from sqlalchemy.orm import Session, joinedload

from app.cooperation.channels import CHANNELS, DIRECTED
from app.cooperation.derivation import directed_initiatives, most_certain
from app.cooperation.models import PartnerChannel, PartnerCoThreat, PartnerThreat, Tie, TieChannel
from app.cooperation.ties import link_applies, link_span
from app.core.periods import Span
from app.countries.models import Country
from app.sources.models import Certainty, Citation
from app.threats.models import ThreatCategory


def _initiative_threats() -> Subquery:
    """(channel, initiative_id, threat_id) over every channel's initiatives."""
    return union_all(
        *(
            select(
                literal(channel.name.value).label("channel"),
                channel.threat_links.owner_column.label("initiative_id"),
                channel.threat_links.table.c.threat_id.label("threat_id"),
                channel.threat_links.table.c.start_date.label("start_date"),
                channel.threat_links.table.c.end_date.label("end_date"),
            )
            for channel in CHANNELS.values()
        )
    ).subquery("initiative_threats")


INITIATIVE_THREATS = _initiative_threats()


def linked_threat(links: Any, window: Span) -> ColumnElement[bool]:
    """Joins a tie to the threat links of its initiative that hold during the tie's period
    and the window."""
    return and_(
        links.c.channel == Tie.channel,
        links.c.initiative_id == Tie.initiative_id,
        link_applies(
            links.c.start_date,
            links.c.end_date,
            (Tie.start_date, window.start),
            (Tie.end_date, window.end),
        ),
    )


def _addresses_threat(threat_ids: list[int], window: Span) -> ColumnElement[bool]:
    links = INITIATIVE_THREATS
    return exists(
        select(1)
        .select_from(links)
        .where(linked_threat(links, window), links.c.threat_id.in_(threat_ids))
        .correlate(Tie)
    )


@dataclass
class TieFilters:
    threat_ids: list[int] = field(default_factory=list)
    channels: list[TieChannel] = field(default_factory=list)
    year: int | None = None
    year_gte: int | None = None
    year_lte: int | None = None

    @property
    def years(self) -> tuple[int | None, int | None]:
        """The first and last year asked about (None: open)."""
        if self.year is not None:
            return self.year, self.year
        return self.year_gte, self.year_lte

    @property
    def window(self) -> Span:
        return (
            Span.of_years(self.year, self.year)
            if self.year is not None
            else Span.of_years(self.year_gte, self.year_lte)
        )

    def conditions(self) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if self.channels:
            conditions.append(Tie.channel.in_(self.channels))
        window = self.window
        if self.threat_ids:
            conditions.append(_addresses_threat(self.threat_ids, window))
        if window.start is not None:
            conditions.append(Tie.end_date.is_(None) | (Tie.end_date > window.start))
        if window.end is not None:
            conditions.append(Tie.start_date.is_(None) | (Tie.start_date < window.end))
        return conditions


@dataclass(frozen=True)
class CountryName:
    """A partner as a list of partners names it (read as columns: no ORM object to build)."""

    id: int
    iso3: str
    name: str


@dataclass(frozen=True)
class ThreatName:
    """A threat as a list of partners names it."""

    slug: str
    name: str


@dataclass(frozen=True)
class Directions:
    """A directed channel's initiatives between a country and a partner, by direction."""

    to_partner: int  # the country is the source (a transfer's supplier)
    from_partner: int  # the partner is


@dataclass
class PartnerSummary:
    partner: Country | CountryName
    channels: dict[TieChannel, int]
    threats: Sequence[ThreatCategory | ThreatName]
    first_year: int | None
    last_year: int | None
    ongoing: bool
    # Per directed channel with ties between the two.
    directions: dict[TieChannel, Directions] = field(default_factory=dict)

    @property
    def ties(self) -> int:
        return sum(self.channels.values())


@dataclass
class _Extent:
    """Accumulates the years of a partner's ties, channel by channel."""

    rows: int = 0
    known_starts: int = 0
    known_ends: int = 0
    earliest: date | None = None
    latest: date | None = None

    def add(self, rows: int, starts: int, earliest: date | None, ends: int,
            latest: date | None) -> None:  # fmt: skip
        self.rows += rows
        self.known_starts += starts
        self.known_ends += ends
        if earliest is not None:
            self.earliest = min(filter(None, (self.earliest, earliest)))
        if latest is not None:
            self.latest = max(filter(None, (self.latest, latest)))

    def span(self) -> Span:
        """Unknown start anywhere: the ties reach back indefinitely; an open end: ongoing."""
        return Span(
            self.earliest if self.known_starts == self.rows else None,
            self.latest if self.known_ends == self.rows else None,
        )


def _threats_by_partner(
    session: Session, country_id: int, conditions: list[ColumnElement[bool]], window: Span
) -> dict[int, list[ThreatCategory]]:
    links = INITIATIVE_THREATS
    rows = session.execute(
        select(Tie.partner_id, ThreatCategory)
        .join(links, linked_threat(links, window))
        .join(ThreatCategory, ThreatCategory.id == links.c.threat_id)
        .where(Tie.country_id == country_id, *conditions)
        .distinct()
        .order_by(ThreatCategory.slug)
    )
    threats: dict[int, list[ThreatCategory]] = defaultdict(list)
    for partner_id, threat in rows:
        threats[partner_id].append(threat)
    return threats


def partners_of(session: Session, country_id: int, filters: TieFilters) -> list[PartnerSummary]:
    """Partners ranked by number of shared initiatives, then by name.

    Read from the per-pair aggregates unless the filters need the ties themselves: a year
    window (it selects ties, not pairs) or several threats (an initiative addressing two of
    them must count once).
    """
    if filters.year is not None or filters.year_gte is not None or filters.year_lte is not None:
        return _partners_from_ties(session, country_id, filters)
    if len(set(filters.threat_ids)) > 1:
        return _partners_from_ties(session, country_id, filters)
    return _partners_from_aggregates(session, country_id, filters)


def _partners_from_aggregates(
    session: Session, country_id: int, filters: TieFilters
) -> list[PartnerSummary]:
    threat_id = filters.threat_ids[0] if filters.threat_ids else None
    statement = _aggregate_statement(threat_id is not None, bool(filters.channels))
    parameters: dict[str, Any] = {"country_id": country_id}
    if threat_id is not None:
        parameters["threat_id"] = threat_id
    if filters.channels:
        parameters["channels"] = list(filters.channels)
    rows = session.execute(statement, parameters).all()
    if not rows:
        return []
    known = {
        row.id: ThreatName(row.slug, row.name)
        for row in session.execute(
            select(ThreatCategory.id, ThreatCategory.slug, ThreatCategory.name).order_by(
                ThreatCategory.slug
            )
        )
    }
    rank = {id_: n for n, id_ in enumerate(known)}
    summaries = []
    for country_id, iso3, name, *counts, start, end, threat_ids in rows:
        ids = {int(id_) for id_ in (threat_ids or "").split(",") if id_}
        channels = dict(zip(_CHANNELS, counts[: len(_CHANNELS)], strict=True))
        ways = counts[len(_CHANNELS) :]  # outgoing, incoming of each directed channel
        directions = {
            channel: Directions(ways[2 * n], ways[2 * n + 1]) for n, channel in enumerate(DIRECTED)
        }
        summaries.append(
            PartnerSummary(
                partner=CountryName(country_id, iso3, name),
                channels=channels,
                threats=[known[id_] for id_ in sorted(ids, key=rank.__getitem__)],
                first_year=start.year if start else None,
                last_year=Span(start, end).last_year,
                ongoing=end is None,
                directions={c: d for c, d in directions.items() if channels[c]},
            )
        )
    summaries.sort(key=lambda s: (-s.ties, s.partner.name))
    return summaries


_CHANNELS = tuple(CHANNELS)


@cache
def _aggregate_statement(by_threat: bool, by_channels: bool) -> Select[Any]:
    """The partners of `:country_id` from the per-pair aggregates, one row per partner, for
    one shape of filters; built once per shape, since building it costs more than running it.
    Parameters: country_id, and threat_id and channels (a list) where the shape has them."""
    table: Any = PartnerThreat if by_threat else PartnerChannel
    conditions = [table.country_id == bindparam("country_id")]
    if by_threat:
        conditions.append(table.threat_id == bindparam("threat_id"))
    if by_channels:
        conditions.append(table.channel.in_(bindparam("channels", expanding=True)))
    # One row per partner: the channels pivoted, the periods merged (null: unknown / open).
    per_partner = (
        select(
            table.partner_id.label("partner_id"),
            *(
                func.sum(case((table.channel == channel.value, table.initiatives), else_=0)).label(
                    channel.value
                )
                for channel in CHANNELS
            ),
            *(
                func.sum(case((table.channel == channel.value, count), else_=0)).label(
                    f"{channel.value}_{count.key}"
                )
                for channel in DIRECTED
                for count in (table.outgoing, table.incoming)
            ),
            case((func.count(table.start_date) == func.count(), func.min(table.start_date))).label(
                "start_date"
            ),
            case((func.count(table.end_date) == func.count(), func.max(table.end_date))).label(
                "end_date"
            ),
        )
        .where(*conditions)
        .group_by(table.partner_id)
        .subquery("per_partner")
    )
    threat_lists = _threat_lists(by_threat, by_channels)
    return (
        select(
            Country.id,
            Country.iso3,
            Country.name,
            *(per_partner.c[channel.value] for channel in CHANNELS),
            *(
                per_partner.c[f"{channel.value}_{way}"]
                for channel in DIRECTED
                for way in ("outgoing", "incoming")
            ),
            per_partner.c.start_date,
            per_partner.c.end_date,
            threat_lists.c.threat_ids,
        )
        .join(per_partner, per_partner.c.partner_id == Country.id)
        .outerjoin(threat_lists, threat_lists.c.partner_id == Country.id)
    )


def _threat_lists(by_threat: bool, by_channels: bool) -> Subquery:
    """(partner_id, threat_ids): each partner's threats as "1,4,7", those of all its ties or,
    with a threat filter, those of the ties that address it."""
    pairs: Select[int, int]
    if not by_threat:
        pairs = select(PartnerThreat.partner_id, PartnerThreat.threat_id).where(
            PartnerThreat.country_id == bindparam("country_id")
        )
        if by_channels:
            pairs = pairs.where(PartnerThreat.channel.in_(bindparam("channels", expanding=True)))
    else:
        pairs = select(
            PartnerCoThreat.partner_id, PartnerCoThreat.co_threat_id.label("threat_id")
        ).where(
            PartnerCoThreat.country_id == bindparam("country_id"),
            PartnerCoThreat.threat_id == bindparam("threat_id"),
        )
        if by_channels:
            pairs = pairs.where(PartnerCoThreat.channel.in_(bindparam("channels", expanding=True)))
    distinct_pairs = pairs.distinct().subquery("threat_pairs")
    return (
        select(
            distinct_pairs.c.partner_id,
            func.aggregate_strings(cast(distinct_pairs.c.threat_id, String), ",").label(
                "threat_ids"
            ),
        )
        .group_by(distinct_pairs.c.partner_id)
        .subquery("threat_lists")
    )


def _partners_from_ties(
    session: Session, country_id: int, filters: TieFilters
) -> list[PartnerSummary]:
    """The general path, tie by tie: any filters, including years."""
    conditions = filters.conditions()
    channel_counts: dict[int, dict[TieChannel, int]] = defaultdict(
        lambda: dict.fromkeys(CHANNELS, 0)
    )
    directions: dict[int, dict[TieChannel, Directions]] = defaultdict(dict)
    extents: dict[int, _Extent] = defaultdict(_Extent)
    start: Any = Tie.start_date
    end: Any = Tie.end_date
    statement = select(Tie.partner_id)
    if filters.threat_ids:
        # The years in which the ties address a threat asked for: the links' periods.
        links = INITIATIVE_THREATS
        start, end = link_span(links.c.start_date, links.c.end_date, Tie.start_date, Tie.end_date)
        statement = statement.join(
            links,
            and_(linked_threat(links, filters.window), links.c.threat_id.in_(filters.threat_ids)),
        )
    for (
        partner_id,
        channel,
        initiatives,
        outgoing,
        incoming,
        rows,
        starts,
        earliest,
        ends,
        latest,
    ) in session.execute(
        statement.add_columns(
            Tie.channel,
            func.count(distinct(Tie.initiative_id)),
            directed_initiatives(Tie.country_role),
            directed_initiatives(Tie.partner_role),
            func.count(),
            func.count(start),
            func.min(start),
            func.count(end),
            func.max(end),
        )
        .where(Tie.country_id == country_id, *conditions)
        .group_by(Tie.partner_id, Tie.channel)
    ):
        channel_counts[partner_id][TieChannel(channel)] = initiatives
        if channel in DIRECTED:
            directions[partner_id][TieChannel(channel)] = Directions(outgoing, incoming)
        extents[partner_id].add(rows, starts, earliest, ends, latest)
    if not channel_counts:
        return []
    countries = {
        country.id: country
        for country in session.scalars(select(Country).where(Country.id.in_(channel_counts)))
    }
    threats = _threats_by_partner(session, country_id, conditions, filters.window)
    summaries = []
    for partner_id, channels in channel_counts.items():
        span = extents[partner_id].span()
        summaries.append(
            PartnerSummary(
                partner=countries[partner_id],
                channels=channels,
                threats=threats.get(partner_id, []),
                first_year=span.first_year,
                last_year=span.last_year,
                ongoing=extents[partner_id].known_ends < extents[partner_id].rows,
                directions=directions[partner_id],
            )
        )
    summaries.sort(key=lambda s: (-s.ties, s.partner.name))
    return summaries


# --- the evidence for one pair -------------------------------------------------------------


@dataclass
class PairTie:
    """One initiative two countries share, merged over all the fact rows behind it."""

    channel: TieChannel
    initiative: Any
    span: Span
    certainty: Certainty
    roles: tuple[str, str]
    fact_ids: set[int]
    start_inferred: bool
    threats: list[ThreatCategory] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)


def _merge(rows: list[Tie]) -> dict[tuple[TieChannel, int], PairTie]:
    merged: dict[tuple[TieChannel, int], PairTie] = {}
    for row in rows:
        key = (TieChannel(row.channel), row.initiative_id)
        span = Span(row.start_date, row.end_date)
        tie = merged.get(key)
        if tie is None:
            merged[key] = PairTie(
                channel=key[0],
                initiative=None,
                span=span,
                certainty=row.certainty,
                roles=(row.country_role, row.partner_role),
                fact_ids={row.country_fact_id, row.partner_fact_id},
                start_inferred=row.start_inferred,
            )
            continue
        # Two periods in one initiative (the Quad in 2007-08 and from 2017) are one tie; its
        # start is inferred if the earliest of them starts at a bound.
        if span.start is not None and (tie.span.start is None or span.start < tie.span.start):
            tie.start_inferred = row.start_inferred
        elif span.start == tie.span.start:
            tie.start_inferred = tie.start_inferred or row.start_inferred
        tie.span = tie.span.union(span)
        tie.certainty = most_certain(tie.certainty, row.certainty)
        tie.fact_ids |= {row.country_fact_id, row.partner_fact_id}
    return merged


def _attach_details(
    session: Session, ties: dict[tuple[TieChannel, int], PairTie], window: Span
) -> None:
    links = INITIATIVE_THREATS
    for channel in CHANNELS.values():
        model = channel.initiative
        keyed = {key[1]: tie for key, tie in ties.items() if key[0] is channel.name}
        if not keyed:
            continue
        for initiative in session.scalars(select(model).where(model.id.in_(keyed))):
            keyed[initiative.id].initiative = initiative
        for initiative_id, threat, start, end in session.execute(
            select(links.c.initiative_id, ThreatCategory, links.c.start_date, links.c.end_date)
            .join(ThreatCategory, ThreatCategory.id == links.c.threat_id)
            .where(links.c.channel == channel.name.value, links.c.initiative_id.in_(keyed))
            .order_by(ThreatCategory.slug)
        ):
            # A tie addresses a threat only while the link holds (issue 15).
            tie = keyed[initiative_id]
            shared = tie.span.overlap(window)
            if shared is not None and shared.overlap(Span(start, end)) is not None:
                tie.threats.append(threat)
        column = channel.citation
        fact_ids = {fact_id for tie in keyed.values() for fact_id in tie.fact_ids}
        by_fact: dict[int, list[Citation]] = defaultdict(list)
        for citation in session.scalars(
            select(Citation).where(column.in_(fact_ids)).options(joinedload(Citation.source))
        ):
            by_fact[getattr(citation, column.key)].append(citation)
        for tie in keyed.values():
            unique: dict[tuple[str, str | None], Citation] = {}
            for fact_id in sorted(tie.fact_ids):
                for citation in by_fact[fact_id]:
                    unique.setdefault((citation.source_id, citation.locator), citation)
            tie.citations = list(unique.values())


def ties_between(
    session: Session, country_id: int, partner_id: int, filters: TieFilters
) -> list[PairTie]:
    """Every initiative the two share, with its period, threats and sources, in channel order."""
    rows = session.scalars(
        select(Tie).where(
            Tie.country_id == country_id, Tie.partner_id == partner_id, *filters.conditions()
        )
    ).all()
    ties = _merge(list(rows))
    _attach_details(session, ties, filters.window)
    order = list(CHANNELS)
    return sorted(
        ties.values(),
        key=lambda t: (order.index(t.channel), t.span.start or date.min, t.initiative.id),
    )
