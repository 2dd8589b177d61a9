"""`defcoop release OUT`: the whole database as a citable release, as ATOP and COW publish
theirs, in a folder named by data version and date (`defcoop-v12-2026-12-06/`):

- `data/<table>.csv`: every public table (`tables.public_tables`), and `data/dyad_years.csv`;
- `datapackage.json`: a Frictionless data package (each resource's schema with types, codes,
  primary and foreign keys, its size and sha-256);
- `codebook.md`: every table and column, its meaning, type, codes and missing values;
- `CITATION.cff` (CFF 1.2.0) and `README.md`: how to cite defcoop and each dataset it carries;
- `SHA256SUMS`: every file's sha-256 (`sha256sum -c SHA256SUMS`).

Every table is read in one snapshot (one read transaction; REPEATABLE READ on PostgreSQL). Rows
stream from the database to the files (`yield_per`; a server-side cursor on PostgreSQL),
so memory stays bounded whatever the size of the tables. The folder is written under a
temporary name and renamed when complete: a failed release leaves nothing that looks whole.
"""

import csv
import hashlib
import json
import shutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import extract, func, select, text
from sqlalchemy.orm import Session

from app import __version__
from app.analytics import dyads
from app.cooperation.models import Tie
from app.releases import codebook
from app.releases.tables import DYAD_YEARS, TableDoc, dyad_years_doc, public_tables, table_doc
from app.system import queries as system_queries
from app.system.citation import AUTHOR, TITLE, how_to_cite
from app.system.schemas import HowToCite

_CHUNK = 2_000
CHECKSUMS = "SHA256SUMS"
DATA_PACKAGE = "datapackage.json"


class ReleaseError(Exception):
    """A release that cannot be written or loaded, said in one line."""


@dataclass(frozen=True)
class Release:
    folder: Path
    data_version: int
    files: int
    bytes: int


def folder_name(data_version: int, released: date) -> str:
    return f"defcoop-v{data_version}-{released.isoformat()}"


def cell(value: Any) -> Any:
    """A value as a CSV cell: null is empty, booleans `true`/`false`, dates ISO 8601."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def _write_csv(path: Path, header: list[str], rows: Iterable[Iterable[Any]]) -> int:
    count = 0
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow([cell(value) for value in row])
            count += 1
    return count


def _table_rows(session: Session, doc: TableDoc) -> Iterator[Any]:
    assert doc.table is not None
    columns = [doc.table.c[field.name] for field in doc.fields]
    order = [doc.table.c[name] for name in doc.primary_key]
    result = session.execute(
        select(*columns).order_by(*order), execution_options={"yield_per": _CHUNK}
    )
    try:
        yield from result
    finally:
        result.close()


def _dyad_rows(session: Session, released: date) -> Iterator[list[Any]]:
    """Every dyad-year with a tie, from the year of the first tie to the release year."""
    first = session.scalar(select(func.min(extract("year", Tie.start_date))))
    filters = dyads.DyadFilters(year_gte=int(first or released.year), year_lte=released.year)
    for row in dyads.iter_dyad_years(session, filters, {}):
        yield dyads.csv_row(row, [])


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as data:
        while block := data.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def write_release(session: Session, out: Path, released: date) -> Release:
    """`session` must not have run a statement yet: the release reads one snapshot."""
    # Every table and the data version from one snapshot, so that a write during the release
    # is in all of it or none. pysqlite runs each SELECT in a transaction of its own unless
    # one is begun; PostgreSQL's default (READ COMMITTED) takes a snapshot per statement.
    if session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    else:
        session.execute(text("BEGIN"))
    state = system_queries.data_state(session)
    data_version = state.version if state else 0
    folder = out / folder_name(data_version, released)
    if folder.exists():
        raise ReleaseError(f"{folder} exists already; remove it or choose another OUT")
    partial = folder.with_name(folder.name + ".part")
    shutil.rmtree(partial, ignore_errors=True)
    (partial / "data").mkdir(parents=True)
    try:
        docs = [table_doc(table) for table in public_tables()]
        rows: dict[str, int] = {}
        for doc in docs:
            header = [field.name for field in doc.fields]
            rows[doc.name] = _write_csv(
                partial / "data" / f"{doc.name}.csv", header, _table_rows(session, doc)
            )
        dyad_doc = dyad_years_doc(dyads.csv_header([]))
        docs.append(dyad_doc)
        rows[DYAD_YEARS] = _write_csv(
            partial / "data" / f"{DYAD_YEARS}.csv",
            dyads.csv_header([]),
            _dyad_rows(session, released),
        )
        citation = how_to_cite(session, data_version, released)
        _write_package(partial, docs, data_version, released)
        (partial / "codebook.md").write_text(
            codebook.markdown(docs, rows, data_version, released), encoding="utf-8"
        )
        (partial / "CITATION.cff").write_text(
            _citation_cff(citation, data_version, released), encoding="utf-8"
        )
        (partial / "README.md").write_text(
            codebook.readme(citation, data_version, released), encoding="utf-8"
        )
        files = _write_checksums(partial)
        size = sum(path.stat().st_size for path in partial.rglob("*") if path.is_file())
        partial.rename(folder)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return Release(folder, data_version, files, size)


def _write_package(folder: Path, docs: list[TableDoc], data_version: int, released: date) -> None:
    resources = []
    for doc in docs:
        path = folder / "data" / f"{doc.name}.csv"
        resources.append(
            {
                "name": doc.name,
                "path": f"data/{doc.name}.csv",
                "type": "table",
                "scheme": "file",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "bytes": path.stat().st_size,
                "hash": f"sha256:{sha256(path)}",
                **({"description": doc.description} if doc.description else {}),
                "schema": codebook.table_schema(doc),
            }
        )
    package = {
        "name": "defcoop",
        "title": TITLE,
        "version": str(data_version),
        "created": f"{released.isoformat()}T00:00:00Z",
        "description": (
            f"defcoop data version {data_version}, released {released.isoformat()} "
            f"(software {__version__}): codebook.md describes every column; CITATION.cff and "
            "README.md say how to cite it and the datasets it carries."
        ),
        "contributors": [{"title": AUTHOR, "roles": ["author"]}],
        "resources": resources,
    }
    (folder / DATA_PACKAGE).write_text(json.dumps(package, indent=2) + "\n", encoding="utf-8")


def _citation_cff(citation: HowToCite, data_version: int, released: date) -> str:
    cff = {
        "cff-version": "1.2.0",
        "message": citation.note,
        "type": "dataset",
        "title": TITLE,
        "authors": [{"name": AUTHOR}],
        "version": f"data version {data_version}",
        "date-released": released.isoformat(),
        "abstract": "A database of international defense cooperation: which countries "
        "cooperate with which, through which channels, and against which threats; every "
        "fact with its sources.",
        "references": [
            {
                "type": "dataset",
                "title": dataset.name,
                "version": dataset.version,
                "authors": [{"name": dataset.publisher or dataset.name}],
                **({"url": dataset.url} if dataset.url else {}),
                "notes": f"Cite as: {dataset.citation} Terms: {dataset.terms}",
            }
            for dataset in citation.datasets
            if dataset.in_data
        ],
    }
    return yaml.safe_dump(cff, sort_keys=False, allow_unicode=True, width=100)


def _write_checksums(folder: Path) -> int:
    files = sorted(path for path in folder.rglob("*") if path.is_file())
    lines = [f"{sha256(path)}  {path.relative_to(folder).as_posix()}\n" for path in files]
    (folder / CHECKSUMS).write_text("".join(lines), encoding="utf-8")
    return len(files) + 1
