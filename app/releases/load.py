"""`defcoop load-release DIR`: a release's CSVs into an empty, migrated database.

The checksums are verified first, then each table is read in the order of the foreign keys
(parents first) and inserted in batches, one release file at a time in memory only by the
batch. The ties and their aggregates are not in a release: the change path derives them from
the loaded facts (`Changes.rederive_everything`), as the seed does. The data version is the
release's, so that answers and citations name the same version as the release.
"""

import csv
import json
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Enum,
    Float,
    Integer,
    Table,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.orm import Session

from app.core.db import UtcDateTime
from app.countries.models import Country
from app.curation.changes import Changes
from app.releases.bundle import CHECKSUMS, DATA_PACKAGE, ReleaseError, sha256
from app.releases.tables import public_tables, published_columns
from app.system.models import DataState

_BATCH = 1_000


def _converter(column: Column[Any]) -> Callable[[str], Any]:
    kind = column.type
    if isinstance(kind, Boolean):
        return lambda cell: cell == "true"
    if isinstance(kind, Integer):
        return int
    if isinstance(kind, Float):
        return float
    if isinstance(kind, Enum) and kind.enum_class is not None:
        return kind.enum_class
    if isinstance(kind, Date):
        return date.fromisoformat
    if isinstance(kind, UtcDateTime):
        return datetime.fromisoformat
    return str


def verify_checksums(folder: Path) -> None:
    listed = folder / CHECKSUMS
    if not listed.is_file():
        raise ReleaseError(f"{folder} is not a release: it has no {CHECKSUMS}")
    for line in listed.read_text(encoding="utf-8").splitlines():
        digest, _, name = line.partition("  ")
        path = folder / name
        if not path.is_file():
            raise ReleaseError(f"{name} is listed in {CHECKSUMS} but missing")
        if sha256(path) != digest:
            raise ReleaseError(f"{name} does not match its checksum: the release is damaged")


def _rows(path: Path, table: Table) -> Iterator[dict[str, Any]]:
    columns = published_columns(table)
    converters = {column.name: _converter(column) for column in columns}
    with path.open(encoding="utf-8", newline="") as data:
        reader = csv.DictReader(data)
        if reader.fieldnames != [column.name for column in columns]:
            raise ReleaseError(
                f"{path.name}: columns {reader.fieldnames} are not those of table "
                f"{table.name} in this version of defcoop"
            )
        for row in reader:
            yield {
                name: None if value == "" else converters[name](value)
                for name, value in row.items()
            }


def _batches(rows: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == _BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _reset_sequence(session: Session, table: Table) -> None:
    """PostgreSQL: the next generated id follows the loaded ones."""
    key = list(table.primary_key.columns)
    if len(key) != 1 or not isinstance(key[0].type, Integer) or key[0].autoincrement is False:
        return
    name = key[0].name
    session.execute(
        text(
            f"SELECT setval(pg_get_serial_sequence('{table.name}', '{name}'), "
            f"COALESCE(MAX({name}), 1), MAX({name}) IS NOT NULL) FROM {table.name}"
        )
    )


def load_release(session: Session, folder: Path) -> dict[str, int]:
    """Rows loaded per table; the database must be migrated and empty."""
    verify_checksums(folder)
    package = json.loads((folder / DATA_PACKAGE).read_text(encoding="utf-8"))
    paths = {resource["name"]: folder / resource["path"] for resource in package["resources"]}
    if session.scalar(select(func.count()).select_from(Country)):
        raise ReleaseError("the database is not empty: load a release into a new database")
    changes = Changes(session)
    loaded: dict[str, int] = {}
    try:
        for table in public_tables():
            path = paths.get(table.name)
            if path is None:
                raise ReleaseError(f"the release has no table {table.name}")
            loaded[table.name] = 0
            for batch in _batches(_rows(path, table)):
                session.execute(insert(table), batch)
                loaded[table.name] += len(batch)
            if session.bind is not None and session.bind.dialect.name == "postgresql":
                _reset_sequence(session, table)
        changes.rederive_everything()
        changes.finish(changed=False)
    finally:
        changes.close()
    session.merge(DataState(id=1, version=int(package["version"]), updated_at=datetime.now(UTC)))
    return loaded
