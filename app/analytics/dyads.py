"""Dyad-years: one row per country pair per year, the unit of analysis of COW and ATOP.

By default a pair has a row for a year when at least one initiative they share is active in
it (the panel is sparse: no rows of zeros). A balanced panel (`balanced`) has a row for every
pair of the selected countries in every year of the range in which both exist (and any year
with a tie), and tells a zero from an unknown per channel and year: a count where the
channel's data covers the year (zero: no tie), or where a tie is known; None where the data
does not cover the year and no tie is known (`app.cooperation.coverage`).

The counts are distinct initiatives per channel active that year: organizations both belong
to, exercise editions of that year, agreements in force for both, operations both contribute
to, transfers between them (ordered or delivered that year; `transfers_a_to_b` those
country_a supplied, `transfers_b_to_a` those it received). A tie is active in year Y when its
half-open period
[start, end) meets [Y-01-01, Y+1-01-01); an unknown start counts from the first year asked
for, an open end up to the current year. `threats` are those of the counted initiatives.
`cow_a`/`cow_b` are the COW codes the countries carried that year (for the longest part of
it: DEU is 260 in 1980 and 1990, 255 in 2000), null where they carried none.

A group (`members_of`, `region`) keeps the pair-years whose two countries both belong to it
in that year. A country is a member of an organization in year Y when one of its membership
spells of the roles asked for (full members by default) meets Y, as a tie does: joining on
30 April 1999 makes it a member in 1999, not in 1998; a spell with no start counts from the
organization's founding. Regions have no time: a country is in its region every year.

Rows come in (country_a, country_b, year) order from one statement read in chunks
(`yield_per`; a server-side cursor on PostgreSQL) and grouped pair by pair, so that a CSV of
the whole range streams without holding it in memory; a balanced panel walks its pairs in
the same order beside that stream.
"""

from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import groupby
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from app.analytics.schemas import DyadYearOut
from app.cooperation.channels import DIRECTED
from app.cooperation.coverage import ChannelCoverage, YearCoverage
from app.cooperation.models import Tie, TieChannel
from app.cooperation.queries import INITIATIVE_THREATS, TieFilters, linked_threat
from app.core.memo import LruCache, database_identity
from app.core.pagination import decode_cursor, encode_cursor
from app.core.periods import Span
from app.countries.models import Country
from app.countries.queries import CowCodesByYear, in_region
from app.organizations.models import Membership, MembershipRole, Organization
from app.threats.models import ThreatCategory

MAX_SPAN_YEARS = 100
# Rows of a balanced panel per request (pairs x years, counted before existence bounds):
# every country over about three years: a larger panel streams for longer than a client
# (and a proxy) should wait; ask per region or per decade.
MAX_BALANCED_ROWS = 100_000
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
    balanced: bool = False
    # The group both countries of a pair belong to in the year: members (of the roles; empty:
    # any role) of one of the organizations, in the region (lower case).
    organization_ids: tuple[int, ...] = ()
    roles: tuple[MembershipRole, ...] = ()
    region: str | None = None

    @property
    def years(self) -> range:
        return range(self.year_gte, self.year_lte + 1)


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
    # Initiatives active that year per channel. In a balanced panel: None where the channel's
    # data does not cover the year and no tie is known, and only the channels asked for.
    counts: Mapping[TieChannel, int | None]
    # Each threat the counted initiatives address, with how many of them address it.
    threats: Mapping[str, int]
    # Per directed channel: its initiatives from country_a to country_b, and back (None where
    # its count is).
    directions: Mapping[TieChannel, tuple[int, int] | None]

    @property
    def ties(self) -> int | None:
        """The sum of the counts; unknown when one of them is."""
        counts = [count for count in self.counts.values() if count is not None]
        return sum(counts) if len(counts) == len(self.counts) else None

    def threat_count(self, slug: str) -> int | None:
        """The counted initiatives that address the threat; unknown where none is known and
        `ties` is unknown (a channel the data does not cover may hold one)."""
        count = self.threats.get(slug, 0)
        return count if count or self.ties is not None else None


@dataclass
class _SharedInitiative:
    """One initiative a pair shares: its tie periods (several when membership lapsed and
    resumed) and its threats, gathered from the rows before any year is counted."""

    spans: set[tuple[date | None, date | None]] = field(default_factory=set)
    # Each threat with its link's period: the tie addresses it only while the link holds.
    threats: set[tuple[str, date | None, date | None]] = field(default_factory=set)
    # In a directed channel: the tie points from country_a (its role is the source role).
    from_a: bool = False


