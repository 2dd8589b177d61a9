"""Defense Cooperation Agreement Dataset 1.0 (Kinne 2020): one row, one bilateral agreement.

The file's quirks, and how each is read (see seed/datasets/README.md):
- parties are COW state codes (`ccode1`, `ccode2`), resolved through the dated COW codes on
  the agreement's start (entry into force, else signature: 365 is the Soviet Union before
  1991-12-26, Russia after; 260 before 1990 is Germany, which continues West Germany); the
  abbreviations beside them are not read: they disagree with the codes in places (732 is
  both `KOR` and `ROK`; 652 once `EGY`);
- three rows name the same state twice (`ccode1 = ccode2`): rejected, there is no pair;
- dates come as day, month and year columns, any of them blank (unknown): kept with their
  precision; entry into force is blank in more than half the rows;
- negative numbers in `span`, `renewType`, `renewYears` and `terminated` are DCAD's special
  codes, kinds of "unknown" or "not applicable", never numbers: each is kept in a `*_code`
  column apart from the number it stands in for;
- `terminated = 1` with `durationActual` ends the agreement in the year signature +
  durationActual (DCAD's own reading: its `endYearEstimate` is that year, capped at 2010);
- up to three categories per row, the first the primary one; DIC, PROCUREMENT and RESEARCH
  make an agreement technology transfer (its kind when the primary category is one of them).
"""

import csv
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import cast

from sqlalchemy.orm import Session

from app.agreements.models import (
    TECHNOLOGY_TRANSFER_CATEGORIES,
    AgreementCategory,
    AgreementKind,
    AgreementScope,
)
from app.core.periods import DatePrecision
from app.imports.agreements import AgreementRecord, AgreementTerms, AgreementWriter
from app.imports.base import DatasetAdapter, Progress, SourceRow
from app.imports.countries import CountryResolver
from app.imports.dates import PartialDate, partial_date_from_parts
from app.imports.report import ImportFailed, ImportReport, Rejection

SOURCE_ID = "dcad-v1"

_REQUIRED_COLUMNS = (
    "ccode1", "ccode2", "signDay", "signMonth", "signYear", "EIFDay", "EIFMonth", "EIFYear",
    "type", "category1", "category2", "category3", "span", "renewType", "renewYears",
    "terminated", "durationActual", "asymmetry", "UNTS", "sourceType", "source", "DCAid",
)  # fmt: skip
_CATEGORY_COLUMNS = ("category1", "category2", "category3")
_CATEGORIES = {category.value.upper(): category for category in AgreementCategory}
_SCOPES = {scope.value: scope for scope in AgreementScope}
# What the last year DCAD codes terminations in: later ones come from durationActual alone.
COVERAGE_LAST_YEAR = 2010


@dataclass(frozen=True)
class Coded:
    """A DCAD number, or the special code (negative) that stands in its place."""

    value: int | None = None
    code: int | None = None


def coded(text: str) -> Coded:
    text = text.strip()
    if not text:
        return Coded()
    number = int(text)
    return Coded(code=number) if number < 0 else Coded(value=number)


def _categories(fields: Mapping[str, str]) -> tuple[AgreementCategory, ...] | str:
    """The row's categories in DCAD's order, or what is wrong with them."""
    found: list[AgreementCategory] = []
    for column in _CATEGORY_COLUMNS:
        name = fields[column].strip()
        if not name:
            continue
        category = _CATEGORIES.get(name.upper())
        if category is None:
            return f"unknown category {name!r}"
        if category not in found:
            found.append(category)
    return tuple(found) if found else "no category"


# DCAD gives the Czech Republic's code (316) to Czechoslovakia's agreements of 1991-1992 (the
# Czech foreign ministry's treaty list, its source, lists them as continued): before COW's 316
# begins, the state that signed them is Czechoslovakia (315).
_CZECH_REPUBLIC, _CZECHOSLOVAKIA, _CZECH_REPUBLIC_FROM = 316, 315, date(1993, 1, 1)


def _country(
    names: CountryResolver, code: int, on: PartialDate, locator: str, report: ImportReport
) -> int | None:
    """The state that carried the COW code then; a date known to the year only reads the
    year (365 in 1991 is the Soviet Union, which held it until 25 December)."""
    if code == _CZECH_REPUBLIC and on.first_day < _CZECH_REPUBLIC_FROM:
        report.note("316 (Czech Republic) before 1993 read as 315 (Czechoslovakia)", locator)
        code = _CZECHOSLOVAKIA
    if on.precision is DatePrecision.year:
        found = names.by_cow_year(code, on.first_day.year)
    else:
        found = names.by_cow(code, on.first_day)
    if found is not None:
        return found
    # A state that signed before COW lists it (Brunei, 835, from 1984, in a 1981 agreement):
    # the state that carries the code from then on.
    later = sorted(
        (span.start, country_id)
        for span, country_id in names.cow_periods.get(code, [])
        if span.start is not None and span.start > on.first_day
    )
    if later:
        report.note(f"COW code {code} before COW lists the state: read as that state", locator)
        return later[0][1]
    return None


def _kind(categories: Sequence[AgreementCategory]) -> AgreementKind:
    # DCAs are stored as the curated ones are: `defense_treaty`, the kind of a binding treaty.
    if categories[0] in TECHNOLOGY_TRANSFER_CATEGORIES:
        return AgreementKind.technology_transfer
    return AgreementKind.defense_treaty


