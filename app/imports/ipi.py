"""IPI's Providing for Peacekeeping files (Perry & Smith 2013): UN peacekeeping missions and
who contributed personnel to them, month by month.

A folder of three files, each row read on its own (seed/datasets/README.md says why each
quirk is read so):
- `missions.json`: one entry per mission (78): host country (ISO3), HQ and its coordinates
  (`y` latitude, `x` longitude; UNMC's 0, 0 with no HQ means unknown);
- `mission_months_1990_2017.csv`: one row per mission and month, 1990-11 to 2017-03: the
  months give an operation its first and last month. The host's ISO3 is read, not its name
  (`South Sudan'` has a stray quote). The coordinate columns are not read: their headers are
  swapped (`Mission HQ Longitude` holds the latitude) and MINUSMA's rows disagree among
  themselves; the import reports where they differ from missions.json;
- `contributions_2009_2014.csv`: one row per contributor, mission and month, 2009-11 to
  2014-02, with police, formed police units, experts on mission and troops, by sex and total.
  The contributor is read by its ISO3 (its name has variants, one of them cut short:
  `The former Yugoslav Republic o`). A row whose every figure is 0 is no month of service.
Dates are month ends (one is not: UNMA's 2002-08-30); each is read as its month.
"""

import json
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from importlib.resources import files
from pathlib import Path
from typing import Any, TypedDict

from sqlalchemy.orm import Session

from app.core.periods import next_month
from app.imports.base import DatasetAdapter, Progress, SourceRow
from app.imports.countries import CountryResolver
from app.imports.editions import slugify
from app.imports.peacekeeping import (
    FIGURES,
    ContributionMonthRecord,
    MissionMonthRecord,
    MissionRecord,
    PeacekeepingMapping,
    PeacekeepingRecord,
    PeacekeepingWriter,
)
from app.imports.reading import read_csv_rows, read_yaml
from app.imports.report import ImportFailed, ImportReport, Rejection

MAPPING_FILE = Path(str(files("seed") / "data" / "ipi_mapping.yaml"))
# What a file of the dataset is, in the message refusing one that is not.
_DATASET = "IPI's file"
SOURCE_ID = "ipi-peacekeeping"
MISSIONS_FILE = "missions.json"
MISSION_MONTHS_FILE = "mission_months_1990_2017.csv"
CONTRIBUTIONS_FILE = "contributions_2009_2014.csv"

# The file's columns for each figure of a contribution month (`FIGURES` order).
_GROUPS = {
    "police": "Individual Police",
    "formed_police": "Formed Police Units",
    "experts": "Experts on Mission",
    "troops": "Troops",
    "total": "Total",
}
_PARTS = {"male": "Male", "female": "Female", "total": "Total"}
_FIGURE_COLUMNS = {
    figure: f"{_GROUPS[figure.rsplit('_', 1)[0]]} {_PARTS[figure.rsplit('_', 1)[1]]}"
    for figure in FIGURES
}
_MISSION_MONTH_COLUMNS = ("Date", "Mission", "Country of Mission", "Country of Mission ISO-3")
_CONTRIBUTION_COLUMNS = ("Date", "Contributor", "Contributor ISO-3", "Mission")
_MONTH_END = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_MISSING = {"", "NA"}


class _MissionKeys(TypedDict):
    """The fields by which every record of the three files names its row and mission."""

    locator: str
    acronym: str
    slug: str


@dataclass(frozen=True)
class IpiRow(SourceRow):
    """A row of one of the three files (`file` names which)."""

    file: str


def _load_mapping(path: Path = MAPPING_FILE) -> PeacekeepingMapping:
    data = read_yaml(path)
    try:
        return PeacekeepingMapping(
            kind=data["kind"],
            lead_organization=data["lead_organization"],
            threats=tuple(data["threats"]),
            missions={str(k): str(v) for k, v in (data.get("missions") or {}).items()},
            names={str(k): str(v) for k, v in (data.get("names") or {}).items()},
        )
    except (KeyError, TypeError) as error:
        raise ImportFailed(f"{path.name}: {error!r}") from error


