"""Concurrent writes in process, on SQLite and PostgreSQL: writers on one parent all land, and
a write that waits too long for SQLite's lock is a 503 that changes nothing.

The app runs sync routes in a thread pool, so concurrent requests through one in-process
client are concurrent transactions in the database. Lost updates under If-Match, through a
real server with two workers: tests/outside_in/test_concurrency.py.
"""

import asyncio
import sqlite3
from collections.abc import Iterator

import pytest
from fastapi import FastAPI

from app.core.config import Settings
from app.main import create_app
from tests.conftest import client_for, make_key

pytestmark = pytest.mark.anyio

SOURCE = [{"source": "article"}]


@pytest.fixture(scope="module")
def busy_app(writable_url: str) -> Iterator[FastAPI]:
    app = create_app(Settings(database_url=writable_url, rate_limit_writes=100_000))
    yield app
    app.state.engine.dispose()


async def test_concurrent_membership_writes_to_one_organization_all_land(
    busy_app: FastAPI, writable_url: str
) -> None:
    """Unconditional writers on one parent serialize; none overwrites another's member."""
    key = make_key(writable_url, "concurrent-members")
    codes = ["FJI", "TON", "WSM", "VUT", "PNG", "SLB", "KIR", "TUV", "NRU", "PLW", "FSM", "MHL"]
    async with client_for(busy_app, key=key) as api:
        created = await api.post(
            "/v1/organizations",
            json={"slug": "pacific-race", "name": "Pacific", "kind": "alliance", "sources": SOURCE},
        )
        assert created.status_code == 201
        body = {"periods": [{"role": "member", "start_date": "2020-01-01", "sources": SOURCE}]}
        responses = await asyncio.gather(
            *(
                api.put(f"/v1/organizations/pacific-race/members/{code}", json=body)
                for code in codes
            )
        )
        assert [r.status_code for r in responses] == [200] * len(codes)
        members = await api.get(
            "/v1/organizations/pacific-race/members", params={"as_of": "2021-01-01"}
        )
        partners = await api.get("/v1/countries/FJI/partners/TON")
    assert {m["country"]["iso3"] for m in members.json()["data"]} == set(codes)
    assert "pacific-race" in {t["initiative"]["slug"] for t in partners.json()["data"]}


async def test_a_write_waiting_too_long_for_the_sqlite_lock_is_a_503(writable_url: str) -> None:
    if not writable_url.startswith("sqlite"):
        pytest.skip("SQLite's database-wide write lock")
    app = create_app(Settings(database_url=writable_url, sqlite_busy_timeout_ms=200))
    key = make_key(writable_url, "impatient")
    holder = sqlite3.connect(writable_url.removeprefix("sqlite:///"), isolation_level=None)
    try:
        async with client_for(app, key=key) as api:
            before = (await api.get("/v1/meta")).json()["data_version"]
            holder.execute("BEGIN IMMEDIATE")
            response = await api.put("/v1/organizations/nato/threats/terrorism")
            holder.execute("ROLLBACK")
            assert response.status_code == 503, response.text
            assert response.headers["retry-after"] == "1"
            assert response.headers["content-type"] == "application/problem+json"
            assert (await api.get("/v1/meta")).json()["data_version"] == before
            retried = await api.put("/v1/organizations/nato/threats/terrorism")
            assert retried.status_code == 200
    finally:
        holder.close()
        app.state.engine.dispose()
