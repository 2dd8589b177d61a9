"""Concurrent writers on the same rows, on SQLite and PostgreSQL: no update is lost.

The app runs sync routes in a thread pool, so concurrent requests through one in-process
client are concurrent transactions in the database.
"""

import asyncio
import re
import sqlite3
from collections import Counter
from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI

from app.core.config import Settings
from app.main import create_app
from tests.conftest import client_for, make_key

pytestmark = pytest.mark.anyio

WRITERS = 8
INCREMENTS_EACH = 5
SOURCE = [{"source": "article"}]


@pytest.fixture(scope="module")
def busy_app(writable_url: str) -> Iterator[FastAPI]:
    app = create_app(Settings(database_url=writable_url, rate_limit_writes=100_000))
    yield app
    app.state.engine.dispose()


async def _count(api: httpx.AsyncClient, slug: str) -> tuple[int, str]:
    response = await api.get(f"/v1/organizations/{slug}")
    assert response.status_code == 200
    match = re.fullmatch(r"count=(\d+)", response.json()["description"])
    assert match
    return int(match.group(1)), response.headers["etag"]


async def test_if_match_loses_no_update_under_concurrency(
    busy_app: FastAPI, writable_url: str
) -> None:
    key = make_key(writable_url, "concurrent")
    outcomes: Counter[str] = Counter()
    async with client_for(busy_app, key=key) as api:
        created = await api.post(
            "/v1/organizations",
            json={
                "slug": "race-pact",
                "name": "Race",
                "kind": "alliance",
                "description": "count=0",
                "sources": SOURCE,
            },
        )
        assert created.status_code == 201
        version_before = (await api.get("/v1/meta")).json()["data_version"]

        async def writer() -> None:
            done = 0
            while done < INCREMENTS_EACH:
                count, tag = await _count(api, "race-pact")
                response = await api.patch(
                    "/v1/organizations/race-pact",
                    json={"description": f"count={count + 1}"},
                    headers={"If-Match": tag},
                )
                outcomes["attempted"] += 1
                if response.status_code == 200:
                    outcomes["succeeded"] += 1
                    done += 1
                elif response.status_code == 412:
                    outcomes["rejected_412"] += 1
                else:
                    outcomes[f"status_{response.status_code}"] += 1
                    await asyncio.sleep(0.01)

        await asyncio.gather(*(writer() for _ in range(WRITERS)))
        final, _ = await _count(api, "race-pact")
        version_after = (await api.get("/v1/meta")).json()["data_version"]
        audit = await api.get(
            "/v1/audit",
            params={"entity_id": "race-pact", "operation": "update", "limit": 500},
        )
    outcomes["lost"] = outcomes["succeeded"] - final
    print(f"\nconcurrent If-Match writers ({busy_app.state.engine.dialect.name}): {dict(outcomes)}")
    assert outcomes["succeeded"] == WRITERS * INCREMENTS_EACH
    assert final == outcomes["succeeded"]
    assert outcomes["lost"] == 0
    assert outcomes["attempted"] == outcomes["succeeded"] + outcomes["rejected_412"] + sum(
        n for name, n in outcomes.items() if name.startswith("status_")
    )
    assert version_after - version_before == outcomes["succeeded"]
    assert audit.json()["meta"]["total"] == outcomes["succeeded"]


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