def _month(text: str) -> tuple[date, bool] | None:
    """The month of a `YYYY-MM-DD` cell, and whether the day is the month's last."""
    match = _MONTH_END.fullmatch(text.strip())
    if not match:
        return None
    try:
        day = date(*map(int, match.groups()))
    except ValueError:
        return None
    return day.replace(day=1), (next_month(day) - day).days == 1


def _figure(text: str) -> int | None:
    value = text.strip()
    if value in _MISSING:
        return None
    if not value.isdigit():
        raise ValueError(value)
    return int(value)


def _coordinate(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) else None


class IpiAdapter(DatasetAdapter[PeacekeepingRecord]):
    source_id = SOURCE_ID

    def __init__(self) -> None:
        self.mapping = _load_mapping()
        self.contributor_names: defaultdict[str, set[str]] = defaultdict(set)

    # --- reading ---------------------------------------------------------------------------

    def read(self, path: Path) -> list[SourceRow]:
        """The rows of the three files in `path` (a folder), missions first."""
        if not path.is_dir():
            raise ImportFailed(f"{path} is not a folder holding IPI's three files")
        absent = [
            name
            for name in (MISSIONS_FILE, MISSION_MONTHS_FILE, CONTRIBUTIONS_FILE)
            if not (path / name).is_file()
        ]
        if absent:
            raise ImportFailed(f"{path} lacks {', '.join(absent)}")
        months = read_csv_rows(path / MISSION_MONTHS_FILE, _MISSION_MONTH_COLUMNS, _DATASET)
        contribution_columns = (*_CONTRIBUTION_COLUMNS, *_FIGURE_COLUMNS.values())
        contributions = read_csv_rows(path / CONTRIBUTIONS_FILE, contribution_columns, _DATASET)
        return [
            *self._missions(path / MISSIONS_FILE),
            *(
                IpiRow(f"{MISSION_MONTHS_FILE} line {line}", fields, MISSION_MONTHS_FILE)
                for line, fields in enumerate(months, start=2)
            ),
            *(
                # The file's first column numbers its rows: the row's name in citations.
                IpiRow(
                    f"{CONTRIBUTIONS_FILE} row {fields.get('', '').strip() or f'line {line}'}",
                    fields,
                    CONTRIBUTIONS_FILE,
                )
                for line, fields in enumerate(contributions, start=2)
            ),
        ]

    @staticmethod
    def _missions(path: Path) -> list[IpiRow]:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, ValueError) as error:
            raise ImportFailed(f"{path.name} cannot be read as JSON: {error}") from error
        if not isinstance(data, dict):
            raise ImportFailed(f"{path.name} is not IPI's file: not an object of missions")
        rows = []
        for acronym, entry in data.items():
            if not isinstance(entry, dict):
                raise ImportFailed(f"{path.name}: mission {acronym!r} is not an object")
            location = entry.get("mission_loc") or {}
            fields = {
                "mission": acronym,
                "country": str(entry.get("country") or ""),
                "country_id": str(entry.get("country_id") or ""),
                "hq": str(entry.get("hq") or ""),
                "latitude": json.dumps(_coordinate(location.get("y"))),
                "longitude": json.dumps(_coordinate(location.get("x"))),
            }
            rows.append(IpiRow(f"{MISSIONS_FILE} {acronym}", fields, MISSIONS_FILE))
        return rows

    # --- parsing ---------------------------------------------------------------------------

    def parse(
        self, row: SourceRow, names: CountryResolver, report: ImportReport
    ) -> PeacekeepingRecord | Rejection:
        file = row.file if isinstance(row, IpiRow) else ""
        if file == MISSIONS_FILE:
            return self._mission(row, names, report)
        # The rows of the two monthly files: a month each.
        month = self._month(row, report)
        if month is None:
            return Rejection(row.locator, f"unreadable Date {row.fields['Date']!r}")
        if file == MISSION_MONTHS_FILE:
            return self._mission_month(row, month, names, report)
        return self._contribution_month(row, month, names, report)

    def slug(self, acronym: str) -> str:
        return self.mapping.missions.get(acronym) or slugify(acronym)

    def _row_mission(self, row: SourceRow, column: str) -> _MissionKeys:
        acronym = row.fields[column].strip()
        return {"locator": row.locator, "acronym": acronym, "slug": self.slug(acronym)}

    def _mission(
        self, row: SourceRow, names: CountryResolver, report: ImportReport
    ) -> MissionRecord | Rejection:
        fields = row.fields
        host_id = names.ids_by_code.get(fields["country_id"].strip().upper())
        if host_id is None:
            return Rejection(row.locator, f"host ISO3 {fields['country_id']!r} is no country")
        latitude, longitude = json.loads(fields["latitude"]), json.loads(fields["longitude"])
        if latitude == 0 and longitude == 0:
            report.note("HQ coordinates 0, 0: unknown, left empty", row.locator)
            latitude = longitude = None
        return MissionRecord(
            **self._row_mission(row, "mission"),
            host_id=host_id,
            headquarters=fields["hq"].strip() or None,
            latitude=latitude,
            longitude=longitude,
        )

    def _mission_month(
        self, row: SourceRow, month: date, names: CountryResolver, report: ImportReport
    ) -> MissionMonthRecord:
        fields = row.fields
        host = fields["Country of Mission"]
        if host != host.strip(" '\""):
            report.note(
                f"host named {host!r} (stray quote): read by its ISO3 "
                f"{fields['Country of Mission ISO-3']}",
                row.locator,
            )
        return MissionMonthRecord(
            **self._row_mission(row, "Mission"),
            month=month,
            host_id=names.ids_by_code.get(fields["Country of Mission ISO-3"].strip().upper()),
            # The headers are swapped: "Longitude" holds the latitude (see the docstring).
            latitude=_csv_coordinate(fields.get("Mission HQ Longitude", "")),
            longitude=_csv_coordinate(fields.get("Mission HQ Latitude", "")),
        )

    def _contribution_month(
        self, row: SourceRow, month: date, names: CountryResolver, report: ImportReport
    ) -> ContributionMonthRecord | Rejection:
        fields = row.fields
        iso3 = fields["Contributor ISO-3"].strip().upper()
        name = fields["Contributor"].strip()
        country_id = names.ids_by_code.get(iso3)
        if country_id is None:
            report.unresolved_name(f"{name} ({iso3})", row.locator)
            return Rejection(row.locator, "contributor ISO3 resolves to no country")
        self._note_name(iso3, name, row.locator, report)
        try:
            figures = {
                figure: _figure(fields[column]) for figure, column in _FIGURE_COLUMNS.items()
            }
        except ValueError as error:
            return Rejection(row.locator, f"a personnel figure is not a count: {error}")
        total = figures.pop("total_total")
        if total is None:
            return Rejection(row.locator, "no total personnel")
        if total == 0:
            return Rejection(row.locator, "every figure is 0: no personnel that month")
        return ContributionMonthRecord(
            **self._row_mission(row, "Mission"),
            country_id=country_id,
            iso3=iso3,
            month=month,
            figures=figures,
            total=total,
        )

    def _note_name(self, iso3: str, name: str, locator: str, report: ImportReport) -> None:
        seen = self.contributor_names[iso3]
        if seen and name not in seen:
            report.note(
                f"{iso3} named otherwise than before ({name!r}, before {sorted(seen)!r}): "
                "read by its ISO3",
                locator,
            )
        seen.add(name)

    @staticmethod
    def _month(row: SourceRow, report: ImportReport) -> date | None:
        parsed = _month(row.fields["Date"])
        if parsed is None:
            return None
        month, at_month_end = parsed
        if not at_month_end:
            report.note("a Date that is not a month's last day: read as its month", row.locator)
        return month

    # --- writing ---------------------------------------------------------------------------

    def write(
        self,
        session: Session,
        records: Sequence[PeacekeepingRecord],
        report: ImportReport,
        progress: Progress,
    ) -> None:
        PeacekeepingWriter(session, self.source_id, self.mapping, report).write(records, progress)


def _csv_coordinate(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None
