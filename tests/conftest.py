"""Fixtures: databases per backend (made by tests/databases.py), apps, clients and keys.

The seeded databases are copies of one template per backend and test session, migrated with
Alembic and seeded once. Tests run on SQLite always, and on PostgreSQL too when
DEFCOOP_TEST_POSTGRES_URL points at a server; DEFCOOP_TEST_BACKENDS (comma-separated) narrows
that: CI runs `make test` on SQLite, then with `postgresql` alone.
"""

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from app.auth.keys import create_key
from app.auth.models import Scope
from app.core.config import Settings
from app.core.db import create_db_engine, session_factory
from app.main import create_app
from tests.databases import (
    BACKENDS,
    copy_database,
    create_database,
    drop_database,
    seeded_database,
)

# The databases with a dataset imported, shared across modules (tests/imported.py).
pytest_plugins = ("tests.imported",)


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


@pytest.fixture(scope="session", params=BACKENDS)
def template_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """Migrated and seeded once per backend; never opened by a test or an app, only copied."""
    url = seeded_database(request.param, tmp_path_factory.mktemp("template"))
    yield url
    drop_database(url)


@pytest.fixture(scope="session")
def seeded_url(template_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database migrated to head and seeded, shared by the read-only tests of a backend."""
    url = copy_database(template_url, tmp_path_factory.mktemp("db"))
    yield url
    drop_database(url)


@pytest.fixture(scope="module")
def writable_url(template_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated and seeded database of the test module's own, for tests that write."""
    url = copy_database(template_url, tmp_path_factory.mktemp("db"))
    yield url
    drop_database(url)


@pytest.fixture
def fresh_url(template_url: str, tmp_path: Path) -> Iterator[str]:
    """A migrated and seeded database of the test's own."""
    url = copy_database(template_url, tmp_path)
    yield url
    drop_database(url)


@pytest.fixture(params=BACKENDS)
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database for tests that migrate or write."""
    url = create_database(request.param, tmp_path)
    yield url
    drop_database(url)


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
    app: FastAPI,
    address: str = "127.0.0.1",
    key: str | None = None,
    headers: dict[str, str] | None = None,
) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client calling the app in-process, from `address`, sending `key` if given
    and `headers` with every request."""
    transport = httpx.ASGITransport(app=app, client=(address, 50000))
    headers = {**(headers or {}), **({"X-API-Key": key} if key else {})}
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver", headers=headers
    ) as client:
        yield client


@pytest.fixture(scope="session")
def app(seeded_url: str) -> FastAPI:
    # Schemathesis sends thousands of requests with made-up keys from one address; the
    # failed-authentication limit is tested on apps of its own (tests/auth/test_auth.py).
    return create_app(Settings(database_url=seeded_url, rate_limit_auth_failures=1_000_000))


@pytest.fixture
async def api(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


def dyads_among(countries: list[str], first: int, last: int, **extra: Any) -> dict[str, Any]:
    """The query parameters of the dyad years among `countries` from `first` to `last`."""
    return {"year_gte": first, "year_lte": last, "country": countries, "within": "true", **extra}
