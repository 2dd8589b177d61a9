"""The data-version read, the response cache and gzip: fast, and never stale.

Two apps on one database stand for two worker processes: a write committed through one
(or through any other connection) is seen by the next request to the other, cached or not.
"""

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import event

from app.core.caching import CachedResponse, ResponseCache
from app.core.config import Settings
from app.core.db import create_db_engine, session_factory
from app.main import create_app
from seed.loader import load_seed
from tests.databases import migrate, seed

pytestmark = pytest.mark.anyio
ADDITION = Path(__file__).parents[1] / "fixtures" / "seed_addition"
PAIR = "/v1/countries/IDN/partners/BTN"


@pytest.fixture
async def worker(empty_url: str) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    migrate(empty_url)
    seed(empty_url)
    app = create_app(Settings(database_url=empty_url))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield app, client
    app.state.engine.dispose()


def _write_through_another_worker(url: str) -> None:
    engine = create_db_engine(Settings(database_url=url))
    with session_factory(engine).begin() as session:
        report = load_seed(session, ADDITION)  # facts, ties, and a data-version bump
    assert report.changed
    engine.dispose()


def _count_statements(app: FastAPI) -> list[int]:
    counter = [0]

    def count(*_args: Any) -> None:
        counter[0] += 1

    event.listen(app.state.engine, "before_cursor_execute", count)
    return counter


async def test_a_write_elsewhere_is_seen_at_once_cached_or_not(
    worker: tuple[FastAPI, httpx.AsyncClient], empty_url: str
) -> None:
    app, api = worker
    before = await api.get(PAIR)
    assert before.json()["data"] == []
    statements = _count_statements(app)
    cached = await api.get(PAIR)
    assert cached.content == before.content
    assert statements[0] == 0  # answered from the response cache
    version = (await api.get("/v1/meta")).json()["data_version"]

    _write_through_another_worker(empty_url)

    after = await api.get(PAIR)
    assert [t["initiative"]["slug"] for t in after.json()["data"]] == ["test-forum"]
    assert after.headers["etag"] != before.headers["etag"]
    revalidated = await api.get(PAIR, headers={"If-None-Match": before.headers["etag"]})
    assert revalidated.status_code == 200  # not a stale 304
    assert revalidated.content == after.content
    assert (await api.get("/v1/meta")).json()["data_version"] == version + 1
    partners = (await api.get("/v1/countries/BTN/partners")).json()
    assert "IDN" in {p["partner"]["iso3"] for p in partners["data"]}


async def test_no_cache_and_credentialed_requests_are_answered_afresh(
    worker: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    app, api = worker
    first = await api.get("/v1/countries/IDN")
    statements = _count_statements(app)
    fresh = await api.get("/v1/countries/IDN", headers={"Cache-Control": "no-cache"})
    assert statements[0] > 0
    assert fresh.content == first.content
    assert fresh.headers["etag"] == first.headers["etag"]
    statements[0] = 0
    await api.get("/v1/countries/IDN", headers={"Authorization": "Bearer x"})
    assert statements[0] > 0  # with credentials: never from the shared cache


async def test_large_responses_are_gzipped_with_their_own_tag(
    worker: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    _, api = worker
    url = "/v1/countries?limit=200"
    plain = await api.get(url, headers={"Accept-Encoding": "identity"})
    packed = await api.get(url, headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in plain.headers
    assert packed.headers["content-encoding"] == "gzip"
    assert packed.content == plain.content  # httpx decodes; both are the same JSON
    for response in (plain, packed):
        assert {v.strip() for v in response.headers["vary"].split(",")} >= {
            "Accept",
            "Accept-Encoding",
        }
    assert packed.headers["etag"] != plain.headers["etag"]
    again = await api.get(
        url, headers={"Accept-Encoding": "gzip", "If-None-Match": packed.headers["etag"]}
    )
    assert again.status_code == 304
    other_encoding = await api.get(
        url, headers={"Accept-Encoding": "identity", "If-None-Match": packed.headers["etag"]}
    )
    assert other_encoding.status_code == 200
    # From the cache, still compressed once and well-formed.
    raw = await api.get(url, headers={"Accept-Encoding": "gzip"})
    assert raw.headers["content-encoding"] == "gzip"
    assert int(raw.headers["content-length"]) < len(plain.content)
    assert raw.content == plain.content
    small = await api.get("/v1/threats?limit=1", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in small.headers


def test_the_response_cache_is_bounded_and_keeps_the_newest_answer() -> None:
    cache = ResponseCache(max_bytes=8_000)
    body = b"x" * 700
    for n in range(20):
        cache.put(("/v1/a", str(n)), CachedResponse(200, [], body, version=1))
    assert cache.size <= 8_000
    assert cache.get(("/v1/a", "0")) is None  # the oldest went first
    assert cache.get(("/v1/a", "19")) is not None
    cache.put(("/v1/a", "19"), CachedResponse(200, [], b"new", version=2))
    cache.put(("/v1/a", "19"), CachedResponse(200, [], b"slow", version=1))  # built before
    newest = cache.get(("/v1/a", "19"))
    assert newest is not None and newest.body == b"new"
    cache.drop(("/v1/a", "19"))
    assert cache.get(("/v1/a", "19")) is None
    cache.put(("/v1/big",), CachedResponse(200, [], b"x" * 2_000))  # over 1/8 of the bound
    assert cache.get(("/v1/big",)) is None
    assert sum(entry.size for entry in cache.entries.values()) == cache.size
