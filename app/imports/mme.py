"""Multinational Military Exercises, version 7 (D'Orazio & Galambos 2021): one row, one edition.

The file's quirks, and how each is read (see seed/datasets/README.md):
- dates come as `1/14/80` (day known), `1980-01-xx` (month known) or `-9` (missing); a
  missing or unreadable date falls back to the s.year/s.month/s.day (e.*) columns;
- `-9` also stands for a missing name, location, coordinate or description;
- participants are free-text names in StateA ... StateAM, resolved through the alias table;
- three MMEIDs (mme3457, mme3458, mme3460) each name two different exercises: those rows are
  cited as "mme3460 (StartDate 7/7/05)" so each keeps a locator of its own;
- the 0/1 domain and focus flags become domains, activities and threats through
  seed/data/mme_mapping.yaml.

How rows group into series (`MmeAdapter.series`):
- a Series_Name, read through the `series_aliases` spelling variants, is the series;
- without one, an Ex_Name that is a series the file names in Series_Name, once the alias
  table has read it and its trailing years and edition numbers are dropped ("Garuda Shield
  2009", "Eagle III 2003", "Balance Buffalo 08-1", "Balaton '98"), joins that series;
- any other Ex_Name is a one-off, a series of its own: a recurring name that no Series_Name
  vouches for is not taken as a series, since PASSEX, SAREX or "Friendship 85" name kinds
  of exercise held by unrelated countries, not one exercise;
- a row with neither name (1,033 of them) is an edition of the one series `mme-unnamed`,
  which says what it is: MME's unnamed exercises, grouped only because they have no name.
  Its editions keep their slugs (`unnamed-exercise-mmeNNN`).
"""

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from sqlalchemy.orm import Session

from app.exercises.models import ActivityKind, Domain
from app.imports.base import DatasetAdapter, Progress, SourceRow
from app.imports.countries import CountryResolver
from app.imports.dates import PartialDate, partial_date_from_parts
from app.imports.editions import EditionRecord, EditionWriter
from app.imports.reading import read_csv_rows, read_yaml
from app.imports.report import ImportFailed, ImportReport, Rejection

MAPPING_FILE = Path(str(files("seed") / "data" / "mme_mapping.yaml"))
SOURCE_ID = "mme-v7"

_MISSING = {"", "-9"}
_REQUIRED_COLUMNS = (
    "MMEID", "Ex_Name", "Series_Name", "Location", "lat", "lon",
    "StartDate", "s.year", "s.month", "s.day", "EndDate", "e.year", "e.month", "e.day",
    "FocusDescription", "AdditionalParticipantInfo",
)  # fmt: skip
_PARTICIPANT_PREFIX = "State"  # StateA ... StateAM
_SLASHED = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{2})")  # M/D/YY, as a spreadsheet wrote it
_DASHED = re.compile(r"(\d{4})-(\d{2}|xx)-(\d{2}|xx)")  # YYYY-MM-DD, xx for an unknown part
# Trailing years and edition numbers of an Ex_Name: "2009", "'98", "08-1", "2/86", "III".
_EDITION_MARKS = re.compile(
    r"(?:[\s\-/]+(?:'?\d{1,4}(?:[-/]\d{1,4})?|[IVX]{1,4}))+$", re.IGNORECASE
)
UNNAMED_SERIES = "MME unnamed"  # slug `mme-unnamed`
UNNAMED_DESCRIPTION = (
    "Not an exercise series: the exercises that MME v7 records with neither a Series_Name nor "
    "an Ex_Name, grouped here because they have no name to group them by. Each edition is one "
    "row of the dataset; the editions share nothing but the missing name."
)


# --- dates -----------------------------------------------------------------------------------


def _full_year(two_digits: int) -> int:
    """MME v7 spans 1980-2010, so 80-99 are 19xx and 00-49 are 20xx."""
    return 1900 + two_digits if two_digits >= 50 else 2000 + two_digits


