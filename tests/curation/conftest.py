"""Fixtures for the write tests of the curated entities: a fresh migrated and seeded database
per test (cloned from a template seeded once per backend), an app on it and a curator key."""

import sqlite3
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from app.agreements.models import Agreement, AgreementParty
from app.audit.models import AuditEntry
from app.auth.keys import create_key
from app.auth.models import Scope
from app.cooperation.models import Tie
from app.core.config import Settings
from app.core.db import create_db_engine, session_factory
from app.countries.models import Country
from app.exercises.models import ExerciseEdition, ExerciseSeries, Participation
from app.main import create_app
from app.operations.models import Contribution, Operation
from app.sources.models import Citation, Source
from app.system.models import DataState
from app.threats.models import ThreatCategory
from tests.conftest import BACKENDS, POSTGRES_URL, _create_database, _drop_database, migrate, seed

COUNTED = (
    ExerciseSeries,
    ExerciseEdition,
    Participation,
    Agreement,
    AgreementParty,
    Operation,
    Contribution,
    ThreatCategory,
    Source,
    Citation,
    Tie,
    AuditEntry,
)


@pytest.fixture(scope="session", params=BACKENDS)
def template_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """Migrated and seeded once per backend; never written by a test, only cloned."""
    url = _create_database(request.param, tmp_path_factory.mktemp("template"))
    migrate(url)
    seed(url)
    yield url
    _drop_database(url)


def _clone(template: str, directory: Path) -> str:
    if template.startswith("sqlite"):
        target = directory / f"defcoop-{uuid.uuid4().hex[:8]}.db"
        source_db = sqlite3.connect(make_url(template).database or "")
        target_db = sqlite3.connect(target)
        source_db.backup(target_db)
        source_db.close()
        target_db.close()
        return f"sqlite:///{target}"
    assert POSTGRES_URL is not None
    name = f"defcoop_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        template_name = make_url(template).database
        connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template_name}"'))
    admin.dispose()
    return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)


@dataclass
class Curated:
    """A client on a fresh seeded database, with a curator key and a way to look inside."""

    client: httpx.AsyncClient
    url: str
    key: str

    @property
    def auth(self) -> dict[str, str]:
        return {"X-API-Key": self.key}

    def _scalar(self, statement: Any) -> Any:
        engine = create_db_engine(Settings(database_url=self.url))
        try:
            with session_factory(engine)() as session:
                return session.scalar(statement)
        finally:
            engine.dispose()

    def data_version(self) -> int:
        return int(self._scalar(select(DataState.version).where(DataState.id == 1)))

    def counts(self) -> dict[str, int]:
        engine = create_db_engine(Settings(database_url=self.url))
        try:
            with session_factory(engine)() as session:
                return {
                    model.__tablename__: session.scalar(select(func.count()).select_from(model))
                    or 0
                    for model in COUNTED
                }
        finally:
            engine.dispose()

    def country_version(self, iso3: str) -> int:
        return int(self._scalar(select(Country.modified_in_version).where(Country.iso3 == iso3)))

    async def audit(self, **params: Any) -> list[dict[str, Any]]:
        response = await self.client.get("/v1/audit", params=params, headers=self.auth)
        assert response.status_code == 200, response.text
        return list(response.json()["data"])

    async def refused(self, status: int, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        """The write is refused with `status` as problem+json, and changes nothing."""
        version, counts = self.data_version(), self.counts()
        headers = {**self.auth, **kwargs.pop("headers", {})}
        response = await self.client.request(method, path, headers=headers, **kwargs)
        assert response.status_code == status, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert self.data_version() == version
        assert self.counts() == counts
        return dict(response.json())


@pytest.fixture
async def curated(template_url: str, tmp_path: Path) -> AsyncIterator[Curated]:
    url = _clone(template_url, tmp_path)
    engine = create_db_engine(Settings(database_url=url))
    with session_factory(engine).begin() as session:
        _, secret = create_key(session, name="tester", scope=Scope.curator)
    engine.dispose()
    app = create_app(Settings(database_url=url, rate_limit_writes=100_000))
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield Curated(client, url, secret)
    finally:
        app.state.engine.dispose()
        _drop_database(url)
