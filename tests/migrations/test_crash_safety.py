"""kill -9 in the middle of a revision: the database stays at the last revision it completed,
with its data, and a rerun of the same command succeeds."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, inspect, select, text

from app.core.config import PROJECT_ROOT
from app.core.migrations import head_revision
from app.countries.models import Country
from tests.databases import create_database, drop_database, migrate

# Each case starts the CLI in subprocesses (about 8 s apiece).
pytestmark = pytest.mark.slow

# Runs the CLI, killing itself (SIGKILL: no cleanup, no rollback by Python) right after the
# database has executed the first statement that starts with argv[1].
KILLER = """
import os, signal, sys
from sqlalchemy import event
from sqlalchemy.engine import Engine

prefix = sys.argv.pop(1)  # empty: never kill

@event.listens_for(Engine, "after_cursor_execute")
def kill(conn, cursor, statement, parameters, context, executemany):
    if prefix and statement.lstrip().upper().startswith(prefix):
        os.kill(os.getpid(), signal.SIGKILL)

from app.cli import cli
cli()
"""


def _defcoop(url: str, *args: str, kill_after: str = "") -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", KILLER, kill_after]
    env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(PROJECT_ROOT)}
    return subprocess.run(
        [*command, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def _schema(url: str) -> dict[str, object]:
    engine = create_engine(url)
    try:
        inspector = inspect(engine)
        schema: dict[str, object] = {}
        for table in sorted(inspector.get_table_names()):
            columns = [
                (c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(table)
            ]
            indexes = sorted(str(sorted(i.items())) for i in inspector.get_indexes(table))
            foreign_keys = sorted(str(sorted(f.items())) for f in inspector.get_foreign_keys(table))
            schema[table] = (columns, indexes, foreign_keys)
        with engine.connect() as connection:
            schema["alembic_version"] = (
                connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
            )
        return schema
    finally:
        engine.dispose()


def _countries(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(select(func.count()).select_from(Country)).scalar_one()
    finally:
        engine.dispose()


@pytest.fixture
def reference_schema(empty_url: str, tmp_path: Path) -> dict[str, object]:
    """The schema of a database migrated to head without interruption, on the same backend."""
    url = create_database(_backend(empty_url), tmp_path / "reference")
    try:
        migrate(url)
        return _schema(url)
    finally:
        drop_database(url)


def _backend(url: str) -> str:
    return "postgresql" if url.startswith("postgresql") else "sqlite"


# Where to kill, per backend: adding or dropping a column rebuilds the table on SQLite
# (copy, drop the original, rename), and is one ALTER TABLE on PostgreSQL.
MID_REBUILD = {"sqlite": "DROP TABLE COUNTRIES", "postgresql": "ALTER TABLE COUNTRIES"}


@pytest.mark.parametrize(
    "kill_after",
    [
        "CREATE TABLE API_KEYS",  # the first statement of the second revision
        "mid-rebuild",  # the middle of the second revision, between drop and rename on SQLite
        "CREATE TABLE PARTNER_CO_THREATS",  # the second statement of the third revision
    ],
)
def test_upgrade_killed_part_way_then_rerun_reaches_head(
    empty_url: str, reference_schema: dict[str, object], kill_after: str
) -> None:
    if kill_after == "mid-rebuild":
        kill_after = MID_REBUILD[_backend(empty_url)]
    killed = _defcoop(empty_url, "db", "upgrade", kill_after=kill_after)
    assert killed.returncode == -9, killed.stderr  # it did reach the statement
    rerun = _defcoop(empty_url, "db", "upgrade")
    assert rerun.returncode == 0, rerun.stderr
    assert _schema(empty_url) == reference_schema
    assert reference_schema["alembic_version"] == [head_revision()]


def test_downgrade_killed_inside_a_table_rebuild_loses_no_row(empty_url: str) -> None:
    """Dropping a column on SQLite copies the table and drops the original: a kill between the
    two must not leave the database without it."""
    migrate(empty_url)
    assert _defcoop(empty_url, "seed").returncode == 0
    countries = _countries(empty_url)
    kill_after = MID_REBUILD[_backend(empty_url)]
    killed = _defcoop(empty_url, "db", "downgrade", "51568650fd6e", kill_after=kill_after)
    assert killed.returncode == -9, killed.stderr
    assert _countries(empty_url) == countries
    rerun = _defcoop(empty_url, "db", "downgrade", "51568650fd6e")
    assert rerun.returncode == 0, rerun.stderr
    assert _countries(empty_url) == countries
    assert _defcoop(empty_url, "db", "upgrade").returncode == 0
    assert _countries(empty_url) == countries
