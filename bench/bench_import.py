"""Time `defcoop import mme`, `dcad` and `ipi-peacekeeping` on the bundled files, in the order of
`make seed`, and `defcoop import sipri` on a made-up trade register of SIPRI_ROWS rows in the
export's layout (SIPRI's data may not be redistributed: nothing of it is bundled), on a
fresh database per backend.

    .venv/bin/python bench/bench_import.py          # SQLite
    DEFCOOP_BENCH_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test \
        .venv/bin/python bench/bench_import.py      # SQLite and PostgreSQL

Migrating and seeding are timed apart from the import. The import runs the command's own
path (read the file, `run_import` in one transaction, commit); the re-import runs it again
on the same database and must change nothing.
"""

import csv
import os
import random
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
from app.imports.base import DatasetAdapter, file_checksum, run_import
from app.imports.dcad import DcadAdapter
from app.imports.ipi import IpiAdapter
from app.imports.mme import MmeAdapter
from app.imports.report import ImportReport
from app.imports.sipri import SipriAdapter
from seed.loader import load_seed

DATASETS: tuple[tuple[str, Callable[[], DatasetAdapter[Any]], Path], ...] = (
    ("mme", MmeAdapter, PROJECT_ROOT / "seed" / "datasets" / "mme_v7.csv"),
    ("dcad", DcadAdapter, PROJECT_ROOT / "seed" / "datasets" / "dcad-1.0" / "DCAD-v1.0-main.csv"),
    ("ipi", IpiAdapter, PROJECT_ROOT / "seed" / "datasets" / "ipi-peacekeeping"),
)
POSTGRES_URL = os.environ.get("DEFCOOP_BENCH_POSTGRES_URL")
SIPRI_ROWS = 20_000
# Names the alias table resolves, for the made-up register.
_STATES = [
    "United States", "Russia", "France", "Germany", "China", "United Kingdom", "Italy",
    "Israel", "South Korea", "Spain", "Indonesia", "India", "Saudi Arabia", "Egypt",
    "Australia", "Japan", "Malaysia", "Singapore", "Thailand", "Viet Nam", "Turkiye",
    "Pakistan", "Brazil", "Netherlands", "Sweden", "Norway", "Poland", "Canada",
]  # fmt: skip
_HEADER = (
    "Recipient,Supplier,Year of order, ,Number ordered, ,Weapon designation,Weapon "
    "description,Number delivered, ,Year(s) of delivery,status,Comments,SIPRI TIV per unit,"
    "SIPRI TIV for total order,SIPRI TIV of delivered weapons"
)


def made_up_register(path: Path, rows: int, seed: int = 1) -> None:
    """A trade register of random deals in SIPRI's CSV layout: no row is SIPRI data."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write("Made-up trade register for defcoop's benchmark\n\n" + _HEADER + "\n")
        writer = csv.writer(handle)
        for n in range(rows):
            supplier, recipient = rng.sample(_STATES, 2)
            year = rng.randint(1960, 2023)
            ordered = rng.randint(1, 50)
            delivered = rng.choice([ordered, rng.randint(0, ordered)])
            years = sorted({year + rng.randint(0, 4) for _ in range(rng.randint(0, 3))})
            tiv = round(rng.uniform(0.1, 50), 2)
            writer.writerow(
                [recipient, supplier, year, "", ordered, "", f"Model-{n}", "made-up weapon",
                 delivered, "", "; ".join(map(str, years)), "New", "", tiv,
                 round(tiv * ordered, 2), round(tiv * delivered, 2)]
            )  # fmt: skip


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


def _import(url: str, adapter: DatasetAdapter[Any], path: Path) -> Timed:
    engine = create_db_engine(Settings(database_url=url))
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


Datasets = tuple[tuple[str, Callable[[], DatasetAdapter[Any]], Path], ...]


def bench(backend: str, url: str, datasets: Datasets) -> list[Result]:
    migrate = _timed(lambda: command.upgrade(alembic_config(Settings(database_url=url)), "head"))
    seed = _timed(lambda: _seed(url))
    results = []
    for dataset, adapter, path in datasets:
        first = _import(url, adapter(), path)
        again = _import(url, adapter(), path)
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
    for r in results[: len(DATASETS)]:
        first = r.first.report
        print(
            f"{r.dataset}: {first.rows_read} rows, {first.created} created, {first.merged} "
            f"merged, {len(first.rejected)} rejected"
        )
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"{os.cpu_count()} CPUs, load average {load}")


def main() -> None:
    results = []
    with tempfile.TemporaryDirectory() as directory:
        register = Path(directory) / "trade-register.csv"
        made_up_register(register, SIPRI_ROWS)
        datasets = (*DATASETS, ("sipri", SipriAdapter, register))
        with _sqlite_database() as url:
            results.extend(bench("sqlite", url, datasets))
        if POSTGRES_URL:
            with _postgres_database(POSTGRES_URL) as url:
                results.extend(bench("postgresql", url, datasets))
    _print_table(results)


if __name__ == "__main__":
    main()
