"""The dataset-neutral part of an import: the adapter contract and the run."""

import hashlib
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar, cast

from sqlalchemy import Table, func, insert, select
from sqlalchemy.orm import Session

from app.curation.changes import Changes
from app.datasets.models import Dataset
from app.imports.countries import CountryResolver
from app.imports.report import ImportFailed, ImportReport, Rejection
from app.sources.models import Citation, Source

RecordT = TypeVar("RecordT")
PlanT = TypeVar("PlanT")

# Records written per batch: each batch's new ids are read back with one IN list, which must
# stay under SQLite's limit of bound parameters.
BATCH_SIZE = 500

# The citations table as a plain table: every writer inserts its facts' citations in bulk (a
# Core INSERT of many rows is one executemany, with none of the ORM's work).
CITATIONS = cast(Table, Citation.__table__)

# Called with the number of steps just done; an import takes `total_steps(rows)` steps.
Progress = Callable[[int], None]


class UnresolvedNames(ImportFailed):
    """Participant names that resolve to no country; nothing was written."""

    def __init__(self, report: ImportReport) -> None:
        count = len(report.unresolved)
        names = "participant name resolves" if count == 1 else "participant names resolve"
        super().__init__(f"{count} {names} to no country")
        self.report = report


@dataclass(frozen=True)
class SourceRow:
    """One row of a dataset file, with where it stands in the dataset (cited as locator)."""

    locator: str
    fields: Mapping[str, str]


class DatasetAdapter(ABC, Generic[RecordT]):
    """What one dataset must provide; `run_import` does the rest.

    `RecordT` is the adapter's own record type (MME: `editions.EditionRecord`). Nothing in
    this module knows it, so adapters for other targets (memberships, agreements) fit beside
    each other without touching each other.
    """

    source_id: str  # the `Source.id` every imported fact cites

    @abstractmethod
    def read(self, path: Path) -> list[SourceRow]:
        """Every row of the file, or ImportFailed if the file is not this dataset."""

    @abstractmethod
    def parse(
        self, row: SourceRow, names: CountryResolver, report: ImportReport
    ) -> RecordT | Rejection:
        """One row as a record, or why it cannot be one. Writes nothing."""

    @abstractmethod
    def write(
        self, session: Session, records: Sequence[RecordT], report: ImportReport, progress: Progress
    ) -> None:
        """Bulk-load the records, idempotently, counting outcomes on the report."""


class Located(Protocol):
    @property
    def locator(self) -> str: ...


LocatedT = TypeVar("LocatedT", bound=Located)


class DatasetWriter:
    """What every dataset's writer holds: the session it writes through, the dataset its
    citations name and the report that counts what became of the rows."""

    def __init__(self, session: Session, source_id: str, report: ImportReport) -> None:
        self.session = session
        self.source_id = source_id
        self.report = report

    def cited_rows(self, target: str) -> list[tuple[str | None, int]]:
        """(locator, row id) of each of this dataset's citations of the rows `target` names
        (`edition_id`: editions): what an earlier import of it made or merged into."""
        row_id = getattr(Citation, target)
        statement = select(Citation.locator, row_id).where(
            Citation.source_id == self.source_id, row_id.is_not(None)
        )
        return [(locator, cited_id) for locator, cited_id in self.session.execute(statement)]

    def citation_row(self, locator: str, **target: Any) -> dict[str, Any]:
        """A row of the citations table: this dataset at `locator`, citing `target`."""
        return {"source_id": self.source_id, "locator": locator, **target}

    def insert_rows(self, table: Table, rows: list[dict[str, Any]]) -> None:
        """One executemany of new rows (none: nothing to run), counted on the report."""
        if rows:
            self.session.execute(insert(table), rows)
            self.report.written[table.name] += len(rows)


class MergingWriter(DatasetWriter, ABC, Generic[LocatedT, PlanT]):
    """A writer that matches each record, in batches, to the row an earlier import made of it
    (`row_ids`), else to a curated row it merges into (`_merge_target`), else plans a new row
    (`_plan`); a row curators changed or deleted is left to them. Agreements and editions
    match this way; what a match and a new row are is theirs."""

    # Locator -> the row an import made of it: a re-import completes that row, creates none.
    row_ids: dict[str, int]
    owned_by_curators: set[int]
    # Locators whose rows curators deleted.
    withdrawn: set[str]

    def write(self, records: Sequence[LocatedT], progress: Progress) -> None:
        for start in range(0, len(records), BATCH_SIZE):
            batch = records[start : start + BATCH_SIZE]
            self._write_batch(batch)
            progress(len(batch))

    def _write_batch(self, batch: Sequence[LocatedT]) -> None:
        targets: list[tuple[LocatedT, int]] = []
        planned: list[PlanT] = []
        for record in batch:
            if record.locator in self.withdrawn and record.locator not in self.row_ids:
                self.report.left_to_curators += 1
                continue
            record_id = self._existing(record)
            if record_id is None:
                planned.append(self._plan(record))
            elif record_id in self.owned_by_curators:
                self.report.left_to_curators += 1
            else:
                targets.append((record, record_id))
        targets.extend(self._insert_new(planned))
        self._complete(targets)

    def _existing(self, record: LocatedT) -> int | None:
        owned = self.owned_by_curators
        record_id = imported_before(self.row_ids, record.locator, owned, self.report)
        return record_id if record_id is not None else self._merge_target(record)

    @abstractmethod
    def _merge_target(self, record: LocatedT) -> int | None:
        """The unclaimed curated row the record matches, claimed and counted as merged (unless
        curators own it); None: no match."""

    @abstractmethod
    def _plan(self, record: LocatedT) -> PlanT:
        """What the record's new row will be; it is inserted with the rest of its batch."""

    @abstractmethod
    def _insert_new(self, planned: list[PlanT]) -> list[tuple[LocatedT, int]]:
        """Insert the planned rows: each one's record with the new row's id."""

    @abstractmethod
    def _complete(self, targets: list[tuple[LocatedT, int]]) -> None:
        """Add what each record's row lacks (its citation, its parties...)."""


