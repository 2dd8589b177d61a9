"""Reads over the ties table: a country's partners, and the evidence for a pair.

What a tie is, and how the table is kept in step with the facts: `derivation.py`.
"""

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    Subquery,
    Table,
    and_,
    bindparam,
    case,
    cast,
    distinct,
    exists,
    func,
    literal,
    not_,
    or_,
    select,
    tuple_,
    union_all,
)
from sqlalchemy.orm import Session, joinedload

from app.agreements.models import Agreement, agreement_threats
from app.agreements.queries import transfers_technology
from app.alliances.models import AllianceMember, Obligation
from app.alliances.queries import holds_obligation
from app.cooperation.channels import CHANNELS, DIRECTED
from app.cooperation.derivation import directed_initiatives, most_certain, year_range
from app.cooperation.models import PartnerChannel, PartnerCoThreat, PartnerThreat, Tie, TieChannel
from app.cooperation.ties import link_applies, link_span
from app.core.periods import Span
from app.countries.models import Country
from app.exercises.models import ExerciseEdition, ExerciseSeries, edition_threats
from app.operations.models import Operation, operation_threats
from app.organizations.models import Organization, organization_threats
from app.sources.models import Certainty, Citation, Source
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


# The fact column an alliance member row stands behind, per channel that carries alliances.
_ALLIANCE_FACTS = {
    TieChannel.agreement: AllianceMember.party_id,
    TieChannel.organization: AllianceMember.membership_id,
}


def _under_obligation(obligations: list[Obligation], window: Span) -> ColumnElement[bool]:
    """The tie's alliance binds either country of the pair to one of the obligations (as in
    ATOP's dyadic data: a defense pact links a pair when either member promises defense),
    during the tie and the window: an obligation holds for the member spell ATOP codes it in
    (the Manila Pact's curated record has no end; ATOP's obligations end in 1977)."""
    facts = (Tie.country_fact_id, Tie.partner_fact_id)
    member = AllianceMember
    return exists(
        select(1)
        .select_from(member)
        .where(
            holds_obligation(obligations),
            link_applies(
                member.start_date,
                member.end_date,
                (Tie.start_date, window.start),
                (Tie.end_date, window.end),
            ),
            or_(
                *(
                    and_(Tie.channel == channel, column.in_(facts))
                    for channel, column in _ALLIANCE_FACTS.items()
                )
            ),
        )
        .correlate(Tie)
    )


# The channels whose ties can move technology (`_transfers_technology`).
_TECHNOLOGY_CHANNELS = (TieChannel.agreement, TieChannel.transfer)


def _transfers_technology() -> ColumnElement[bool]:
    """A tie that moves technology in the seed article's sense: an arms transfer, or an
    agreement that transfers technology (as `/v1/agreements?technology_transfer=true` says)."""
    return or_(
        Tie.channel == TieChannel.transfer,
        and_(
            Tie.channel == TieChannel.agreement,
            Tie.initiative_id.in_(select(Agreement.id).where(transfers_technology())),
        ),
    )


@dataclass
class TieFilters:
    threat_ids: list[int] = field(default_factory=list)
    channels: list[TieChannel] = field(default_factory=list)
    obligations: list[Obligation] = field(default_factory=list)
    technology_transfer: bool | None = None  # None: either
    year: int | None = None
    year_gte: int | None = None
    year_lte: int | None = None
    as_of: date | None = None  # one day (not with the years)

    @property
    def channels_returned(self) -> list[TieChannel]:
        """The channels whose ties these filters can return, in the API's order (empty: every
        channel), for `meta.coverage`: technology transfer is in agreements and transfers
        alone, and not in transfers at all when excluded. Where no channel is left, the
        channels asked for (the answer is empty either way)."""
        if self.technology_transfer is None:
            return self.channels
        possible = (
            set(_TECHNOLOGY_CHANNELS)
            if self.technology_transfer
            else set(TieChannel) - {TieChannel.transfer}
        )
        returned = [channel for channel in self.channels or list(TieChannel) if channel in possible]
        return returned or self.channels

    @property
    def years(self) -> tuple[int | None, int | None]:
        """The first and last year asked about (None: open)."""
        if self.year is not None:
            return self.year, self.year
        return self.year_gte, self.year_lte

    @property
    def window(self) -> Span:
        if self.as_of is not None:
            return Span.of_day(self.as_of)
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
        if self.obligations:
            conditions.append(_under_obligation(self.obligations, window))
        if self.technology_transfer is not None:
            transfer = _transfers_technology()
            conditions.append(transfer if self.technology_transfer else not_(transfer))
        if self.threat_ids:
            conditions.append(_addresses_threat(self.threat_ids, window))
        return [*conditions, *window.met_by(Tie.start_date, Tie.end_date)]


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
    # Distinct years with an active tie (`count_tie_years`).
    tie_years: int = 0
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