# Iterating an enum class is slow enough to show in a download of thousands of rows.
_NO_COUNTS = dict.fromkeys(TieChannel, 0)


@dataclass
class _YearTies:
    counts: dict[TieChannel, int] = field(default_factory=_NO_COUNTS.copy)
    threats: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    directions: dict[TieChannel, list[int]] = field(
        default_factory=lambda: {channel: [0, 0] for channel in DIRECTED}
    )


def _statement(
    filters: DyadFilters,
    group: "Group",
    with_threats: bool,
    after_pair: tuple[str, str] | None,
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
    if group is not None:
        statement = statement.where(Tie.country_id.in_(group), Tie.partner_id.in_(group))
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
        # The years the initiative addresses each threat (several spans and links may meet).
        addressed: dict[str, set[int]] = defaultdict(set)
        for start, end in shared.spans:
            active.update(_active_years(start, end, filters, this_year))
            for slug, link_start, link_end in shared.threats:
                held = Span(start, end).overlap(Span(link_start, link_end))
                if held is not None:
                    addressed[slug].update(_active_years(held.start, held.end, filters, this_year))
        for slug, threat_years in addressed.items():
            for year in threat_years:
                years[year].threats[slug] += 1
        for year in active:
            years[year].counts[channel] += 1
            if channel in DIRECTED:
                years[year].directions[channel][0 if shared.from_a else 1] += 1
    return years


# The countries of a group, each with the years (of those asked for) it belongs to it; None:
# no group asked for (every country, every year).
Group = dict[int, frozenset[int]] | None


def group_of(session: Session, filters: DyadFilters) -> Group:
    """The countries in the region and members of one of the organizations, with their years."""
    if not filters.organization_ids and filters.region is None:
        return None
    found: dict[int, frozenset[int]] = {}
    if filters.organization_ids:
        found = _member_years(session, filters)
    if filters.region is not None:
        in_region_ids = set(session.scalars(select(Country.id).where(in_region(filters.region))))
        if filters.organization_ids:
            found = {key: years for key, years in found.items() if key in in_region_ids}
        else:
            found = dict.fromkeys(in_region_ids, frozenset(filters.years))
    return {country_id: years for country_id, years in found.items() if years}


def _member_years(session: Session, filters: DyadFilters) -> dict[int, frozenset[int]]:
    """The years (of those asked for) each country was a member of one of the organizations,
    in one of the roles: a spell meets the year; a spell with no start counts from the
    organization's founding, an open one up to this year (as a tie does)."""
    spells = (
        select(
            Membership.country_id,
            Membership.start_date,
            Membership.end_date,
            Organization.founded_date,
        )
        .join(Organization, Organization.id == Membership.organization_id)
        .where(Membership.organization_id.in_(filters.organization_ids))
    )
    if filters.roles:
        spells = spells.where(Membership.role.in_(filters.roles))
    this_year = date.today().year
    members: dict[int, set[int]] = defaultdict(set)
    for country_id, start, end, founded in session.execute(spells):
        members[country_id].update(_active_years(start or founded, end, filters, this_year))
    return {country_id: frozenset(years) for country_id, years in members.items()}


def iter_dyad_years(
    session: Session,
    filters: DyadFilters,
    coverage: Mapping[TieChannel, ChannelCoverage],
    *,
    after: tuple[str, str, int] | None = None,
    with_threats: bool = True,
) -> Iterator[DyadYear]:
    """Dyad-years in (country_a, country_b, year) order, after the given key if any; the
    `coverage` of each channel tells a balanced panel's zeros from its unknowns."""
    group = group_of(session, filters)
    if filters.balanced:
        return _balanced_dyad_years(session, filters, group, coverage, after, with_threats)
    return _sparse_dyad_years(session, filters, group, after, with_threats)


def _sparse_dyad_years(
    session: Session,
    filters: DyadFilters,
    group: Group,
    after: tuple[str, str, int] | None,
    with_threats: bool,
) -> Iterator[DyadYear]:
    this_year = date.today().year
    cow_code = CowCodesByYear(session)
    statement = _statement(filters, group, with_threats, after[:2] if after else None)
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
            years = _pair_years(initiatives, filters, this_year)
            for year in sorted(years):
                if after is not None and (a_iso3, b_iso3, year) <= after:
                    continue
                if group is not None and year not in group[first[2]] & group[first[5]]:
                    continue
                ties = years[year]
                yield DyadYear(
                    year,
                    country_a,
                    country_b,
                    cow_code(first[2], year),
                    cow_code(first[5], year),
                    ties.counts,
                    ties.threats,
                    {channel: (a, b) for channel, (a, b) in ties.directions.items()},
                )
    finally:
        result.close()


@dataclass(frozen=True)
class _PanelCountry:
    id: int
    country: DyadCountry
    years: frozenset[int]  # the requested years in which it exists (and belongs to the group)


def _panel_countries(session: Session, filters: DyadFilters, group: Group) -> list[_PanelCountry]:
    """The countries a balanced panel pairs, by ISO3, each with the years it exists in (and
    belongs to the group)."""
    statement = select(
        Country.id,
        Country.iso3,
        Country.name,
        Country.valid_from,
        Country.valid_until,
    ).order_by(Country.iso3)
    if filters.within:
        statement = statement.where(Country.id.in_(filters.country_ids))
    if group is not None:
        statement = statement.where(Country.id.in_(group))
    requested = Span.of_years(filters.year_gte, filters.year_lte)
    countries = []
    for row in session.execute(statement):
        exists = Span(row.valid_from, row.valid_until).overlap(requested)
        years: frozenset[int] = frozenset()
        if exists is not None:
            first = exists.first_year or filters.year_gte
            years = frozenset(range(first, (exists.last_year or 0) + 1))
        if group is not None:
            years &= group[row.id]
        countries.append(_PanelCountry(row.id, DyadCountry(row.iso3, row.name), years))
    return countries


def _panel_pairs(
    countries: list[_PanelCountry], filters: DyadFilters
) -> Iterator[tuple[_PanelCountry, _PanelCountry]]:
    """Every pair of the panel in (country_a, country_b) order: among the countries asked for
    (`within`), with one of them, or of all countries; one order unless directed."""
    chosen = set(filters.country_ids)
    for a in countries:
        for b in countries:
            if a.id == b.id or (not filters.directed and a.country.iso3 > b.country.iso3):
                continue
            if chosen and not filters.within and a.id not in chosen and b.id not in chosen:
                continue
            yield a, b


def _known(count: int, coverage: YearCoverage) -> int | None:
    """A channel's count in a balanced panel: where its data covers the year, zero is zero;
    elsewhere only a tie is known, and no tie is unknown."""
    if coverage is YearCoverage.covered:
        return count
    if coverage is YearCoverage.partial and count > 0:
        return count
    return None


def _both_exist(a: _PanelCountry, b: _PanelCountry) -> frozenset[int]:
    return a.years & b.years


def _balanced_dyad_years(
    session: Session,
    filters: DyadFilters,
    group: Group,
    coverage: Mapping[TieChannel, ChannelCoverage],
    after: tuple[str, str, int] | None,
    with_threats: bool,
) -> Iterator[DyadYear]:
    channels = filters.channels or tuple(TieChannel)
    of_year = {
        year: {channel: coverage[channel].of_year(year) for channel in channels}
        for year in filters.years
    }
    countries = _panel_countries(session, filters, group)
    cow_code = CowCodesByYear(session)
    tied = _sparse_dyad_years(session, filters, group, after, with_threats)
    pending = next(tied, None)
    for a, b in _panel_pairs(countries, filters):
        pair = (a.country.iso3, b.country.iso3)
        if after is not None and pair < after[:2]:
            continue
        found: dict[int, DyadYear] = {}
        while pending is not None and (pending.country_a.iso3, pending.country_b.iso3) <= pair:
            if (pending.country_a.iso3, pending.country_b.iso3) == pair:
                found[pending.year] = pending
            pending = next(tied, None)
        for year in sorted(found.keys() | _both_exist(a, b)):
            if after is not None and (*pair, year) <= after:
                continue
            row = found.get(year)
            tie_counts = row.counts if row else {}
            counts = {
                channel: _known(tie_counts.get(channel) or 0, of_year[year][channel])
                for channel in channels
            }
            directions = {
                channel: (row.directions.get(channel) if row else None) or (0, 0)
                for channel in DIRECTED
                if counts.get(channel) is not None
            }
            threats = row.threats if row else {}
            yield DyadYear(
                year,
                a.country,
                b.country,
                cow_code(a.id, year),
                cow_code(b.id, year),
                counts,
                threats,
                directions,
            )


def panel_rows(session: Session, filters: DyadFilters) -> int:
    """The rows of a balanced panel at most: its pairs x its years (before the years in
    which a country did not exist, or was not in the group, are left out), which the size
    limit is checked against."""
    group = group_of(session, filters)
    chosen_ids = set(filters.country_ids)
    if group is None:
        everyone = session.scalar(select(func.count()).select_from(Country)) or 0
    else:
        everyone, chosen_ids = len(group), chosen_ids & group.keys()
    chosen = len(chosen_ids)
    if filters.within:
        pairs = chosen * (chosen - 1) // 2
    elif filters.country_ids:
        pairs = chosen * (everyone - chosen) + chosen * (chosen - 1) // 2
    else:
        pairs = everyone * (everyone - 1) // 2
    return pairs * (2 if filters.directed else 1) * len(filters.years)


_counts: LruCache[tuple[str, int, DyadFilters], int] = LruCache(_COUNT_CACHE_SIZE)


def _count_balanced(session: Session, filters: DyadFilters) -> int:
    """A balanced panel's rows without making them: the years both countries of each pair
    exist, plus the pair-years with a tie outside them (the sparse pass, without threats)."""
    group = group_of(session, filters)
    countries = _panel_countries(session, filters, group)
    total = sum(len(_both_exist(a, b)) for a, b in _panel_pairs(countries, filters))
    by_iso3 = {country.country.iso3: country for country in countries}
    for row in _sparse_dyad_years(session, filters, group, None, with_threats=False):
        a, b = by_iso3[row.country_a.iso3], by_iso3[row.country_b.iso3]
        total += row.year not in _both_exist(a, b)
    return total


def count_dyad_years(session: Session, data_version: int, filters: DyadFilters) -> int:
    """The number of rows, counted once per data version (a pass without threats; for a
    balanced panel, only over its pair-years with a tie)."""
    key = (database_identity(session), data_version, filters)

    def count() -> int:
        if filters.balanced:
            return _count_balanced(session, filters)
        group = group_of(session, filters)
        sparse = _sparse_dyad_years(session, filters, group, None, with_threats=False)
        return sum(1 for _ in sparse)

    return _counts.get_or_build(key, count)


def dyad_page(
    session: Session,
    filters: DyadFilters,
    coverage: Mapping[TieChannel, ChannelCoverage],
    cursor: str | None,
    limit: int,
) -> tuple[list[DyadYear], str | None]:
    after = tuple(decode_cursor(cursor, (str, str, int))) if cursor else None
    rows = []
    for row in iter_dyad_years(session, filters, coverage, after=after):
        rows.append(row)
        if len(rows) > limit:
            break
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        next_cursor = encode_cursor([last.country_a.iso3, last.country_b.iso3, last.year])
    return rows[:limit], next_cursor


# The channels of the published columns, in their order (`organizations`, `exercises`...).
DYAD_CHANNELS = (
    TieChannel.organization,
    TieChannel.exercise,
    TieChannel.agreement,
    TieChannel.operation,
    TieChannel.transfer,
)


def threat_column(slug: str) -> str:
    """`armed-conflict` -> `threat_armed_conflict`: a name pandas, R and Gephi accept."""
    return "threat_" + slug.replace("-", "_")


def csv_header(threat_slugs: list[str]) -> list[str]:
    """The columns: the JSON row's fields, in its order (`csv_row` writes them so); with
    `threat_slugs`, one per threat after the joined `threats`."""
    return [*DyadYearOut.model_fields, *(threat_column(slug) for slug in threat_slugs)]


def csv_row(row: DyadYear, threat_slugs: list[str]) -> list[Any]:
    """An unknown (None: no COW code, a count the data cannot tell) is an empty cell, which
    pandas and R read as missing."""
    values = [
        row.year,
        row.country_a.iso3,
        row.country_b.iso3,
        row.cow_a if row.cow_a is not None else "",
        row.cow_b if row.cow_b is not None else "",
        *(row.counts.get(channel) for channel in DYAD_CHANNELS),
        *(row.directions.get(TieChannel.transfer) or (None, None)),
        row.ties,
        ";".join(sorted(row.threats)),
        *(row.threat_count(slug) for slug in threat_slugs),
    ]
    return ["" if value is None else value for value in values]