def _date_from_text(text: str) -> PartialDate | None:
    if slashed := _SLASHED.fullmatch(text):
        month, day, year = slashed.groups()
        return partial_date_from_parts(str(_full_year(int(year))), month, day)
    if dashed := _DASHED.fullmatch(text):
        return partial_date_from_parts(*dashed.groups())
    return None


def mme_date(text: str, year: str, month: str, day: str) -> PartialDate | None:
    """A StartDate/EndDate cell, else its year/month/day cells, else None (no year known)."""
    return _date_from_text(text.strip()) or partial_date_from_parts(year, month, day)


# --- cells -----------------------------------------------------------------------------------


def _text(value: str) -> str | None:
    text = " ".join(value.split())
    return None if text in _MISSING else text


def _coordinate(value: str) -> float | None:
    text = value.strip()
    if text in _MISSING:
        return None
    try:
        return float(text)
    except ValueError:
        return None


def _participant_names(fields: Mapping[str, str]) -> list[str]:
    return [value for column, value in fields.items() if column.startswith(_PARTICIPANT_PREFIX)]


def _note(additional_info: str, not_imported: list[str]) -> str | None:
    parts = []
    if info := _text(additional_info):
        parts.append(f"MME v7 additional participant information: {info}")
    if not_imported:
        parts.append(f"MME v7 also lists, not imported as countries: {', '.join(not_imported)}")
    return ". ".join(parts) or None


# --- the mapping of flags ----------------------------------------------------------------------


@dataclass(frozen=True)
class FlagEffect:
    activities: frozenset[ActivityKind] = frozenset()
    domains: frozenset[Domain] = frozenset()
    threats: frozenset[str] = frozenset()

    def __or__(self, other: "FlagEffect") -> "FlagEffect":
        return FlagEffect(
            self.activities | other.activities,
            self.domains | other.domains,
            self.threats | other.threats,
        )


@dataclass(frozen=True)
class MmeMapping:
    flags: dict[str, FlagEffect]  # flag column -> what a 1 in it adds
    series_aliases: dict[str, str]  # case-folded Series_Name variant -> the series' name

    @classmethod
    def load(cls, path: Path = MAPPING_FILE) -> "MmeMapping":
        data = read_yaml(path)
        try:
            flags = {
                column: FlagEffect(
                    frozenset(ActivityKind(a) for a in effect.get("activities", [])),
                    frozenset(Domain(d) for d in effect.get("domains", [])),
                    frozenset(effect.get("threats", [])),
                )
                for column, effect in data["flags"].items()
            }
        except (KeyError, ValueError) as error:
            raise ImportFailed(f"{path.name}: {error!r}") from error
        aliases = {k.casefold(): v for k, v in data.get("series_aliases", {}).items()}
        return cls(flags, aliases)

    def effect(self, fields: Mapping[str, str]) -> FlagEffect:
        """The union over the flags set to 1 (the file has only 0 and 1)."""
        combined = FlagEffect()
        for column, effect in self.flags.items():
            if fields[column].strip() == "1":
                combined |= effect
        return combined

    def spelled(self, name: str) -> str:
        """`name` as the alias table spells it."""
        return self.series_aliases.get(name.casefold(), name)


@dataclass(frozen=True)
class SeriesOfRow:
    name: str | None  # None: a one-off exercise, a series of its own
    locator: str | None  # what a series created for this row cites
    description: str | None = None


class SeriesNames:
    """The series of each row, by the rules in the module docstring."""

    def __init__(self, mapping: MmeMapping, rows: Sequence[Mapping[str, str]]) -> None:
        self.mapping = mapping
        self.known = {
            self.mapping.spelled(name).casefold(): self.mapping.spelled(name)
            for row in rows
            if (name := _text(row["Series_Name"]))
        }

    def of(self, fields: Mapping[str, str]) -> SeriesOfRow:
        if series := _text(fields["Series_Name"]):
            name = self.mapping.spelled(series)
            return SeriesOfRow(name, f"Series_Name {name}")
        exercise = _text(fields["Ex_Name"])
        if exercise is None:
            return SeriesOfRow(
                UNNAMED_SERIES, "rows without Series_Name or Ex_Name", UNNAMED_DESCRIPTION
            )
        for candidate in (exercise, _EDITION_MARKS.sub("", exercise)):
            if known := self.known.get(self.mapping.spelled(candidate).casefold()):
                return SeriesOfRow(known, f"Ex_Name {exercise}")
        return SeriesOfRow(None, None)


