"""Fixtures for the write tests of the curated entities: a fresh migrated and seeded database
per test (a copy of the seeded template), an app on it and a curator key."""

from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from copy import deepcopy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from app.agreements.models import Agreement, AgreementParty
from app.audit.models import AuditEntry
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
from tests.conftest import make_key
from tests.databases import copy_database, drop_database

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

    async def ties(self, country: str, partner: str) -> int:
        """How many ties the pair's summary counts."""
        response = await self.client.get(f"/v1/countries/{country}/partners/{partner}")
        assert response.status_code == 200, response.text
        return int(response.json()["summary"]["ties"])

    async def audit(self, **params: Any) -> list[dict[str, Any]]:
        response = await self.client.get("/v1/audit", params=params, headers=self.auth)
        assert response.status_code == 200, response.text
        return list(response.json()["data"])

    async def tie(self, country: str, partner: str, initiative: str) -> dict[str, Any]:
        """The pair's tie through the initiative with slug `initiative`."""
        response = await self.client.get(f"/v1/countries/{country}/partners/{partner}")
        assert response.status_code == 200, response.text
        return next(t for t in response.json()["data"] if t["initiative"]["slug"] == initiative)

    async def link_threat(self, path: str) -> None:
        """PUT the threat link at `path` (`.../threats/{slug}`): answered 200, with the threat
        among the record's."""
        response = await self.client.put(path, headers=self.auth)
        assert response.status_code == 200, response.text
        assert path.rsplit("/", 1)[1] in [t["slug"] for t in response.json()["threats"]]

    async def unlink_threat(self, path: str) -> None:
        """DELETE the threat link at `path`: answered 204, and a second DELETE finds none."""
        assert (await self.client.delete(path, headers=self.auth)).status_code == 204
        await self.refused(404, "DELETE", path)

    async def audited_lifecycle(self, entity: str, field: str, before: Any, after: Any) -> None:
        """The audit of `entity` is a create, an update and a delete (newest first), and the
        update changed `field` from `before` to `after`."""
        entries = await self.audit(entity=entity)
        assert [e["operation"] for e in entries] == ["delete", "update", "create"]
        assert entries[1]["before"][field] == before
        assert entries[1]["after"][field] == after

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
    url = copy_database(template_url, tmp_path)
    secret = make_key(url, "tester")
    app = create_app(Settings(database_url=url, rate_limit_writes=100_000))
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield Curated(client, url, secret)
    finally:
        app.state.engine.dispose()
        drop_database(url)


# A refused creation: the body POSTed, the status it is refused with, what the detail says.
Refusal = tuple[dict[str, Any], int, str]


def refused_creations(
    path: str, refusals: Sequence[Refusal]
) -> Callable[..., Coroutine[Any, Any, None]]:
    """A test, one case a refusal: POSTing the body to `path` is refused with its status and a
    detail that says so, and changes nothing."""

    async def test(curated: Curated, body: dict[str, Any], status: int, says: str) -> None:
        problem = await curated.refused(status, "POST", path, json=body)
        assert says in problem["detail"]

    parametrized: Callable[..., Coroutine[Any, Any, None]]
    parametrized = pytest.mark.parametrize(("body", "status", "says"), refusals)(test)
    return parametrized


def request_body(**fields: Any) -> Callable[..., dict[str, Any]]:
    """A builder of a write's JSON body: `fields`, with the ones it is given added or replacing
    them; each body a copy of its own, which a test may change."""

    def build(**extra: Any) -> dict[str, Any]:
        return deepcopy({**fields, **extra})

    return build
