"""Participant names and COW codes to countries: names through the alias table in
seed/data/country_aliases.yaml, COW codes through their periods (`country_cow_codes`)."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from importlib.resources import files
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.periods import Span, held_longest_in, held_on
from app.countries.models import Country, CowCodePeriod
from app.imports.reading import read_yaml
from app.imports.report import ImportFailed, ImportReport

ALIASES_FILE = Path(str(files("seed") / "data" / "country_aliases.yaml"))


@dataclass(frozen=True)
class AliasPeriod:
    """A name means `code` on dates before `before` (exclusive); None: from then on."""

    code: str
    before: date | None = None


@dataclass(frozen=True)
class AliasTable:
    names: dict[str, tuple[AliasPeriod, ...]]  # keys case-folded
    not_countries: dict[str, str]  # case-folded name -> why it is not a country
    missing: frozenset[str]

    @classmethod
    def load(cls, path: Path = ALIASES_FILE) -> "AliasTable":
        data = read_yaml(path)
        return cls(
            names={
                name.casefold(): _periods(value) for name, value in data.get("names", {}).items()
            },
            not_countries={
                name.casefold(): why for name, why in data.get("not_countries", {}).items()
            },
            missing=frozenset(str(marker) for marker in data.get("missing", [])),
        )

    def codes(self) -> set[str]:
        return {period.code for periods in self.names.values() for period in periods}


def _periods(value: str | list[dict[str, str]]) -> tuple[AliasPeriod, ...]:
    if isinstance(value, str):
        return (AliasPeriod(value),)
    periods = tuple(
        AliasPeriod(
            code=entry["code"],
            before=date.fromisoformat(entry["before"]) if "before" in entry else None,
        )
        for entry in value
    )
    if not periods or periods[-1].before is not None:
        raise ImportFailed(f"alias periods must end with an open one (no `before`): {value}")
    return periods


@dataclass
class Participants:
    country_ids: list[int] = field(default_factory=list)
    # Names kept out of the country list (not states, or unresolved and skipped).
    not_imported: list[str] = field(default_factory=list)


class CountryResolver:
    """Resolves names through the alias table first, then the countries' own names; COW codes
    through the periods in which each country carried them."""

    def __init__(
        self,
        table: AliasTable,
        countries: Iterable[Country],
        cow_periods: Iterable[CowCodePeriod] = (),
    ) -> None:
        self.table = table
        self.cow_periods: dict[int, list[tuple[Span, int]]] = {}
        for period in cow_periods:
            span = Span(period.valid_from, period.valid_until)
            self.cow_periods.setdefault(period.cow_code, []).append((span, period.country_id))
        self.ids_by_code: dict[str, int] = {}
        self.ids_by_name: dict[str, int] = {}
        for country in countries:
            self.ids_by_code[country.iso3] = country.id
            for name in (country.name, country.official_name):
                if name:
                    self.ids_by_name.setdefault(name.casefold(), country.id)
        unknown = sorted(table.codes() - self.ids_by_code.keys())
        if unknown:
            raise ImportFailed(f"the alias table names unknown country codes: {unknown}")

    @classmethod
    def from_database(cls, session: Session, path: Path = ALIASES_FILE) -> "CountryResolver":
        return cls(
            AliasTable.load(path),
            session.scalars(select(Country)),
            session.scalars(select(CowCodePeriod)),
        )

    def by_cow(self, code: int, on: date) -> int | None:
        """The country that carried COW `code` on that day (a 260 in 1980 is DEU, a 365 in
        1980 the Soviet Union), or None if no country did."""
        return held_on(self.cow_periods.get(code, []), on)

    def by_cow_year(self, code: int, year: int) -> int | None:
        """The country that carried COW `code` for the longest part of `year` (data by year:
        365 in 1991 is the Soviet Union, which held it until 25 December), or None."""
        return held_longest_in(self.cow_periods.get(code, []), year)

    def country_id(self, name: str, on: date) -> int | None:
        key = name.casefold()
        periods = self.table.names.get(key)
        if periods is None:
            return self.ids_by_name.get(key)
        code = next(p.code for p in periods if p.before is None or on < p.before)
        return self.ids_by_code[code]

    def participants(
        self, names: Iterable[str], on: date, locator: str, report: ImportReport
    ) -> Participants:
        """The distinct countries a row names; every name left out is on the report."""
        found = Participants()
        for raw in names:
            name = raw.strip()
            if not name:
                continue
            if name in self.table.missing:
                report.note(f"a participant recorded as {name!r} (unknown)", locator)
                continue
            why_not = self.table.not_countries.get(name.casefold())
            if why_not is not None:
                report.note(f"participant {name!r} not imported: {why_not}", locator)
                found.not_imported.append(name)
                continue
            country_id = self.country_id(name, on)
            if country_id is None:
                report.unresolved_name(name, locator)
                found.not_imported.append(name)
            elif country_id in found.country_ids:
                report.note("a country named twice in one row, imported once", locator)
            else:
                found.country_ids.append(country_id)
        return found