def count_tie_years(ranges: Iterable[str], window: Span, this_year: int) -> int:
    """The distinct years in which at least one tie is active, from year ranges as the
    aggregates keep them ("first-last", `derivation.year_range`), within the window if any.

    An ongoing tie counts up to `this_year` (the current year: it is active now, whatever a
    dataset covers); a tie whose start is unknown counts only its last year (the years before
    are unknown, not absent).
    """
    years: set[int] = set()
    for text in ranges:
        first_text, _, last_text = text.partition("-")
        last = int(last_text) if last_text else this_year
        first = int(first_text) if first_text else last
        if window.first_year is not None:
            first = max(first, window.first_year)
        if window.last_year is not None:
            last = min(last, window.last_year)
        years.update(range(first, last + 1))
    return len(years)


class PartnerSort(StrEnum):
    """The orders of a list of partners; `-` descending. Equal keys go by name."""

    ties_desc = "-ties"
    ties = "ties"
    tie_years_desc = "-tie_years"
    tie_years = "tie_years"
    first_year = "first_year"
    first_year_desc = "-first_year"
    last_year = "last_year"
    last_year_desc = "-last_year"
    name = "name"
    name_desc = "-name"


def _sort_values(summary: PartnerSummary, sort: PartnerSort) -> list[int]:
    """The numeric key of an order, ascending: an unknown first year as the earliest, an
    ongoing partnership's last year as the latest."""
    field = sort.value.lstrip("-")
    if field == "ties":
        return [summary.ties]
    if field == "tie_years":
        return [summary.tie_years]
    if field == "first_year":
        return [int(summary.first_year is not None), summary.first_year or 0]
    if field == "last_year":
        return [int(summary.ongoing), summary.last_year or 0]
    return []


def partner_sort_key(sort: PartnerSort) -> Callable[[PartnerSummary], list[Any]]:
    """The key that orders partners by `sort` (plain values: it is also the page cursor)."""
    sign = -1 if sort.value.startswith("-") else 1

    def key(summary: PartnerSummary) -> list[Any]:
        values: list[Any] = [sign * value for value in _sort_values(summary, sort)]
        if sort is PartnerSort.name_desc:
            # Descending text: the code points negated, then 0 so that "Niger" comes after
            # "Nigeria"; a key of plain values, as the cursor carries it.
            return [[*(-ord(c) for c in summary.partner.name), 0], summary.partner.iso3]
        return [*values, summary.partner.name, summary.partner.iso3]

    return key


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


