"""Dyad-years: one row per country pair per year, the unit of analysis of COW and ATOP.

A pair has a row for a year when at least one initiative they share is active in it (the
panel is sparse: no rows of zeros). The counts are distinct initiatives per channel active
that year: organizations both belong to, exercise editions of that year, agreements in force
for both, operations both contribute to, transfers between them (ordered or delivered that
year; `transfers_a_to_b` those country_a supplied, `transfers_b_to_a` those it received). A tie
is active in year Y when its half-open period [start, end) meets [Y-01-01, Y+1-01-01); an
unknown start counts from the first year asked for, an open end up to the current year.
`threats` are those of the counted initiatives. `cow_a`/`cow_b` are the COW codes the countries
carried that year (for the longest part of it: DEU is 260 in 1980 and 1990, 255 in 2000), null
where they carried none.

Rows come in (country_a, country_b, year) order from one statement read in chunks
(`yield_per`; a server-side cursor on PostgreSQL) and grouped pair by pair, so that a CSV of
the whole range streams without holding it in memory.
"""

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import groupby
from typing import Any

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session, aliased

from app.analytics.graph import LruCache, database_identity
from app.cooperation.channels import DIRECTED
from app.cooperation.models import Tie, TieChannel
from app.cooperation.queries import INITIATIVE_THREATS, TieFilters, linked_threat
from app.core.pagination import decode_cursor, encode_cursor
from app.core.periods import Span, held_longest_in
from app.countries.models import Country
from app.countries.queries import cow_codes_by_country
from app.threats.models import ThreatCategory

MAX_SPAN_YEARS = 100
_CHUNK = 2_000
_COUNT_CACHE_SIZE = 64


@dataclass(frozen=True)
class DyadFilters:
    year_gte: int
    year_lte: int
    country_ids: tuple[int, ...] = ()
    # True: both countries of a pair among country_ids; False: at least one.
    within: bool = False
    channels: tuple[TieChannel, ...] = ()
    threat_ids: tuple[int, ...] = ()
    directed: bool = False


@dataclass(frozen=True)
class DyadCountry:
    iso3: str
    name: str


@dataclass
class DyadYear:
    year: int
    country_a: DyadCountry
    country_b: DyadCountry
    cow_a: int | None
    cow_b: int | None
    counts: dict[TieChannel, int]
    threats: list[str]
    # Per directed channel: its initiatives from country_a to country_b, and back.
    directions: dict[TieChannel, tuple[int, int]]

    @property
    def ties(self) -> int:
        return sum(self.counts.values())


@dataclass
class _SharedInitiative:
    """One initiative a pair shares: its tie periods (several when membership lapsed and
    resumed) and its threats, gathered from the rows before any year is counted."""

    spans: set[tuple[date | None, date | None]] = field(default_factory=set)
    # Each threat with its link's period: the tie addresses it only while the link holds.
    threats: set[tuple[str, date | None, date | None]] = field(default_factory=set)
    # In a directed channel: the tie points from country_a (its role is the source role).
    from_a: bool = False


@dataclass
class _YearTies:
    counts: dict[TieChannel, int] = field(default_factory=lambda: dict.fromkeys(TieChannel, 0))
    threats: set[str] = field(default_factory=set)
    directions: dict[TieChannel, list[int]] = field(
        default_factory=lambda: {channel: [0, 0] for channel in DIRECTED}
    )


def _statement(
    filters: DyadFilters, with_threats: bool, after_pair: tuple[str, str] | None
) -> Select[Any]:
    a, b = aliased(Country), aliased(Country)
    links = INITIATIVE_THREATS
    columns: list[Any] = [
        a.iso3,
        a.name,
        a.id,
        b.iso3,
        b.name,
        b.id,
        Tie.channel,
        Tie.initiative_id,
        Tie.start_date,
        Tie.end_date,
        Tie.country_role,
    ]
    if with_threats:
        columns += [ThreatCategory.slug, links.c.start_date, links.c.end_date]
    conditions = TieFilters(
        threat_ids=list(filters.threat_ids),
        channels=list(filters.channels),
        year_gte=filters.year_gte,
        year_lte=filters.year_lte,
    ).conditions()
    statement = (
        select(*columns)
        .join(a, a.id == Tie.country_id)
        .join(b, b.id == Tie.partner_id)
        .where(*conditions)
    )
    if with_threats:
        statement = statement.outerjoin(
            links, linked_threat(links, Span.of_years(filters.year_gte, filters.year_lte))
        ).outerjoin(ThreatCategory, ThreatCategory.id == links.c.threat_id)
    if not filters.directed:
        # Ties are stored in both directions: keep the one with the lower ISO3 first.
        statement = statement.where(a.iso3 < b.iso3)
    if filters.country_ids:
        mine = Tie.country_id.in_(filters.country_ids)
        theirs = Tie.partner_id.in_(filters.country_ids)
        statement = statement.where(and_(mine, theirs) if filters.within else or_(mine, theirs))
    if after_pair is not None:
        statement = statement.where(
            or_(a.iso3 > after_pair[0], and_(a.iso3 == after_pair[0], b.iso3 >= after_pair[1]))
        )
    # No DISTINCT: repeated rows fold into the sets below, and sorting once is cheaper.
    return statement.order_by(a.iso3, b.iso3)


