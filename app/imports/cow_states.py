"""The COW State System Membership list (v2016): which country carried which COW code, when.

Each row of `states2016.csv` is one spell of one state in the state system (a state can have
several: Germany 255 from 1816 to 1945 and from 1990). The seed turns the spells into dated
codes of defcoop's countries (`CowCodePeriod`), by these rules:

- A spell belongs to the country whose `cow_code` (its current or last code) is the spell's
  code, or, for an earlier code of a country (`earlier_codes` in seed/data/countries.yaml:
  260 German Federal Republic and 678 Yemen Arab Republic), to that country. defcoop's DEU
  continues the Federal Republic (as MME's "Federal Republic of Germany" and NATO's record
  do), so DEU carries 255 until 1945-05-08, 260 from 1955-05-05 to 1990-10-02 and 255 again
  from 1990-10-03; the GDR (DDR) carries 265. YEM continues the Yemen Arab Republic (its ISO
  codes were the YAR's), so it carries 678 until 1990-05-21 and 679 from 1990-05-22.
- A code several countries carry is split by their validity: each country with a validity
  (a state that ceased to exist) takes the part of the spell within it, the one without (the
  country of today) the rest. COW 365 is Russia until 1922-12-29, the Soviet Union (SUN) from
  1922-12-30 to 1991-12-25 and Russia from 1991-12-26; 345 is Serbia until 1918-11-30,
  Yugoslavia (YUG) to 2003-02-03, Serbia and Montenegro (SCG) to 2006-06-04, Serbia (SRB)
  after. Czechoslovakia (CSK) carries 315, the Czech Republic (CZE) 316.
- A spell is cut to its country's validity where defcoop's curated validity is shorter (South
  Vietnam: COW from 1954-06-04, defcoop's RVN from 1955-10-26); the period's note says so.
- A state defcoop has no country for (the German states before 1871, the Italian states
  before 1861, Austria-Hungary, Zanzibar, Korea 1887-1905) becomes a `historical` country
  valid over its spells, with a made-up code in ISO 3166's user-assigned X range that no ISO
  country can take: "X" + the first and last letters of its COW abbreviation (Bavaria BAV is
  XBV, Austria-Hungary AUH is XAH). A code that would collide stops the seed.
- Dates: the list's end dates are the last day in the system; a period stores the day after
  (half-open, like every period of defcoop). An end of 2016-12-31 in the v2016 list means
  "still in the system when the list was made": the period stays open.

Every row becomes at least one period, or the seed stops: no row is left out.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from app.core.periods import Span
from app.imports.reading import read_csv_rows
from app.imports.report import ImportFailed

_COLUMNS = (
    "ccode", "stateabb", "statenme", "styear", "stmonth", "stday",
    "endyear", "endmonth", "endday", "version",
)  # fmt: skip


@dataclass(frozen=True)
class StateSpell:
    """One row: a state's time in the system, as a half-open span (end None: ongoing)."""

    code: int
    abbreviation: str
    name: str
    span: Span
    locator: str

    @property
    def start(self) -> date:
        assert self.span.start is not None  # every spell has a start
        return self.span.start


@dataclass(frozen=True)
class Holder:
    """A defcoop country as the assignment sees it."""

    iso3: str
    cow_code: int | None
    valid_from: date | None
    valid_until: date | None

    @property
    def validity(self) -> Span:
        return Span(self.valid_from, self.valid_until)

    @property
    def dated(self) -> bool:
        return self.valid_from is not None or self.valid_until is not None


@dataclass(frozen=True)
class HistoricalState:
    """A COW state that defcoop has no country for: a historical country to create."""

    iso3: str
    cow_code: int
    name: str
    valid_from: date
    valid_until: date | None
    note: str


@dataclass(frozen=True)
class CodePeriod:
    iso3: str
    cow_code: int
    valid_from: date | None
    valid_until: date | None
    locator: str
    note: str | None


@dataclass(frozen=True)
class Assignment:
    historical: list[HistoricalState]
    periods: list[CodePeriod]


def read_states(path: Path) -> list[StateSpell]:
    """Every row of the file as a spell; ImportFailed (naming each bad row) if any is not."""
    spells, problems = [], []
    for line, row in enumerate(read_csv_rows(path, _COLUMNS, "the COW state list"), start=2):
        try:
            spells.append(_spell(line, row))
        except ValueError as error:
            problems.append(f"line {line}: {error}")
    if problems:
        raise ImportFailed(f"{path.name}: " + "; ".join(problems))
    return spells


def _spell(line: int, row: Mapping[str, str]) -> StateSpell:
    code = int(row["ccode"])
    start = date(int(row["styear"]), int(row["stmonth"]), int(row["stday"]))
    last_day = date(int(row["endyear"]), int(row["endmonth"]), int(row["endday"]))
    # The list's last day stands for "still a member" (right-censored), not an end.
    ongoing = last_day == date(int(row["version"]), 12, 31)
    end = None if ongoing else last_day + timedelta(days=1)
    if end is not None and end <= start:
        raise ValueError(f"ends ({last_day}) before it starts ({start})")
    abbreviation = row["stateabb"].strip()
    return StateSpell(
        code=code,
        abbreviation=abbreviation,
        name=row["statenme"].strip(),
        span=Span(start, end),
        locator=f"line {line}: {code} {abbreviation} from {start.isoformat()}",
    )


