"""Inputs that used to reach the database unchecked: each is answered, never a 500."""

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import Connection, create_engine, event, text
from sqlalchemy.pool import NullPool

from app.auth.models import Scope
from app.core.caching import entity_tag
from app.core.config import Settings
from app.main import create_app
from tests.conftest import client_for, make_key

pytestmark = pytest.mark.anyio
SEARCHABLE = [
    "/v1/countries",
    "/v1/organizations",
    "/v1/agreements",
    "/v1/operations",
    "/v1/exercises",
]


@pytest.mark.parametrize("path", SEARCHABLE)
@pytest.mark.parametrize("wildcard", ["%", "_", "%_%"])
async def test_q_takes_like_wildcards_literally(
    api: httpx.AsyncClient, path: str, wildcard: str
) -> None:
    everything = (await api.get(path, params={"limit": 1})).json()
    assert everything["data"], path  # the seed has records here: the filter has work to do
    found = (await api.get(path, params={"q": wildcard})).json()
    assert found["data"] == [], (path, wildcard)


async def test_q_still_finds_substrings(api: httpx.AsyncClient) -> None:
    found = (await api.get("/v1/countries", params={"q": "indon"})).json()["data"]
    assert [country["iso3"] for country in found] == ["IDN"]


@pytest.mark.parametrize(
    ("name", "value"),
    [("since", "0001-01-01T00:00:00+01:00"), ("until", "9999-12-31T23:59:59-14:00")],
)
async def test_audit_timestamps_out_of_range_in_utc_are_422(
    app: FastAPI, seeded_url: str, name: str, value: str
) -> None:
    key = make_key(seeded_url, f"audit-range-{name}", Scope.curator)
    async with client_for(app, key=key) as api:
        response = await api.get("/v1/audit", params={name: value})
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert [error["pointer"] for error in response.json()["errors"]] == [f"/query/{name}"]
        # At the edge of the range, with an offset that keeps it inside, still a 200.
        inside = await api.get("/v1/audit", params={"since": "0001-01-01T00:00:00-01:00"})
        assert inside.status_code == 200, inside.text


@pytest.mark.parametrize("when", ["query", "commit"])
async def test_a_terminated_database_connection_is_a_503_to_retry(
    writable_url: str, when: str
) -> None:
    """The request's PostgreSQL backend is terminated (as by a failover or an administrator)
    while it reads, or just before its transaction ends: a 503 with Retry-After, and the next
    request is served on a fresh connection."""
    if not writable_url.startswith("postgresql"):
        pytest.skip("terminating a connection's server process is PostgreSQL's")
    app = create_app(Settings(database_url=writable_url, response_cache_bytes=0))
    admin = create_engine(writable_url, poolclass=NullPool)
    reading: set[int] = set()  # connections that ran the route's query
    armed = [True]

    def terminate(connection: Connection) -> None:
        armed[0] = False
        pid = connection.connection.dbapi_connection.info.backend_pid  # type: ignore[union-attr]
        with admin.connect() as other:
            other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})

    @event.listens_for(app.state.engine, "before_cursor_execute")
    def on_query(connection: Connection, *args: Any) -> None:
        if "FROM organizations" in args[1]:
            reading.add(id(connection))
            if armed[0] and when == "query":
                terminate(connection)

    @event.listens_for(app.state.engine, "commit")
    def on_commit(connection: Connection) -> None:
        if armed[0] and when == "commit" and id(connection) in reading:
            terminate(connection)

    try:
        async with client_for(app) as api:
            lost = await api.get("/v1/organizations/nato")
            assert lost.status_code == 503, lost.text
            assert lost.headers["content-type"] == "application/problem+json"
            assert lost.headers["retry-after"] == "1"
            assert not armed[0]  # the connection was indeed terminated
            again = await api.get("/v1/organizations/nato")
            assert again.status_code == 200, again.text
    finally:
        app.state.engine.dispose()
        admin.dispose()


async def test_if_match_takes_only_a_tag_issued_for_the_resource(writable_url: str) -> None:
    app = create_app(Settings(database_url=writable_url))
    key = make_key(writable_url, "if-match-curator")
    try:
        async with client_for(app, key=key) as api:
            target = "/v1/organizations/asean"
            other = (await api.get("/v1/organizations/nato")).headers["etag"]
            own = (await api.get(target)).headers["etag"]
            version = int(own.strip('"').split("-")[1])
            future = entity_tag(version + 5, target, b"", "*/*")
            for tag in (other, future, f"{other}, {future}"):
                refused = await api.patch(target, json={"acronym": "XX"}, headers={"If-Match": tag})
                assert refused.status_code == 412, (tag, refused.text)
                assert refused.headers["content-type"] == "application/problem+json"
            # One issued tag in a list is enough; alone, it is accepted too.
            listed = await api.patch(
                target, json={"acronym": "YY"}, headers={"If-Match": f"{other}, {own}"}
            )
            assert listed.status_code == 200, listed.text
            chained = listed.headers["etag"]
            assert (
                await api.patch(target, json={"acronym": "ASEAN"}, headers={"If-Match": chained})
            ).status_code == 200
    finally:
        app.state.engine.dispose()


async def test_too_many_or_too_large_headers_are_a_431(app: FastAPI) -> None:
    async with client_for(app) as api:
        many = [(f"x-filler-{n}", "1") for n in range(150)]
        refused = await api.get("/v1/organizations/nato", headers=many)
        assert refused.status_code == 431, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        large = await api.get("/v1/organizations/nato", headers={"x-filler": "a" * 20_000})
        assert large.status_code == 431
        assert (await api.get("/v1/organizations/nato", headers=many[:50])).status_code == 200


async def test_a_body_sent_too_slowly_is_a_408(writable_url: str) -> None:
    app = create_app(Settings(database_url=writable_url, body_timeout_seconds=0.3))
    key = make_key(writable_url, "slow-body-curator")

    async def trickle() -> AsyncIterator[bytes]:
        yield b'{"acronym": '
        await asyncio.sleep(3)
        yield b'"SLOW"}'

    try:
        async with client_for(app, key=key) as api:
            response = await api.patch(
                "/v1/organizations/asean",
                content=trickle(),
                headers={"content-type": "application/json"},
            )
            assert response.status_code == 408, response.text
            assert response.headers["content-type"] == "application/problem+json"
            unchanged = await api.get("/v1/organizations/asean")
            assert unchanged.json()["acronym"] != "SLOW"
            # A body that arrives in time is served as ever.
            quick = await api.patch("/v1/organizations/asean", json={"acronym": "ASEAN"})
            assert quick.status_code == 200, quick.text
    finally:
        app.state.engine.dispose()