def _active_years(
    start: date | None, end: date | None, filters: DyadFilters, this_year: int
) -> range:
    """The years of [start, end) within the requested range; an unknown start counts from
    its first year, an open end up to this year."""
    first = filters.year_gte if start is None else max(filters.year_gte, start.year)
    if end is None:
        last = min(filters.year_lte, this_year)
    else:
        last = min(filters.year_lte, (end - timedelta(days=1)).year)
    return range(first, last + 1)


def _pair_years(
    initiatives: dict[tuple[TieChannel, int], _SharedInitiative],
    filters: DyadFilters,
    this_year: int,
) -> dict[int, _YearTies]:
    years: dict[int, _YearTies] = defaultdict(_YearTies)
    for (channel, _initiative_id), shared in initiatives.items():
        active: set[int] = set()
        for start, end in shared.spans:
            active.update(_active_years(start, end, filters, this_year))
            for slug, link_start, link_end in shared.threats:
                held = Span(start, end).overlap(Span(link_start, link_end))
                if held is not None:
                    for year in _active_years(held.start, held.end, filters, this_year):
                        years[year].threats.add(slug)
        for year in active:
            years[year].counts[channel] += 1
            if channel in DIRECTED:
                years[year].directions[channel][0 if shared.from_a else 1] += 1
    return years


def iter_dyad_years(
    session: Session,
    filters: DyadFilters,
    *,
    after: tuple[str, str, int] | None = None,
    with_threats: bool = True,
) -> Iterator[DyadYear]:
    """Dyad-years in (country_a, country_b, year) order, after the given key if any."""
    this_year = date.today().year
    cow_codes = cow_codes_by_country(session)
    statement = _statement(filters, with_threats, after[:2] if after else None)
    result = session.execute(statement, execution_options={"yield_per": _CHUNK})
    try:
        for (a_iso3, b_iso3), rows in groupby(result, key=lambda row: (row[0], row[3])):
            first = None
            initiatives: dict[tuple[TieChannel, int], _SharedInitiative] = defaultdict(
                _SharedInitiative
            )
            for row in rows:
                first = first or row
                # The rows repeat a tie once per threat of its initiative, and a tie per
                # pair of fact rows: the sets fold them.
                shared = initiatives[(row[6], row[7])]
                shared.spans.add((row[8], row[9]))
                shared.from_a = row[10] == DIRECTED.get(row[6])
                if with_threats and row[11] is not None:
                    shared.threats.add((row[11], row[12], row[13]))
            assert first is not None
            country_a, country_b = DyadCountry(*first[0:2]), DyadCountry(*first[3:5])
            codes_a, codes_b = cow_codes.get(first[2], []), cow_codes.get(first[5], [])
            years = _pair_years(initiatives, filters, this_year)
            for year in sorted(years):
                if after is not None and (a_iso3, b_iso3, year) <= after:
                    continue
                ties = years[year]
                yield DyadYear(
                    year,
                    country_a,
                    country_b,
                    held_longest_in(codes_a, year),
                    held_longest_in(codes_b, year),
                    ties.counts,
                    sorted(ties.threats),
                    {channel: (a, b) for channel, (a, b) in ties.directions.items()},
                )
    finally:
        result.close()


_counts: LruCache[tuple[str, int, DyadFilters], int] = LruCache(_COUNT_CACHE_SIZE)


def count_dyad_years(session: Session, data_version: int, filters: DyadFilters) -> int:
    """The number of rows, counted once per data version (a full pass, without threats)."""
    key = (database_identity(session), data_version, filters)
    return _counts.get_or_build(
        key, lambda: sum(1 for _ in iter_dyad_years(session, filters, with_threats=False))
    )


def dyad_page(
    session: Session, filters: DyadFilters, cursor: str | None, limit: int
) -> tuple[list[DyadYear], str | None]:
    after = tuple(decode_cursor(cursor, (str, str, int))) if cursor else None
    rows = []
    for row in iter_dyad_years(session, filters, after=after):
        rows.append(row)
        if len(rows) > limit:
            break
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        next_cursor = encode_cursor([last.country_a.iso3, last.country_b.iso3, last.year])
    return rows[:limit], next_cursor


def csv_header() -> list[str]:
    return [
        "year",
        "country_a",
        "country_b",
        "cow_a",
        "cow_b",
        "organizations",
        "exercises",
        "agreements",
        "operations",
        "transfers",
        "transfers_a_to_b",
        "transfers_b_to_a",
        "ties",
        "threats",
    ]


def csv_row(row: DyadYear) -> list[Any]:
    return [
        row.year,
        row.country_a.iso3,
        row.country_b.iso3,
        row.cow_a if row.cow_a is not None else "",
        row.cow_b if row.cow_b is not None else "",
        row.counts[TieChannel.organization],
        row.counts[TieChannel.exercise],
        row.counts[TieChannel.agreement],
        row.counts[TieChannel.operation],
        row.counts[TieChannel.transfer],
        *row.directions[TieChannel.transfer],
        row.ties,
        ";".join(row.threats),
    ]