def partners_of(
    session: Session,
    country_id: int,
    filters: TieFilters,
    sort: PartnerSort = PartnerSort.ties_desc,
) -> list[PartnerSummary]:
    """Partners in the order `sort` asks for.

    Read from the per-pair aggregates unless the filters need the ties themselves: a year
    window (it selects ties, not pairs) or several threats (an initiative addressing two of
    them must count once).
    """
    windowed = filters.window != Span(None, None)
    # The aggregates know channels, not alliances' obligations nor agreements' categories,
    # and count an initiative addressing two threats twice.
    if (
        windowed
        or filters.obligations
        or filters.technology_transfer is not None
        or len(set(filters.threat_ids)) > 1
    ):
        summaries = _partners_from_ties(session, country_id, filters)
    else:
        summaries = _partners_from_aggregates(session, country_id, filters)
    summaries.sort(key=partner_sort_key(sort))
    return summaries


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
    this_year = date.today().year
    for country_id, iso3, name, *counts, start, end, years, threat_ids in rows:
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
                tie_years=count_tie_years(years.split(","), Span(None, None), this_year),
                directions={c: d for c, d in directions.items() if channels[c]},
            )
        )
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
            func.aggregate_strings(table.years, ",").label("years"),
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
            per_partner.c.years,
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
    statement = statement.where(Tie.country_id == country_id, *conditions)
    span_text = year_range(start, end)
    ranges: dict[int, list[str]] = defaultdict(list)
    for partner_id, text in session.execute(
        statement.add_columns(span_text).group_by(Tie.partner_id, span_text)
    ):
        ranges[partner_id].append(text)
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
        ).group_by(Tie.partner_id, Tie.channel)
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
    this_year = date.today().year
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
                tie_years=count_tie_years(ranges[partner_id], filters.window, this_year),
                directions=directions[partner_id],
            )
        )
    return summaries


@dataclass
class CommonPartner:
    """A partner that every queried country has, with each one's ties with it."""

    partner: Country | CountryName
    sides: dict[str, PartnerSummary]  # by the queried country's ISO3, in the query's order

    @property
    def ties(self) -> int:
        return sum(side.ties for side in self.sides.values())


def common_partners(
    session: Session, countries: Sequence[Country], filters: TieFilters
) -> list[CommonPartner]:
    """The partners shared by all `countries` (none of them), most ties in all first, then by
    name: each country's partners read as the partners list reads them, then intersected."""
    by_country = {
        country.iso3: {s.partner.id: s for s in partners_of(session, country.id, filters)}
        for country in countries
    }
    shared = set.intersection(*(set(found) for found in by_country.values()))
    shared -= {country.id for country in countries}
    first = next(iter(by_country.values()))
    common = [
        CommonPartner(
            first[partner_id].partner,
            {iso3: found[partner_id] for iso3, found in by_country.items()},
        )
        for partner_id in shared
    ]
    common.sort(key=common_sort_key)
    return common


def common_sort_key(shared: CommonPartner) -> list[Any]:
    return [-shared.ties, shared.partner.name, shared.partner.iso3]


# --- the evidence for one pair -------------------------------------------------------------


@dataclass
class PairTie:
    """One initiative two countries share, merged over all the fact rows behind it."""

    channel: TieChannel
    initiative_id: int
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
                initiative_id=row.initiative_id,
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


def _attach_details(session: Session, ties: Sequence[PairTie], window: Span) -> None:
    """Each tie's initiative, the threats it addresses in the window, and its sources: a
    few queries per channel, whatever the number of ties (of one pair or of many)."""
    links = INITIATIVE_THREATS
    for channel in CHANNELS.values():
        keyed: dict[int, list[PairTie]] = defaultdict(list)
        for tie in ties:
            if tie.channel is channel.name:
                keyed[tie.initiative_id].append(tie)
        if not keyed:
            continue
        model = channel.initiative
        for initiative in session.scalars(select(model).where(model.id.in_(keyed))):
            for tie in keyed[initiative.id]:
                tie.initiative = initiative
        for initiative_id, threat, start, end in session.execute(
            select(links.c.initiative_id, ThreatCategory, links.c.start_date, links.c.end_date)
            .join(ThreatCategory, ThreatCategory.id == links.c.threat_id)
            .where(links.c.channel == channel.name.value, links.c.initiative_id.in_(keyed))
            .order_by(ThreatCategory.slug)
        ):
            # A tie addresses a threat only while the link holds (issue 15).
            for tie in keyed[initiative_id]:
                shared = tie.span.overlap(window)
                if shared is not None and shared.overlap(Span(start, end)) is not None:
                    tie.threats.append(threat)
        column = channel.citation
        fact_ids = {fact_id for same in keyed.values() for tie in same for fact_id in tie.fact_ids}
        by_fact: dict[int, list[Citation]] = defaultdict(list)
        for citation in session.scalars(
            select(Citation).where(column.in_(fact_ids)).options(joinedload(Citation.source))
        ):
            by_fact[getattr(citation, column.key)].append(citation)
        for same in keyed.values():
            for tie in same:
                unique: dict[tuple[str, str | None], Citation] = {}
                for fact_id in sorted(tie.fact_ids):
                    for citation in by_fact[fact_id]:
                        unique.setdefault((citation.source_id, citation.locator), citation)
                tie.citations = list(unique.values())


