"""Exercise editions from any dataset: matched, merged with curated editions, bulk-inserted.

A record is matched, in this order, to:
1. the edition that already cites its locator (a re-import): nothing is created;
2. a curated edition of the same series and year that no row of the file has claimed: the
   row is merged into it (its citation, and the participants, flags and threats the
   curated edition lacks, are added; the curated values are never overwritten);
3. otherwise a new edition, in its series (created if needed, with the record's description
   and citing the record's `series_locator`), or, without a series, in a new series of its
   own.
Missing participants, flags and citations are added to matched editions too, so a re-import
after the alias table learnt a name completes the rows it had skipped.

Curators come first: an edition they changed through the write API (a participant, a threat
link or a field) is matched but left as it is, and a row whose edition (or series) they deleted
is skipped, so that a re-import (`make run` imports on every start) never undoes their work.

Writes go in batches of plain INSERTs (one executemany per table and batch), with lookups
preloaded into dicts and the new ids read back by natural key: no ORM objects.
"""

import itertools
import re
import unicodedata
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from app.curation.changes import curated, deleted_by_curators
from app.curation.writes.exercises import EDITION as EDITION_ENTITY
from app.curation.writes.exercises import EXERCISES
from app.exercises.models import (
    ActivityKind,
    Domain,
    ExerciseEdition,
    ExerciseSeries,
    ParticipantRole,
    Participation,
    edition_activities,
    edition_domains,
    edition_threats,
)
from app.imports.base import CITATIONS, MergingWriter, Progress
from app.imports.dates import PartialDate
from app.imports.report import ImportFailed, ImportReport
from app.threats.models import ThreatCategory

# Plain tables: a Core INSERT of many rows is one executemany, with none of the ORM's work.
EDITIONS = cast(Table, ExerciseEdition.__table__)
PARTICIPATIONS = cast(Table, Participation.__table__)
SERIES = cast(Table, ExerciseSeries.__table__)
_SLUG_BASE_LENGTH = 100  # leaves room for "-{year}-{suffix}-{n}" within the column's 160


@dataclass(frozen=True)
class EditionRecord:
    locator: str  # cited with the dataset: where the row stands in it, e.g. "mme243"
    slug_suffix: str  # what tells this row's slug from another's, e.g. "mme243"
    series_name: str | None  # None: a one-off exercise
    name: str
    year: int
    start: PartialDate
    end: PartialDate | None
    location: str | None
    latitude: float | None
    longitude: float | None
    description: str | None
    note: str | None
    country_ids: tuple[int, ...]
    activities: frozenset[ActivityKind]
    domains: frozenset[Domain]
    threats: frozenset[str]  # threat category slugs
    # How the row names its series, cited by the series it creates: e.g. "Series_Name Cobra Gold".
    series_locator: str | None = None
    series_description: str | None = None  # given to the series the record creates
    slug_base: str | None = None  # the edition's slug before its suffix; default series-year


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:_SLUG_BASE_LENGTH].rstrip("-")


def unique_slug(base: str, suffix: str, taken: Collection[str]) -> str:
    """`base`, else `base-suffix`, else `base-suffix-2`, `-3`... whichever is free first."""
    with_suffix = base if base.endswith(f"-{suffix}") else f"{base}-{suffix}"
    numbered = (f"{with_suffix}-{n}" for n in itertools.count(2))
    return next(s for s in itertools.chain([base, with_suffix], numbered) if s not in taken)


@dataclass(frozen=True)
class _NewEdition:
    record: EditionRecord
    series_slug: str
    slug: str


