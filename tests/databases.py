"""Test databases: the one place that creates, migrates, seeds, copies and drops them.

Tests run on SQLite always, and on PostgreSQL too when DEFCOOP_TEST_POSTGRES_URL points at a
server (each database on it is created for the run and dropped after). A migrated and seeded
database takes seconds to build, so each backend builds one template per test session (the
`template_url` fixture in tests/conftest.py) and the tests that need seed data get copies of it:
an SQLite backup, or `CREATE DATABASE ... TEMPLATE` on PostgreSQL.
"""

import os
import sqlite3
import uuid
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app.cli import alembic_config
from app.core.config import Settings
from app.core.db import create_db_engine, session_factory
from seed.loader import load_seed

POSTGRES_URL = os.environ.get("DEFCOOP_TEST_POSTGRES_URL")
BACKENDS = os.environ.get(
    "DEFCOOP_TEST_BACKENDS", "sqlite,postgresql" if POSTGRES_URL else "sqlite"
).split(",")
if not set(BACKENDS) <= {"sqlite", "postgresql"} or ("postgresql" in BACKENDS and not POSTGRES_URL):
    raise pytest.UsageError("DEFCOOP_TEST_BACKENDS: sqlite and/or postgresql (with its URL)")


def _new_name() -> str:
    return f"defcoop_test_{uuid.uuid4().hex[:12]}"


def _on_server(statement: str) -> None:
    assert POSTGRES_URL is not None
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(statement))
    admin.dispose()


def _server_url(name: str) -> str:
    assert POSTGRES_URL is not None
    return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)


def create_database(backend: str, directory: Path) -> str:
    """The URL of a new, empty database of `backend` (an SQLite file in `directory`)."""
    if backend == "sqlite":
        return f"sqlite:///{directory / f'defcoop-{uuid.uuid4().hex[:8]}.db'}"
    name = _new_name()
    _on_server(f'CREATE DATABASE "{name}"')
    return _server_url(name)


def copy_database(template: str, directory: Path) -> str:
    """A new database holding what `template` holds (which nothing may have open)."""
    url = make_url(template)
    if url.get_backend_name() == "sqlite":
        target = directory / f"defcoop-{uuid.uuid4().hex[:8]}.db"
        # The backup API, not a file copy: it includes what is still in the write-ahead log.
        source_db = sqlite3.connect(url.database or "")
        target_db = sqlite3.connect(target)
        source_db.backup(target_db)
        source_db.close()
        target_db.close()
        return f"sqlite:///{target}"
    name = _new_name()
    _on_server(f'CREATE DATABASE "{name}" TEMPLATE "{url.database}"')
    return _server_url(name)


def drop_database(url: str) -> None:
    """Drop a PostgreSQL database; an SQLite file goes with its temporary directory."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        _on_server(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')


def migrate(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(Settings(database_url=url)), revision)


def seed(url: str) -> None:
    engine = create_db_engine(Settings(database_url=url))
    with session_factory(engine).begin() as session:
        load_seed(session)
    engine.dispose()


def seeded_database(backend: str, directory: Path) -> str:
    """A new database of `backend`, migrated to head and seeded."""
    url = create_database(backend, directory)
    migrate(url)
    seed(url)
    return url
