"""Peacekeeping operations and their contributions from monthly contributor reports (IPI):
missions matched to operations, contributor months grouped into spells, bulk-inserted.

Operations. A mission becomes the operation of its slug (the acronym's own, or the mapping
file's), matched, in this order, to:
1. an operation that already cites the mission (a re-import): nothing is created;
2. a curated operation of that slug (UNIFIL, MONUSCO...): merged: the dataset is cited with
   the mission's months, and HQ and coordinates fill what is empty; its curated values stay,
   and where the dataset disagrees (host, a first month before the curated start) the
   report says so;
3. otherwise a new operation, whose start and end are its first month and the month after its
   last, except where those are the file's own first or last month (the mission was already
   there, or still there: that date is not in the file and is left unknown).

Contributions. A spell is a country's run of consecutive months in one operation; a month
without a row starts a new spell. Each spell is one `Contribution` (start: its first month;
end: the month after its last, month precision; personnel: its last month's total, as of that
month's end) with its months in `contribution_months`, each month citing its row. Curated
contributions stay as they are, beside the spells.

Curators come first: rows of an operation curators changed, or of an operation or spell they
deleted, are left alone. Writes are plain INSERTs in batches, lookups preloaded into dicts.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, cast

from sqlalchemy import Table, select, update
from sqlalchemy.orm import Session

from app.core.periods import DatePrecision, month_text, next_month
from app.countries.models import Country
from app.curation.changes import curated, deleted_by_curators
from app.curation.writes.operations import CONTRIBUTION, OPERATIONS
from app.imports.base import CITATIONS, DatasetWriter, Progress
from app.imports.editions import slugify
from app.imports.report import ImportFailed, ImportReport, Rejection
from app.operations.models import (
    Contribution,
    ContributionMonth,
    Operation,
    OperationKind,
    operation_threats,
)
from app.organizations.models import Organization
from app.threats.models import ThreatCategory

BATCH_SIZE = 1000
CONTRIBUTIONS = cast(Table, Contribution.__table__)
MONTHS = cast(Table, ContributionMonth.__table__)
OPERATIONS_TABLE = cast(Table, Operation.__table__)

# A contribution month's figures, by the name of their column (`total_total` is `total`).
FIGURES = tuple(
    f"{group}_{part}"
    for group in ("police", "formed_police", "experts", "troops", "total")
    for part in ("male", "female", "total")
)


@dataclass(frozen=True)
class PeacekeepingMapping:
    """seed/data/ipi_mapping.yaml: what every mission is, and the slugs that are not the
    acronym's own."""

    kind: str
    lead_organization: str  # slug
    threats: tuple[str, ...]  # threat category slugs
    missions: dict[str, str]  # acronym -> operation slug
    names: dict[str, str]  # acronym -> official name (the others are named by the acronym)


@dataclass(frozen=True)
class MissionRecord:
    locator: str
    acronym: str
    slug: str
    host_id: int
    headquarters: str | None
    latitude: float | None
    longitude: float | None


@dataclass(frozen=True)
class MissionMonthRecord:
    locator: str
    acronym: str
    slug: str
    month: date  # its first day
    host_id: int | None
    latitude: float | None
    longitude: float | None


@dataclass(frozen=True)
class ContributionMonthRecord:
    locator: str
    acronym: str
    slug: str
    country_id: int
    iso3: str
    month: date  # its first day
    figures: dict[str, int | None]  # FIGURES but `total_total`
    total: int


PeacekeepingRecord = MissionRecord | MissionMonthRecord | ContributionMonthRecord


@dataclass
class _Operation:
    id: int
    modified_in_version: int
    host_country_id: int | None
    start_date: date | None
    end_date: date | None
    headquarters: str | None
    latitude: float | None
    longitude: float | None


# What became of a mission's rows.
CREATED, MERGED, ALREADY, CURATORS = "created", "merged", "already imported", "curators"