Pair = tuple[int, int]


def ties_of_pairs(
    session: Session, pairs: Collection[Pair], filters: TieFilters
) -> dict[Pair, list[PairTie]]:
    """Every initiative each (country, partner) pair shares, with its period, threats and
    sources, in channel order; one read of the ties for all the pairs."""
    if not pairs:
        return {}
    rows: dict[Pair, list[Tie]] = defaultdict(list)
    for row in session.scalars(
        select(Tie).where(
            tuple_(Tie.country_id, Tie.partner_id).in_(sorted(pairs)), *filters.conditions()
        )
    ):
        rows[(row.country_id, row.partner_id)].append(row)
    merged = {pair: _merge(pair_rows) for pair, pair_rows in rows.items()}
    _attach_details(
        session, [tie for ties in merged.values() for tie in ties.values()], filters.window
    )
    order = list(CHANNELS)
    return {
        pair: sorted(
            ties.values(),
            key=lambda t: (order.index(t.channel), t.span.start or date.min, t.initiative.id),
        )
        for pair, ties in merged.items()
    }


def ties_between(
    session: Session, country_id: int, partner_id: int, filters: TieFilters
) -> list[PairTie]:
    """Every initiative the two share, with its period, threats and sources, in channel order."""
    pair = (country_id, partner_id)
    return ties_of_pairs(session, [pair], filters).get(pair, [])


@dataclass
class Linked:
    """An initiative linked to a threat: its slug and name, the link's period and source,
    and, for an exercise edition, its year."""

    slug: str
    name: str
    link: Any  # a row with the link's start and end (with precisions) and locator
    source: Source | None
    year: int | None = None


def _link_columns(table: Table) -> list[Any]:
    return [
        table.c.start_date,
        table.c.start_precision,
        table.c.end_date,
        table.c.end_precision,
        table.c.locator,
        Source,
    ]


def initiatives_addressing(session: Session, threat_id: int) -> dict[str, list[Linked]]:
    """The initiatives linked to the threat, per kind of initiative, by slug, each with the
    link's period and source; for exercises, each linked edition (with its year) under its
    series' slug and name."""

    def linked(model: Any, table: Table, owner: str) -> list[Linked]:
        rows = session.execute(
            select(model.slug, model.name, *_link_columns(table))
            .join(table, table.c[owner] == model.id)
            .outerjoin(Source, Source.id == table.c.source_id)
            .where(table.c.threat_id == threat_id)
            .order_by(model.slug)
        )
        return [Linked(row[0], row[1], row, row.Source) for row in rows]

    editions = session.execute(
        select(ExerciseSeries.slug, ExerciseSeries.name, *_link_columns(edition_threats))
        .add_columns(ExerciseEdition.year)
        .join(ExerciseEdition, ExerciseEdition.series_id == ExerciseSeries.id)
        .join(edition_threats, edition_threats.c.edition_id == ExerciseEdition.id)
        .outerjoin(Source, Source.id == edition_threats.c.source_id)
        .where(edition_threats.c.threat_id == threat_id)
        .order_by(ExerciseSeries.slug, ExerciseEdition.year)
    )
    return {
        "organizations": linked(Organization, organization_threats, "organization_id"),
        "exercises": [Linked(row[0], row[1], row, row.Source, row.year) for row in editions],
        "agreements": linked(Agreement, agreement_threats, "agreement_id"),
        "operations": linked(Operation, operation_threats, "operation_id"),
    }