def historical_code(abbreviation: str) -> str:
    """The made-up alpha-3 code of a COW state defcoop has no country for (module docstring)."""
    return f"X{abbreviation[0]}{abbreviation[-1]}".upper()


def assign(
    spells: Sequence[StateSpell], holders: Iterable[Holder], earlier_codes: Mapping[int, str]
) -> Assignment:
    """Each spell's periods, and the historical countries to create for the states without a
    country; ImportFailed when a spell cannot be placed (it would be left out)."""
    holders = list(holders)
    by_iso3 = {holder.iso3: holder for holder in holders}
    by_code: dict[int, list[Holder]] = {}
    for holder in holders:
        if holder.cow_code is not None:
            by_code.setdefault(holder.cow_code, []).append(holder)
    for code, iso3 in earlier_codes.items():
        if iso3 not in by_iso3:
            raise ImportFailed(f"earlier COW code {code} names an unknown country {iso3!r}")
        by_code.setdefault(code, []).append(by_iso3[iso3])

    historical = _historical_states(spells, by_code, set(by_iso3))
    for state in historical:
        by_code[state.cow_code] = [
            Holder(state.iso3, state.cow_code, state.valid_from, state.valid_until)
        ]
    periods = [period for spell in spells for period in _periods(spell, by_code[spell.code])]
    return Assignment(historical, periods)


def _historical_states(
    spells: Sequence[StateSpell], by_code: Mapping[int, list[Holder]], taken: set[str]
) -> list[HistoricalState]:
    unheld: dict[int, list[StateSpell]] = {}
    for spell in spells:
        if spell.code not in by_code:
            unheld.setdefault(spell.code, []).append(spell)
    states = []
    for code, own in unheld.items():
        first = own[0]
        iso3 = historical_code(first.abbreviation)
        if iso3 in taken:
            raise ImportFailed(f"COW {code} {first.abbreviation}: its made-up code {iso3} is taken")
        taken.add(iso3)
        span = own[0].span
        for spell in own[1:]:
            span = span.union(spell.span)
        assert span.start is not None  # every spell has a start
        states.append(
            HistoricalState(
                iso3=iso3,
                cow_code=code,
                name=first.name,
                valid_from=span.start,
                valid_until=span.end,
                note=(
                    f"COW state {code} ({first.abbreviation}) in the COW State System "
                    f"Membership List v2016; not in ISO 3166, so {iso3} is a made-up code."
                ),
            )
        )
    return states


def _periods(spell: StateSpell, holders: Sequence[Holder]) -> list[CodePeriod]:
    dated = [holder for holder in holders if holder.dated]
    undated = [holder for holder in holders if not holder.dated]
    if len(undated) > 1:
        names = ", ".join(holder.iso3 for holder in undated)
        raise ImportFailed(f"{spell.locator}: COW {spell.code} is carried by {names} at once")
    pieces: list[tuple[Holder, Span]] = []
    for holder in dated:
        part = spell.span.overlap(holder.validity)
        if part is not None:
            pieces.append((holder, part))
    if undated:
        pieces += [(undated[0], gap) for gap in _gaps(spell.span, [part for _, part in pieces])]
    if not pieces:
        raise ImportFailed(f"{spell.locator}: no country carries COW {spell.code} then")
    shared = len(holders) > 1
    return [
        CodePeriod(
            iso3=holder.iso3,
            cow_code=spell.code,
            valid_from=part.start,
            valid_until=part.end,
            locator=spell.locator,
            note=_note(spell, holder, part, shared),
        )
        for holder, part in sorted(pieces, key=lambda piece: piece[1].start or date.min)
    ]


def _gaps(span: Span, parts: Sequence[Span]) -> list[Span]:
    """What of `span` (which has a start) the parts within it, not overlapping, leave out."""
    gaps: list[Span] = []
    cursor = span.start
    for part in sorted(parts, key=lambda part: part.start or date.min):
        if cursor is not None and part.start is not None and cursor < part.start:
            gaps.append(Span(cursor, part.start))
        cursor = part.end
    if cursor is not None and (span.end is None or cursor < span.end):
        gaps.append(Span(cursor, span.end))
    return gaps


def _note(spell: StateSpell, holder: Holder, part: Span, shared: bool) -> str | None:
    if part == spell.span:
        return None
    whole = f"COW has {spell.code} {spell.abbreviation} from {spell.start.isoformat()}"
    whole += f" to {_last_day(spell.span)}" if spell.span.end else " on"
    if shared:
        return f"{whole}; the code passes between countries, {holder.iso3} carries this part."
    return f"{whole}; {holder.iso3} exists in defcoop (curated) only for this part."


def _last_day(span: Span) -> str:
    assert span.end is not None
    return (span.end - timedelta(days=1)).isoformat()