class PeacekeepingWriter(DatasetWriter):
    def __init__(
        self, session: Session, source_id: str, mapping: PeacekeepingMapping, report: ImportReport
    ) -> None:
        super().__init__(session, source_id, report)
        self.mapping = mapping
        self.iso3: dict[int, str] = dict(session.execute(select(Country.id, Country.iso3)).all())
        self.lead_id = session.scalar(
            select(Organization.id).where(Organization.slug == mapping.lead_organization)
        )
        if self.lead_id is None:
            raise ImportFailed(f"unknown lead organization {mapping.lead_organization!r}")
        threats = dict(session.execute(select(ThreatCategory.slug, ThreatCategory.id)).all())
        unknown = sorted(set(mapping.threats) - threats.keys())
        if unknown:
            raise ImportFailed(f"unknown threat categories in the mapping: {unknown}")
        self.threat_ids = [threats[slug] for slug in mapping.threats]
        self.operations = self._load_operations()
        self.cited: dict[int, set[str]] = defaultdict(set)  # operation id -> locators
        for locator, operation_id in self.cited_rows("operation_id"):
            self.cited[operation_id].add(locator or "")
        self.withdrawn = self._withdrawn_locators()

    def _load_operations(self) -> dict[str, _Operation]:
        rows = self.session.execute(
            select(
                Operation.id,
                Operation.modified_in_version,
                Operation.host_country_id,
                Operation.start_date,
                Operation.end_date,
                Operation.headquarters,
                Operation.latitude,
                Operation.longitude,
                Operation.slug,
            )
        )
        return {row.slug: _Operation(*row[:-1]) for row in rows}

    def _withdrawn_locators(self) -> set[str]:
        """This dataset's locators behind operations and contributions curators deleted."""
        deleted = deleted_by_curators(self.session, (OPERATIONS.entity, CONTRIBUTION))
        snapshots = [
            resource
            for (entity, _), before in deleted.items()
            for resource in (
                [before, *before.get("contributors", [])]
                if entity == OPERATIONS.entity
                else [before]
            )
            if isinstance(resource, dict)
        ]
        return {
            source["locator"]
            for resource in snapshots
            for source in resource.get("sources", [])
            if source.get("source_id") == self.source_id and source.get("locator")
        }

    # --- the run ---------------------------------------------------------------------------

    def write(self, records: Sequence[PeacekeepingRecord], progress: Progress) -> None:
        missions = [r for r in records if isinstance(r, MissionRecord)]
        mission_months = [r for r in records if isinstance(r, MissionMonthRecord)]
        contributions = [r for r in records if isinstance(r, ContributionMonthRecord)]
        outcomes = self._write_operations(missions, mission_months)
        progress(len(missions) + len(mission_months))
        self._write_contributions(contributions, outcomes, progress)

    def _count(self, outcome: str, rows: int = 1) -> None:
        if outcome == CREATED:
            self.report.created += rows
        elif outcome == MERGED:
            self.report.merged += rows
        elif outcome == ALREADY:
            self.report.already_imported += rows
        else:
            self.report.left_to_curators += rows

    # --- operations ------------------------------------------------------------------------

    def _write_operations(
        self, missions: list[MissionRecord], mission_months: list[MissionMonthRecord]
    ) -> dict[str, str]:
        """Every mission's operation, created or matched; the outcome per slug."""
        months: defaultdict[str, list[MissionMonthRecord]] = defaultdict(list)
        for row in mission_months:
            months[row.acronym].append(row)
        known = {mission.acronym for mission in missions}
        for acronym, rows in months.items():
            if acronym not in known:
                for row in rows:
                    self.report.rejected.append(
                        Rejection(row.locator, "mission not in missions.json")
                    )
        every_month = [row.month for row in mission_months]
        self.coverage = (min(every_month), max(every_month)) if every_month else None
        groups: defaultdict[str, list[MissionRecord]] = defaultdict(list)
        for mission in missions:
            groups[mission.slug].append(mission)
            self._check_months(mission, months[mission.acronym])
        outcomes: dict[str, str] = {}
        for slug, group in groups.items():
            by_mission = {m.acronym: sorted(row.month for row in months[m.acronym]) for m in group}
            outcome = self._operation(slug, group, by_mission)
            outcomes[slug] = outcome
            for mission in group:
                self._count(outcome, 1 + len(months[mission.acronym]))
        return outcomes

    def _check_months(self, mission: MissionRecord, rows: list[MissionMonthRecord]) -> None:
        for row in rows:
            if row.host_id != mission.host_id:
                self.report.note(
                    "host differs from missions.json: missions.json's kept", row.locator
                )
            if (
                mission.latitude is not None
                and row.latitude is not None
                and (
                    abs(row.latitude - mission.latitude) > 0.01
                    or abs((row.longitude or 0) - (mission.longitude or 0)) > 0.01
                )
            ):
                self.report.note(
                    "HQ coordinates differ from missions.json: missions.json's kept", row.locator
                )

    def _locator(self, mission: MissionRecord, months: list[date]) -> str:
        # The months are cited with the mission: they are what dates the operation here.
        span = (
            f"{len(months)} months, {month_text(months[0])} to {month_text(months[-1])}"
            if months
            else "no months"
        )
        return f"{mission.locator}; mission_months_1990_2017.csv: {span}"

    def _operation(
        self, slug: str, group: list[MissionRecord], by_mission: dict[str, list[date]]
    ) -> str:
        existing = self.operations.get(slug)
        primary = next((m for m in group if slugify(m.acronym) == slug), group[0])
        locators = {m.acronym: self._locator(m, by_mission[m.acronym]) for m in group}
        months = sorted(month for months in by_mission.values() for month in months)
        if existing is None:
            if any(locator in self.withdrawn for locator in locators.values()):
                return CURATORS
            existing = self._create(slug, primary, group, months)
            outcome = CREATED
        elif curated(existing.modified_in_version):
            return CURATORS
        else:
            outcome = ALREADY if self.cited[existing.id] else MERGED
            if outcome == MERGED:
                self._merge(slug, existing, primary, months)
            self._name(existing, primary.acronym)
        missing = [
            locator for locator in locators.values() if locator not in self.cited[existing.id]
        ]
        self.insert_rows(
            CITATIONS,
            [self.citation_row(locator, operation_id=existing.id) for locator in missing],
        )
        self.cited[existing.id].update(missing)
        return outcome

    def _create(
        self, slug: str, primary: MissionRecord, group: list[MissionRecord], months: list[date]
    ) -> _Operation:
        first, last = (months[0], months[-1]) if months else (None, None)
        coverage_first, coverage_last = self.coverage or (None, None)
        start = first if first is not None and first != coverage_first else None
        end = next_month(last) if last is not None and last != coverage_last else None
        self.insert_rows(
            OPERATIONS_TABLE,
            [
                {
                    "slug": slug,
                    "name": self.mapping.names.get(primary.acronym, primary.acronym),
                    "kind": OperationKind(self.mapping.kind),
                    "lead_organization_id": self.lead_id,
                    "host_country_id": primary.host_id,
                    "headquarters": primary.headquarters,
                    "latitude": primary.latitude,
                    "longitude": primary.longitude,
                    "start_date": start,
                    "start_precision": DatePrecision.month if start else None,
                    "end_date": end,
                    "end_precision": DatePrecision.month if end else None,
                    "note": self._operation_note(primary, group, first, last),
                }
            ],
        )
        operation_id = self.session.scalar(select(Operation.id).where(Operation.slug == slug))
        assert operation_id is not None  # just inserted
        self.insert_rows(
            operation_threats,
            [{"operation_id": operation_id, "threat_id": t} for t in self.threat_ids],
        )
        created = _Operation(
            operation_id, 0, primary.host_id, start, end,
            primary.headquarters, primary.latitude, primary.longitude,
        )  # fmt: skip
        self.operations[slug] = created
        return created

    def _name(self, operation: _Operation, acronym: str) -> None:
        """An operation an earlier import named by its acronym gets the name the mapping has
        for it since (the name a curator gave it is never replaced: it is no longer the
        acronym)."""
        name = self.mapping.names.get(acronym)
        if name is None:
            return
        renamed = self.session.execute(
            update(Operation)
            .where(Operation.id == operation.id, Operation.name == acronym)
            .values(name=name)
        )
        if renamed.rowcount:  # type: ignore[attr-defined]
            self.report.written["operations (named)"] += 1

    def _operation_note(
        self,
        primary: MissionRecord,
        group: list[MissionRecord],
        first: date | None,
        last: date | None,
    ) -> str:
        parts = [f"Named by its acronym in IPI's files ({primary.acronym})"]
        others = sorted(m.acronym for m in group if m is not primary)
        if others:
            parts.append(f"also listed there as {', '.join(others)}")
        if first is not None and last is not None and self.coverage is not None:
            parts.append(f"in IPI's monthly reports from {month_text(first)} to {month_text(last)}")
            if first == self.coverage[0]:
                parts.append(
                    "already there in the file's first month: its start is not in the file"
                )
            if last == self.coverage[1]:
                parts.append("still there in the file's last month: its end is not in the file")
        return "; ".join(parts) + "."

    def _merge(
        self, slug: str, operation: _Operation, mission: MissionRecord, months: list[date]
    ) -> None:
        """A curated operation: fill what it lacks, and report where the dataset differs."""
        locator = mission.locator
        empty = {
            column: value
            for column, value, current in (
                ("headquarters", mission.headquarters, operation.headquarters),
                ("latitude", mission.latitude, operation.latitude),
                ("longitude", mission.longitude, operation.longitude),
            )
            if current is None and value is not None
        }
        if empty:
            self.session.execute(
                update(Operation).where(Operation.id == operation.id).values(**empty)
            )
            self.report.written["operations (headquarters filled)"] += 1
        if operation.host_country_id != mission.host_id:
            curated_host = self.iso3.get(operation.host_country_id or 0, "none")
            self.report.note(
                f"{slug}: curated host ({curated_host}) kept; IPI gives "
                f"{self.iso3[mission.host_id]}",
                locator,
            )
        if months and operation.start_date and months[0] < operation.start_date.replace(day=1):
            self.report.note(
                f"{slug}: IPI's first month {month_text(months[0])} is before the curated "
                f"start {operation.start_date}: curated start kept",
                locator,
            )
        if months and operation.end_date and months[-1] >= operation.end_date:
            self.report.note(
                f"{slug}: IPI's last month {month_text(months[-1])} is after the curated "
                f"end {operation.end_date}: curated end kept",
                locator,
            )

    # --- contributions ---------------------------------------------------------------------

    def _write_contributions(
        self,
        rows: list[ContributionMonthRecord],
        outcomes: dict[str, str],
        progress: Progress,
    ) -> None:
        series: defaultdict[tuple[str, int], dict[date, ContributionMonthRecord]] = defaultdict(
            dict
        )
        for row in rows:
            outcome = outcomes.get(row.slug)
            if outcome is None:
                self.report.rejected.append(Rejection(row.locator, "mission not in missions.json"))
            elif outcome == CURATORS:
                self.report.left_to_curators += 1
            elif row.month in series[(row.slug, row.country_id)]:
                self.report.rejected.append(
                    Rejection(row.locator, "repeats a month of the same contributor and mission")
                )
            else:
                series[(row.slug, row.country_id)][row.month] = row
        spells = [
            (slug, country_id, spell)
            for (slug, country_id), by_month in sorted(series.items())
            for spell in _spells([by_month[m] for m in sorted(by_month)])
        ]
        coverage = (min(r.month for r in rows), max(r.month for r in rows)) if rows else None
        contribution_ids = self._spell_contributions(spells, coverage)
        self._insert_months(spells, contribution_ids, progress)

    def _spell_contributions(
        self,
        spells: list[tuple[str, int, list[ContributionMonthRecord]]],
        coverage: tuple[date, date] | None,
    ) -> dict[tuple[int, int, date], int]:
        """Each spell's contribution id, inserting the new ones with their citation."""
        operation_ids = {self.operations[slug].id for slug, _, _ in spells}
        existing = self._contributions(operation_ids)
        cited = {
            (contribution_id, locator)
            for locator, contribution_id in self.cited_rows("contribution_id")
        }
        new_rows, citations = [], []
        for slug, country_id, spell in spells:
            operation_id = self.operations[slug].id
            key = (operation_id, country_id, spell[0].month)
            locator = _spell_locator(spell)
            if key not in existing and locator in self.withdrawn:
                self.report.left_to_curators += len(spell)
                continue
            if key in existing:
                outcome = ALREADY if (existing[key], locator) in cited else MERGED
                self._count(outcome, len(spell))
            else:
                new_rows.append(self._contribution_row(operation_id, country_id, spell, coverage))
                self._count(CREATED, len(spell))
            citations.append((key, locator))
        for start in range(0, len(new_rows), BATCH_SIZE):
            self.insert_rows(CONTRIBUTIONS, new_rows[start : start + BATCH_SIZE])
        existing = self._contributions(operation_ids)
        self.insert_rows(
            CITATIONS,
            [
                self.citation_row(locator, contribution_id=existing[key])
                for key, locator in citations
                if (existing[key], locator) not in cited
            ],
        )
        return existing

    def _contributions(self, operation_ids: Iterable[int]) -> dict[tuple[int, int, date], int]:
        """The dated contributions of the operations by (operation, country, start)."""
        rows = self.session.execute(
            select(
                Contribution.id,
                Contribution.operation_id,
                Contribution.country_id,
                Contribution.start_date,
            ).where(Contribution.operation_id.in_(list(operation_ids)))
        )
        return {
            (operation_id, country_id, start): contribution_id
            for contribution_id, operation_id, country_id, start in rows
            if start is not None
        }

    def _contribution_row(
        self,
        operation_id: int,
        country_id: int,
        spell: list[ContributionMonthRecord],
        coverage: tuple[date, date] | None,
    ) -> dict[str, Any]:
        first, last = spell[0], spell[-1]
        notes = []
        if coverage and first.month == coverage[0]:
            notes.append(
                f"Serving in {month_text(first.month)}, the first month of IPI's contributor "
                "data: it may have begun earlier."
            )
        if coverage and last.month == coverage[1]:
            notes.append(
                f"Serving in {month_text(last.month)}, the last month of IPI's contributor "
                "data: whether and when it ended is unknown."
            )
        return {
            "operation_id": operation_id,
            "country_id": country_id,
            "start_date": first.month,
            "start_precision": DatePrecision.month,
            "end_date": next_month(last.month),
            "end_precision": DatePrecision.month,
            "personnel": last.total,
            "personnel_as_of_date": next_month(last.month) - timedelta(days=1),
            "personnel_as_of_precision": DatePrecision.day,
            "note": " ".join(notes) or None,
        }

    def _insert_months(
        self,
        spells: list[tuple[str, int, list[ContributionMonthRecord]]],
        contribution_ids: dict[tuple[int, int, date], int],
        progress: Progress,
    ) -> None:
        ids = set(contribution_ids.values())
        stored = {
            (contribution_id, month)
            for contribution_id, month in self.session.execute(
                select(ContributionMonth.contribution_id, ContributionMonth.month)
            )
            if contribution_id in ids
        }
        rows = []
        for slug, country_id, spell in spells:
            contribution_id = contribution_ids.get(
                (self.operations[slug].id, country_id, spell[0].month)
            )
            if contribution_id is None:  # withdrawn by curators
                continue
            for record in spell:
                if (contribution_id, record.month) not in stored:
                    rows.append(
                        {
                            "contribution_id": contribution_id,
                            "month": record.month,
                            **record.figures,
                            "total": record.total,
                            "source_id": self.source_id,
                            "locator": record.locator,
                        }
                    )
        for start in range(0, len(rows), BATCH_SIZE):
            self.insert_rows(MONTHS, rows[start : start + BATCH_SIZE])
        progress(sum(len(spell) for _, _, spell in spells))


def _spells(months: list[ContributionMonthRecord]) -> list[list[ContributionMonthRecord]]:
    """Runs of consecutive months (sorted input): a month without a row ends a run."""
    runs: list[list[ContributionMonthRecord]] = []
    for record in months:
        if runs and next_month(runs[-1][-1].month) == record.month:
            runs[-1].append(record)
        else:
            runs.append([record])
    return runs


def _spell_locator(spell: list[ContributionMonthRecord]) -> str:
    acronyms = ", ".join(dict.fromkeys(record.acronym for record in spell))
    first, last = spell[0].month, spell[-1].month
    return (
        f"contributions_2009_2014.csv: {spell[0].iso3} in {acronyms}, "
        f"{month_text(first)} to {month_text(last)} ({len(spell)} months)"
    )