def imported_before(
    row_ids: Mapping[str, int], locator: str, owned: Collection[int], report: ImportReport
) -> int | None:
    """The record a row made in an earlier import (None: none), counted as already imported
    unless curators have taken it over since (then the caller leaves it to them)."""
    record_id = row_ids.get(locator)
    if record_id is not None and record_id not in owned:
        report.already_imported += 1
    return record_id


def total_steps(rows: Sequence[SourceRow]) -> int:
    """Each row is one step when parsed and one when written."""
    return 2 * len(rows)


def _no_progress(_steps: int) -> None:
    return None


def file_checksum(path: Path) -> str:
    """The sha-256 of a dataset file, or of a folder's files (names and contents, by name)."""
    digest = hashlib.sha256()
    for file in sorted(path.iterdir()) if path.is_dir() else [path]:
        if path.is_dir():
            digest.update(file.name.encode() + b"\0")
        with file.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def run_import(
    session: Session,
    adapter: DatasetAdapter[RecordT],
    rows: Sequence[SourceRow],
    *,
    checksum: str,
    skip_unresolved: bool = False,
    progress: Progress = _no_progress,
) -> ImportReport:
    """Import the rows (read from a file whose sha-256 is `checksum`) in the caller's
    transaction, through the one change path (the ties of the initiatives the adapter wrote
    follow, the data version moves if anything changed), and record the import on the
    dataset's record; raise ImportFailed to write nothing."""
    started = time.perf_counter()
    report = ImportReport(adapter.source_id, rows_read=len(rows))
    _only_import_running(session)
    dataset = _require_dataset(session, adapter.source_id)
    names = CountryResolver.from_database(session)
    records = _parse(adapter, rows, names, report, progress)
    if report.unresolved and not skip_unresolved:
        raise UnresolvedNames(report)
    report.timings["parse"] = time.perf_counter() - started
    changes = Changes(session)
    try:
        writing = time.perf_counter()
        adapter.write(session, records, report, progress)
        report.timings["write"] = time.perf_counter() - writing
        progress(len(rows) - len(records))  # rejected rows have nothing to write
        derived = time.perf_counter()
        recorded = record_import(dataset, report, checksum)
        report.data_version = changes.finish(changed=report.changed or recorded)
        report.timings["derive ties"] = time.perf_counter() - derived
    finally:
        changes.close()
    if changes.ties_written:
        report.written["ties"] += changes.ties_written
    report.seconds = time.perf_counter() - started
    return report


def _parse(
    adapter: DatasetAdapter[RecordT],
    rows: Sequence[SourceRow],
    names: CountryResolver,
    report: ImportReport,
    progress: Progress,
) -> list[RecordT]:
    records: list[RecordT] = []
    seen: set[str] = set()
    for row in rows:
        # The locator is how a re-import finds the row again, so it must name one row.
        outcome = (
            Rejection(row.locator, "repeats the locator of an earlier row")
            if row.locator in seen
            else adapter.parse(row, names, report)
        )
        seen.add(row.locator)
        if isinstance(outcome, Rejection):
            report.rejected.append(outcome)
        else:
            records.append(outcome)
        progress(1)
    return records


# Any constant: the key of the PostgreSQL advisory lock that one import holds at a time.
_IMPORT_LOCK = 0x64656663


def _only_import_running(session: Session) -> None:
    """One import at a time: a second one would wait on the first's rows and fail at the end
    on their unique keys. On PostgreSQL it takes a lock held until its transaction ends (on
    SQLite the database's write lock serializes them; the command line reports a busy one)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    if not session.scalar(select(func.pg_try_advisory_xact_lock(_IMPORT_LOCK))):
        raise ImportFailed("another import is running; run this one when it has finished")


def _require_dataset(session: Session, source_id: str) -> Dataset:
    if session.get(Source, source_id) is None:
        raise ImportFailed(f"source {source_id!r} is not in the database: run `defcoop seed`")
    dataset = session.get(Dataset, source_id)
    if dataset is None:
        raise ImportFailed(
            f"dataset {source_id!r} has no record (seed/data/datasets.yaml): run `defcoop seed`"
        )
    return dataset


def record_import(dataset: Dataset, report: ImportReport, checksum: str) -> bool:
    """Record the import on the dataset's record, if it loaded something or read another file.

    A re-import of the same file that changes nothing keeps the record of the import that
    loaded the data (its rows would now all count as "already imported"), so it changes
    nothing at all, the data version included."""
    if not report.changed and dataset.file_sha256 == checksum:
        return False
    dataset.file_sha256 = checksum
    dataset.imported_at = datetime.now(UTC)
    dataset.rows_read = report.rows_read
    dataset.rows_imported = report.created
    dataset.rows_merged = report.merged
    dataset.rows_already_imported = report.already_imported
    dataset.rows_left_to_curators = report.left_to_curators
    dataset.rows_rejected = len(report.rejected)
    return True