class EditionWriter(MergingWriter[EditionRecord, _NewEdition]):
    def __init__(
        self, session: Session, source_id: str, report: ImportReport, locators: set[str]
    ) -> None:
        super().__init__(session, source_id, report)
        self.series_ids: dict[str, int] = dict(
            session.execute(select(ExerciseSeries.slug, ExerciseSeries.id)).all()
        )
        self.new_series: dict[str, dict[str, Any]] = {}  # slug -> row, within a batch
        self.threat_ids: dict[str, int] = dict(
            session.execute(select(ThreatCategory.slug, ThreatCategory.id)).all()
        )
        self._load_editions(locators)
        self._load_children()
        self.withdrawn = self._deleted_locators()

    def _load_editions(self, locators: set[str]) -> None:
        self.edition_citations: set[tuple[int, str | None]] = set()
        self.row_ids = {}
        for locator, edition_id in self.cited_rows("edition_id"):
            self.edition_citations.add((edition_id, locator))
            if locator in locators:
                self.row_ids[locator] = edition_id
        editions = self.session.execute(
            select(
                ExerciseEdition.id,
                ExerciseEdition.slug,
                ExerciseEdition.series_id,
                ExerciseEdition.year,
                ExerciseEdition.modified_in_version,
            ).order_by(ExerciseEdition.id)
        )
        self.edition_slugs: set[str] = set()
        # Editions that no row of this file has claimed, by (series id, year): merge targets.
        self.curated: defaultdict[tuple[int, int], list[int]] = defaultdict(list)
        # Editions changed through the write API: matched, never completed.
        self.owned_by_curators: set[int] = set()
        claimed = set(self.row_ids.values())
        for edition_id, slug, series_id, year, modified_in_version in editions:
            self.edition_slugs.add(slug)
            if edition_id not in claimed:
                self.curated[(series_id, year)].append(edition_id)
            if curated(modified_in_version):
                self.owned_by_curators.add(edition_id)

    def _deleted_locators(self) -> set[str]:
        """This dataset's rows behind the editions curators deleted, alone or with a series."""
        deleted = deleted_by_curators(self.session, (EDITION_ENTITY, EXERCISES.entity))
        editions = [
            edition
            for (entity, _), before in deleted.items()
            for edition in (before.get("editions", []) if entity == EXERCISES.entity else [before])
        ]
        return {
            source["locator"]
            for edition in editions
            for source in edition.get("sources", [])
            if source.get("source_id") == self.source_id and source.get("locator")
        }

    def _load_children(self) -> None:
        self.participations: dict[tuple[int, int], int] = {
            (edition_id, country_id): participation_id
            for participation_id, edition_id, country_id in self.session.execute(
                select(Participation.id, Participation.edition_id, Participation.country_id)
            )
        }
        self.participation_citations: set[tuple[int | None, str | None]] = {
            (participation_id, locator)
            for locator, participation_id in self.cited_rows("participation_id")
        }
        # Keys only: a threat link also carries its period and source (issue 15).
        self.links: dict[str, set[tuple[Any, ...]]] = {
            table.name: {
                tuple(row) for row in self.session.execute(select(*table.primary_key.columns))
            }
            for table in (edition_activities, edition_domains, edition_threats)
        }

    # --- the run ------------------------------------------------------------------------

    def write(self, records: Sequence[EditionRecord], progress: Progress) -> None:
        self._check_threats(records)
        super().write(records, progress)

    def _check_threats(self, records: Sequence[EditionRecord]) -> None:
        unknown = {slug for r in records for slug in r.threats} - self.threat_ids.keys()
        if unknown:
            raise ImportFailed(f"unknown threat categories in the mapping: {sorted(unknown)}")

    def _merge_target(self, record: EditionRecord) -> int | None:
        series_id = self.series_ids.get(self._series_slug(record))
        candidates = self.curated.get((series_id, record.year)) if series_id else None
        if candidates:
            edition_id = candidates.pop(0)
            if edition_id not in self.owned_by_curators:
                self.report.merged += 1
            return edition_id
        return None

    @staticmethod
    def _series_slug(record: EditionRecord) -> str:
        return slugify(record.series_name) if record.series_name else ""

    def _plan(self, record: EditionRecord) -> _NewEdition:
        suffix = slugify(record.slug_suffix)
        if record.series_name:
            series_slug = self._series_slug(record)
            edition_base = record.slug_base or f"{series_slug}-{record.year}"
            citation = record.series_locator or record.locator
        else:
            taken = self.series_ids.keys() | self.new_series.keys()
            series_slug = unique_slug(slugify(record.name) or "exercise", suffix, taken)
            edition_base = record.slug_base or series_slug
            citation = record.series_locator or record.locator
        if series_slug not in self.series_ids and series_slug not in self.new_series:
            self.new_series[series_slug] = {
                "slug": series_slug,
                "name": record.series_name or record.name,
                "description": record.series_description,
                "cite": citation,
            }
        slug = unique_slug(edition_base, suffix, self.edition_slugs)
        self.edition_slugs.add(slug)
        return _NewEdition(record, series_slug, slug)

    def _insert_new_series(self) -> None:
        if not self.new_series:
            return
        rows = list(self.new_series.values())
        self.new_series = {}
        self.insert_rows(
            SERIES,
            [{key: row[key] for key in ("slug", "name", "description")} for row in rows],
        )
        self.series_ids.update(
            self.session.execute(
                select(ExerciseSeries.slug, ExerciseSeries.id).where(
                    ExerciseSeries.slug.in_([row["slug"] for row in rows])
                )
            ).all()
        )
        self.insert_rows(
            CITATIONS,
            [
                self.citation_row(row["cite"], series_id=self.series_ids[row["slug"]])
                for row in rows
            ],
        )

    def _insert_new(self, planned: list[_NewEdition]) -> list[tuple[EditionRecord, int]]:
        # Before the editions: their rows need the ids of the series new to this batch.
        self._insert_new_series()
        if not planned:
            return []
        self.insert_rows(EDITIONS, [self._edition_row(new) for new in planned])
        ids = dict(
            self.session.execute(
                select(ExerciseEdition.slug, ExerciseEdition.id).where(
                    ExerciseEdition.slug.in_([new.slug for new in planned])
                )
            ).all()
        )
        self.report.created += len(planned)
        return [(new.record, ids[new.slug]) for new in planned]

    def _edition_row(self, new: _NewEdition) -> dict[str, Any]:
        record = new.record
        return {
            "series_id": self.series_ids[new.series_slug],
            "slug": new.slug,
            "name": record.name,
            "year": record.year,
            "start_date": record.start.first_day,
            "start_precision": record.start.precision,
            "end_date": record.end.first_day if record.end else None,
            "end_precision": record.end.precision if record.end else None,
            "location": record.location,
            "latitude": record.latitude,
            "longitude": record.longitude,
            "description": record.description,
            "note": record.note,
        }

    # --- what every edition of a row needs, added where missing -------------------------

    def _complete(self, targets: list[tuple[EditionRecord, int]]) -> None:
        self._insert_participations(targets)
        link_rows: dict[Table, list[dict[str, Any]]] = defaultdict(list)
        citations: list[dict[str, Any]] = []
        for record, edition_id in targets:
            for table, row in self._missing_links(record, edition_id):
                link_rows[table].append(row)
            if (edition_id, record.locator) not in self.edition_citations:
                self.edition_citations.add((edition_id, record.locator))
                citations.append(self._citation(record, edition_id=edition_id))
        for table, rows in link_rows.items():
            self.insert_rows(table, rows)
        self.insert_rows(CITATIONS, citations)
        self.insert_rows(CITATIONS, self._participation_citations(targets))

    def _citation(self, record: EditionRecord, **target: int) -> dict[str, Any]:
        return self.citation_row(record.locator, **target)

    def _missing_links(
        self, record: EditionRecord, edition_id: int
    ) -> list[tuple[Table, dict[str, Any]]]:
        wanted: list[tuple[Table, str, Any]] = [
            *((edition_activities, "activity", a) for a in sorted(record.activities)),
            *((edition_domains, "domain", d) for d in sorted(record.domains)),
            *((edition_threats, "threat_id", self.threat_ids[t]) for t in sorted(record.threats)),
        ]
        missing = []
        for table, column, value in wanted:
            existing = self.links[table.name]
            if (edition_id, value) not in existing:
                existing.add((edition_id, value))
                missing.append((table, {"edition_id": edition_id, column: value}))
        return missing

    def _insert_participations(self, targets: list[tuple[EditionRecord, int]]) -> None:
        missing = list(
            dict.fromkeys(
                (edition_id, country_id)
                for record, edition_id in targets
                for country_id in record.country_ids
                if (edition_id, country_id) not in self.participations
            )
        )
        if not missing:
            return
        self.insert_rows(
            PARTICIPATIONS,
            [
                {
                    "edition_id": edition_id,
                    "country_id": country_id,
                    # Co-participation datasets (MME, JME) record neither roles nor hosts;
                    # a dataset that does would carry them on its record.
                    "role": ParticipantRole.full_participant,
                    "is_host": False,
                }
                for edition_id, country_id in missing
            ],
        )
        edition_ids = {edition_id for edition_id, _ in missing}
        self.participations.update(
            ((edition_id, country_id), participation_id)
            for participation_id, edition_id, country_id in self.session.execute(
                select(Participation.id, Participation.edition_id, Participation.country_id).where(
                    Participation.edition_id.in_(edition_ids)
                )
            )
        )

    def _participation_citations(
        self, targets: list[tuple[EditionRecord, int]]
    ) -> list[dict[str, Any]]:
        citations = []
        for record, edition_id in targets:
            for country_id in record.country_ids:
                participation_id = self.participations[(edition_id, country_id)]
                if (participation_id, record.locator) not in self.participation_citations:
                    self.participation_citations.add((participation_id, record.locator))
                    citations.append(self._citation(record, participation_id=participation_id))
        return citations
