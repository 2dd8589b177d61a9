"""Time `defcoop import mme` and `defcoop import atop` on the bundled files (MME v7, then ATOP
5.1, as `make seed` runs them), on a fresh database per backend.

    .venv/bin/python bench/bench_import.py          # SQLite
    DEFCOOP_BENCH_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test \
        .venv/bin/python bench/bench_import.py      # SQLite and PostgreSQL

Migrating and seeding are timed apart from the import. The import runs the command's own
path (read the file, `run_import` in one transaction, commit); the re-import runs it again
on the same database and must change nothing.
"""

import os
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app.cli import alembic_config
from app.core.config import PROJECT_ROOT, Settings
from app.core.db import create_db_engine, session_factory
from app.imports.atop import AtopAdapter
from app.imports.base import DatasetAdapter, file_checksum, run_import
from app.imports.mme import MmeAdapter
from app.imports.report import ImportReport
from seed.loader import load_seed

DATASETS: dict[str, tuple[Callable[[], DatasetAdapter[Any]], Path]] = {
    "mme": (MmeAdapter, PROJECT_ROOT / "seed" / "datasets" / "mme_v7.csv"),
    "atop": (AtopAdapter, PROJECT_ROOT / "seed" / "datasets" / "atop-5.1"),
}
POSTGRES_URL = os.environ.get("DEFCOOP_BENCH_POSTGRES_URL")


@dataclass
class Timed:
    report: ImportReport
    cpu: float  # this process's CPU time: steadier than wall time on a busy machine


@dataclass
class Result:
    backend: str
    dataset: str
    migrate: float
    seed: float
    first: Timed
    again: Timed


def _timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def _seed(url: str) -> None:
    engine = create_db_engine(Settings(database_url=url))
    with session_factory(engine).begin() as session:
        load_seed(session)
    engine.dispose()


def _import(url: str, dataset: str) -> Timed:
    engine = create_db_engine(Settings(database_url=url))
    make_adapter, path = DATASETS[dataset]
    adapter = make_adapter()
    started, cpu_started = time.perf_counter(), time.process_time()
    with session_factory(engine).begin() as session:
        report = run_import(session, adapter, adapter.read(path), checksum=file_checksum(path))
    report.seconds = time.perf_counter() - started  # reading the file and the commit included
    cpu = time.process_time() - cpu_started
    engine.dispose()
    return Timed(report, cpu)


@contextmanager
def _sqlite_database() -> Iterator[str]:
    with tempfile.TemporaryDirectory() as directory:
        yield f"sqlite:///{Path(directory) / 'bench.db'}"


@contextmanager
def _postgres_database(server_url: str) -> Iterator[str]:
    name = f"defcoop_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def bench(backend: str, url: str) -> list[Result]:
    migrate = _timed(lambda: command.upgrade(alembic_config(Settings(database_url=url)), "head"))
    seed = _timed(lambda: _seed(url))
    results = []
    for dataset in DATASETS:
        first = _import(url, dataset)
        again = _import(url, dataset)
        unchanged = again.report.created == again.report.merged == 0 and not again.report.changed
        assert unchanged, f"the re-import of {dataset} changed data"
        results.append(Result(backend, dataset, migrate, seed, first, again))
    return results


def _print_table(results: list[Result]) -> None:
    header = (
        f"{'backend':<11}{'dataset':<8}{'migrate s':>10}{'seed s':>8}{'import s':>10}"
        f"{'cpu s':>7}{'rows/s':>8}"
        f"{'parse s':>9}{'write s':>9}{'ties s':>8}{'re-import s':>13}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        first = r.first.report
        print(
            f"{r.backend:<11}{r.dataset:<8}{r.migrate:>10.2f}{r.seed:>8.2f}{first.seconds:>10.2f}"
            f"{r.first.cpu:>7.2f}{first.rows_read / first.seconds:>8.0f}"
            f"{first.timings['parse']:>9.2f}{first.timings['write']:>9.2f}"
            f"{first.timings['derive ties']:>8.2f}{r.again.report.seconds:>13.2f}"
        )
    print()
    for r in results:
        if r.backend == results[0].backend:
            first = r.first.report
            print(
                f"{r.dataset}: {first.rows_read} rows: {first.created} created, "
                f"{first.merged} merged, {len(first.rejected)} rejected"
            )
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"{os.cpu_count()} CPUs, load average {load}")


def main() -> None:
    results = []
    with _sqlite_database() as url:
        results.extend(bench("sqlite", url))
    if POSTGRES_URL:
        with _postgres_database(POSTGRES_URL) as url:
            results.extend(bench("postgresql", url))
    _print_table(results)


if __name__ == "__main__":
    main()
