"""Fixtures: a throwaway database per backend, migrated with Alembic and seeded once.

Tests run on SQLite always, and on PostgreSQL too when DEFCOOP_TEST_POSTGRES_URL points at a
server (a database on it is created for the run and dropped after). DEFCOOP_TEST_BACKENDS
(comma-separated) narrows that: CI runs `make test` on SQLite, then with `postgresql` alone.
"""

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from alembic import command
from fastapi import FastAPI
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app.auth.keys import create_key
from app.auth.models import Scope
from app.cli import alembic_config
from app.core.config import Settings
from app.core.db import create_db_engine, session_factory
from app.main import create_app
from seed.loader import load_seed

POSTGRES_URL = os.environ.get("DEFCOOP_TEST_POSTGRES_URL")
BACKENDS = os.environ.get(
    "DEFCOOP_TEST_BACKENDS", "sqlite,postgresql" if POSTGRES_URL else "sqlite"
).split(",")
if not set(BACKENDS) <= {"sqlite", "postgresql"} or ("postgresql" in BACKENDS and not POSTGRES_URL):
    raise pytest.UsageError("DEFCOOP_TEST_BACKENDS: sqlite and/or postgresql (with its URL)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without SQLite, drop the tests that run on no chosen backend: the SQLite run had them."""
    if "sqlite" in BACKENDS:
        return
    ran = [item for item in items if set(BACKENDS) & set(map(str, _params(item)))]
    config.hook.pytest_deselected(items=[item for item in items if item not in ran])
    items[:] = ran


def _params(item: pytest.Item) -> list[object]:
    callspec = getattr(item, "callspec", None)
    return list(callspec.params.values()) if callspec else []


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _create_database(backend: str, directory: Path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{directory / f'defcoop-{uuid.uuid4().hex[:8]}.db'}"
    assert POSTGRES_URL is not None
    name = f"defcoop_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)


def _drop_database(url: str) -> None:
    if not url.startswith("postgresql"):
        return
    assert POSTGRES_URL is not None
    name = make_url(url).database
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def migrate(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(Settings(database_url=url)), revision)


def seed(url: str) -> None:
    engine = create_db_engine(Settings(database_url=url))
    with session_factory(engine).begin() as session:
        load_seed(session)
    engine.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def seeded_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A database migrated to head and seeded, shared by the read-only tests of a backend."""
    url = _create_database(request.param, tmp_path_factory.mktemp("db"))
    migrate(url)
    seed(url)
    yield url
    _drop_database(url)


@pytest.fixture(params=BACKENDS)
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database for tests that migrate or write."""
    url = _create_database(request.param, tmp_path)
    yield url
    _drop_database(url)


@pytest.fixture(scope="module", params=BACKENDS)
def writable_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A migrated and seeded database of the test module's own, for tests that write."""
    url = _create_database(request.param, tmp_path_factory.mktemp("db"))
    migrate(url)
    seed(url)
    yield url
    _drop_database(url)


def make_key(
    url: str, name: str, scope: Scope = Scope.curator, expires_in_days: int | None = None
) -> str:
    """A new API key's secret."""
    engine = create_db_engine(Settings(database_url=url))
    with session_factory(engine).begin() as session:
        _, secret = create_key(
            session, name=name, scope=scope, by="tests", expires_in_days=expires_in_days
        )
    engine.dispose()
    return secret


@asynccontextmanager
async def client_for(
    app: FastAPI, address: str = "127.0.0.1", key: str | None = None
) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client calling the app in-process, from `address`, sending `key` if given."""
    transport = httpx.ASGITransport(app=app, client=(address, 50000))
    headers = {"X-API-Key": key} if key else {}
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver", headers=headers
    ) as client:
        yield client


@pytest.fixture(scope="session")
def app(seeded_url: str) -> FastAPI:
    # Schemathesis sends thousands of requests with made-up keys from one address; the
    # failed-authentication limit is tested on apps of its own (tests/test_writes_auth.py).
    return create_app(Settings(database_url=seeded_url, rate_limit_auth_failures=1_000_000))


@pytest.fixture
async def api(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client