# --- the adapter -------------------------------------------------------------------------------


def _locators(rows: list[dict[str, str]]) -> list[str]:
    """Each row's MMEID; where rows share one, the MMEID with the row's StartDate."""
    ids = [row["MMEID"].strip() for row in rows]
    counts = Counter(ids)
    return [
        f"line {line}" if not mmeid  # no MMEID: `parse` rejects the row
        else mmeid if counts[mmeid] == 1
        else f"{mmeid} (StartDate {row['StartDate'].strip()})"
        for line, (mmeid, row) in enumerate(zip(ids, rows, strict=True), start=2)
    ]  # fmt: skip


class MmeAdapter(DatasetAdapter[EditionRecord]):
    source_id = SOURCE_ID

    def __init__(self) -> None:
        self.mapping = MmeMapping.load()
        self.series = SeriesNames(self.mapping, [])

    def read(self, path: Path) -> list[SourceRow]:
        rows = read_csv_rows(path, (*_REQUIRED_COLUMNS, *self.mapping.flags), "MME v7")
        self.series = SeriesNames(self.mapping, rows)
        return [SourceRow(locator, row) for locator, row in zip(_locators(rows), rows, strict=True)]

    def parse(
        self, row: SourceRow, names: CountryResolver, report: ImportReport
    ) -> EditionRecord | Rejection:
        fields = row.fields
        mmeid = fields["MMEID"].strip()
        if not mmeid:
            return Rejection(row.locator, "no MMEID")
        start = mme_date(fields["StartDate"], fields["s.year"], fields["s.month"], fields["s.day"])
        if start is None:
            return Rejection(row.locator, "no start year: StartDate and s.year are unreadable")
        if row.locator != mmeid:
            report.note("MMEID shared with another row: cited with its StartDate", row.locator)
        participants = names.participants(
            _participant_names(fields), start.first_day, row.locator, report
        )
        if not participants.country_ids:
            report.note("no country named: an edition without participants", row.locator)
        series = self.series.of(fields)
        year = start.first_day.year
        effect = self.mapping.effect(fields)
        if series.name == UNNAMED_SERIES:
            # An unnamed edition keeps the slug it had as a series of its own.
            name, slug_base = f"Unnamed exercise ({mmeid})", f"unnamed-exercise-{mmeid}"
        else:
            name, slug_base = _text(fields["Ex_Name"]) or f"{series.name} {year}", None
        return EditionRecord(
            locator=row.locator,
            slug_suffix=mmeid,
            series_name=series.name,
            name=name,
            year=year,
            start=start,
            end=self._end(fields, start, row.locator, report),
            location=_text(fields["Location"]),
            latitude=_coordinate(fields["lat"]),
            longitude=_coordinate(fields["lon"]),
            description=_text(fields["FocusDescription"]),
            note=_note(fields["AdditionalParticipantInfo"], participants.not_imported),
            country_ids=tuple(participants.country_ids),
            activities=effect.activities,
            domains=effect.domains,
            threats=effect.threats,
            series_locator=series.locator,
            series_description=series.description,
            slug_base=slug_base,
        )

    @staticmethod
    def _end(
        fields: Mapping[str, str], start: PartialDate, locator: str, report: ImportReport
    ) -> PartialDate | None:
        end = mme_date(fields["EndDate"], fields["e.year"], fields["e.month"], fields["e.day"])
        if end is not None and end.last_day < start.first_day:
            report.note("EndDate before StartDate: end left empty", locator)
            return None
        return end

    def write(
        self,
        session: Session,
        records: Sequence[EditionRecord],
        report: ImportReport,
        progress: Progress,
    ) -> None:
        writer = EditionWriter(session, self.source_id, report, {r.locator for r in records})
        writer.write(records, progress)