def _terminated(text: str) -> Coded:
    value = coded(text)
    if value.value not in (None, 0, 1):
        raise ValueError(f"terminated is {text!r}, not 0, 1 or a special code")
    return value


def _description(fields: Mapping[str, str], categories: Sequence[AgreementCategory]) -> str:
    names = ", ".join(category.value.upper() for category in categories)
    source = " ".join(fields["source"].split())
    unts = fields["UNTS"].strip()
    where = f"{source} (UNTS {unts})" if unts else source
    return f"DCAD 1.0 categories: {names}. DCAD's source ({fields['sourceType'].strip()}): {where}."


class DcadAdapter(DatasetAdapter[AgreementRecord]):
    source_id = SOURCE_ID

    def read(self, path: Path) -> list[SourceRow]:
        try:
            with path.open(encoding="utf-8-sig", newline="") as handle:
                reader = csv.DictReader(handle)
                missing = [c for c in _REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
                if missing:
                    raise ImportFailed(
                        f"{path.name} is not DCAD 1.0: it lacks the columns {missing}"
                    )
                rows = [
                    {k: v or "" for k, v in row.items() if isinstance(k, str)} for row in reader
                ]
        except (UnicodeDecodeError, csv.Error) as error:
            raise ImportFailed(f"{path.name} cannot be read as CSV: {error}") from error
        return [
            SourceRow(row["DCAid"].strip() or f"line {line}", row)
            for line, row in enumerate(rows, start=2)
        ]

    def parse(
        self, row: SourceRow, names: CountryResolver, report: ImportReport
    ) -> AgreementRecord | Rejection:
        fields = row.fields
        if not fields["DCAid"].strip():
            return Rejection(row.locator, "no DCAid")
        try:
            first, second = int(fields["ccode1"]), int(fields["ccode2"])
            duration, renewal = coded(fields["span"]), coded(fields["renewType"])
            renewal_years, terminated = (
                coded(fields["renewYears"]),
                _terminated(fields["terminated"]),
            )
            asymmetry = coded(fields["asymmetry"])
            actual = coded(fields["durationActual"])
        except ValueError as error:
            return Rejection(row.locator, f"a number that is not one: {error}")
        if first == second:
            return Rejection(row.locator, "both parties are the same state (ccode1 = ccode2)")
        signed = partial_date_from_parts(fields["signYear"], fields["signMonth"], fields["signDay"])
        if signed is None:
            return Rejection(row.locator, "no signature year")
        categories = _categories(fields)
        if isinstance(categories, str):
            return Rejection(row.locator, categories)
        in_force = partial_date_from_parts(fields["EIFYear"], fields["EIFMonth"], fields["EIFDay"])
        if in_force is not None and in_force.last_day < signed.first_day:
            report.note(
                "entry into force before signature: entry into force left empty", row.locator
            )
            in_force = None
        # The state bound from the start: Serbia for an agreement Serbia and Montenegro signed
        # in 2006 and that entered into force in 2009, as its continuator.
        start = in_force or signed
        parties = [_country(names, code, start, row.locator, report) for code in (first, second)]
        unknown = [
            code
            for code, country_id in zip((first, second), parties, strict=True)
            if not country_id
        ]
        if unknown:
            return Rejection(
                row.locator, f"COW code {unknown[0]} was no state's in {start.first_day.year}"
            )
        if in_force is not None and in_force.first_day.year > COVERAGE_LAST_YEAR:
            report.note(f"enters into force after {COVERAGE_LAST_YEAR}", row.locator)
        ended = self._ended(signed, in_force, terminated, actual, row.locator, report)
        return AgreementRecord(
            locator=row.locator,
            slug_suffix=f"dcad{row.locator.rsplit('-', 1)[-1]}",
            country_ids=(cast(int, parties[0]), cast(int, parties[1])),
            kind=_kind(categories),
            categories=categories,
            signed=signed,
            in_force=in_force,
            ended=ended,
            description=_description(fields, categories),
            note=(
                "Known from news reports (DCAD's Factiva search), not from a treaty text."
                if fields["sourceType"].strip() == "factiva"
                else None
            ),
            terms=AgreementTerms(
                scope=_SCOPES.get(fields["type"].strip()),
                duration_years=duration.value,
                duration_code=duration.code,
                renewal_code=renewal.code,
                renewal_years=renewal_years.value,
                renewal_years_code=renewal_years.code,
                terminated=None if terminated.value is None else terminated.value == 1,
                terminated_code=terminated.code,
                asymmetry=asymmetry.value,
            ),
        )

    @staticmethod
    def _ended(
        signed: PartialDate,
        in_force: PartialDate | None,
        terminated: Coded,
        actual: Coded,
        locator: str,
        report: ImportReport,
    ) -> PartialDate | None:
        if terminated.value != 1:
            return None
        if actual.value is None:
            report.note("terminated, without durationActual: end unknown", locator)
            return None
        year = signed.first_day.year + actual.value
        ended = PartialDate(date(year, 1, 1), DatePrecision.year)
        start = in_force or signed
        if ended.first_day <= start.first_day:
            report.note("termination year not after the start: end left empty", locator)
            return None
        if year > COVERAGE_LAST_YEAR:
            report.note(
                f"terminated after {COVERAGE_LAST_YEAR} (year from durationActual)", locator
            )
        return ended

    def write(
        self,
        session: Session,
        records: Sequence[AgreementRecord],
        report: ImportReport,
        progress: Progress,
    ) -> None:
        AgreementWriter(session, self.source_id, report).write(records, progress)
