"""A write invalidates the cached answers that read what it changed, and only those.

A cached answer kept across a write is recognizable from outside: its ETag still names the
data version it was built at while `/v1/meta` names a newer one (an answer built again names
the current version). Every kept answer is compared with a fresh one (`Cache-Control:
no-cache`), and every rebuilt answer too: no test may pass on a stale answer. Two apps on one
database stand for two worker processes.
"""

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text, update

from app.core.caching import tagged_data_version
from app.core.config import Settings
from app.core.db import create_db_engine, recording_reads, session_factory
from app.core.memo import LruCache
from app.curation.changes import Changes
from app.main import create_app
from app.system.models import DataState
from seed.loader import load_seed
from tests.conftest import client_for, make_key

pytestmark = pytest.mark.anyio

ADDITION = Path(__file__).parents[1] / "fixtures" / "seed_addition"
ORGANIZATION = "nato"
JOINER = "NZL"  # not a NATO member in the seed data
PARTNERS = f"/v1/countries/{JOINER}/partners?limit=200"
CENTRALITY = "/v1/network/centrality?limit=500"
# Reads the same network as CENTRALITY, from memory once CENTRALITY built it.
CENTRALITY_TOP = "/v1/network/centrality?limit=5"
DYAD_CSV = "/v1/dyad-years?year_gte=2015&year_lte=2016&format=csv"
FRESH = {"Cache-Control": "no-cache"}


def version_of(response: httpx.Response) -> int | None:
    return tagged_data_version(response.headers["etag"])


async def data_version(client: httpx.AsyncClient) -> int:
    version: int = (await client.get("/v1/meta")).json()["data_version"]
    return version


async def assert_current(client: httpx.AsyncClient, path: str) -> httpx.Response:
    """The answer as served equals a fresh one (its data; the meta's data version, which
    names the version the answer was built at, aside)."""
    served = await client.get(path)
    fresh = await client.get(path, headers=FRESH)
    assert served.status_code == fresh.status_code == 200
    if served.headers["content-type"].startswith("application/json"):
        assert _without_version(served.json()) == _without_version(fresh.json())
    else:
        assert served.content == fresh.content
    return served


def _without_version(body: dict[str, Any]) -> dict[str, Any]:
    meta = {k: v for k, v in body.get("meta", {}).items() if k != "data_version"}
    return {**body, "meta": meta}


@pytest.fixture
async def workers(fresh_url: str) -> AsyncIterator[tuple[FastAPI, FastAPI]]:
    first = create_app(Settings(database_url=fresh_url))
    second = create_app(Settings(database_url=fresh_url))
    yield first, second
    for app in (first, second):
        app.state.engine.dispose()


@pytest.fixture
async def clients(
    workers: tuple[FastAPI, FastAPI], fresh_url: str
) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
    """A curator and a reader of the first worker."""
    key = make_key(fresh_url, "scoped")
    async with client_for(workers[0], key=key) as curator, client_for(workers[0]) as reader:
        yield curator, reader


async def describe(curator: httpx.AsyncClient, description: str) -> None:
    organization = await curator.get(f"/v1/organizations/{ORGANIZATION}")
    patched = await curator.patch(
        f"/v1/organizations/{ORGANIZATION}",
        json={"description": description},
        headers={"If-Match": organization.headers["ETag"]},
    )
    assert patched.status_code == 200, patched.text


async def join(curator: httpx.AsyncClient) -> None:
    source = (await curator.get("/v1/sources?limit=1")).json()["data"][0]["id"]
    organization = await curator.get(f"/v1/organizations/{ORGANIZATION}")
    joined = await curator.put(
        f"/v1/organizations/{ORGANIZATION}/members/{JOINER}",
        json={
            "periods": [
                {"role": "member", "start_date": "1990-01-01", "sources": [{"source": source}]}
            ]
        },
        headers={"If-Match": organization.headers["ETag"]},
    )
    assert joined.status_code == 200, joined.text


async def test_a_description_write_keeps_the_answers_that_did_not_read_it(
    clients: tuple[httpx.AsyncClient, httpx.AsyncClient],
) -> None:
    curator, reader = clients
    partners, centrality = await reader.get(PARTNERS), await reader.get(CENTRALITY)
    organization = await reader.get(f"/v1/organizations/{ORGANIZATION}")
    download = await reader.get(DYAD_CSV)
    before = await data_version(reader)

    await describe(curator, "Changed: no tie depends on it.")

    assert await data_version(reader) == before + 1
    for path, cached in ((PARTNERS, partners), (CENTRALITY, centrality), (DYAD_CSV, download)):
        kept = await assert_current(reader, path)
        assert kept.headers["etag"] == cached.headers["etag"]  # served as it was built
        assert kept.content == cached.content
        revalidated = await reader.get(path, headers={"If-None-Match": cached.headers["etag"]})
        assert revalidated.status_code == 304
    changed = await assert_current(reader, f"/v1/organizations/{ORGANIZATION}")
    assert changed.json()["description"] == "Changed: no tie depends on it."
    assert version_of(changed) == before + 1 != version_of(organization)


async def test_a_membership_write_rebuilds_the_answers_that_read_ties(
    clients: tuple[httpx.AsyncClient, httpx.AsyncClient],
) -> None:
    curator, reader = clients
    partners = await reader.get(PARTNERS)
    await reader.get(CENTRALITY)  # builds the network: CENTRALITY_TOP takes it from memory
    top = await reader.get(CENTRALITY_TOP)
    download = await reader.get(DYAD_CSV)  # streamed, its rows read by the stream's threads
    before = await data_version(reader)

    await join(curator)

    after = await assert_current(reader, PARTNERS)
    assert version_of(after) == before + 1
    gained = {p["partner"]["iso3"] for p in after.json()["data"]} - {
        p["partner"]["iso3"] for p in partners.json()["data"]
    }
    assert {"ALB", "BGR"} <= gained  # NATO members with no tie to NZL before
    rebuilt = await assert_current(reader, CENTRALITY_TOP)
    assert version_of(rebuilt) == before + 1 != version_of(top)
    redrawn = await assert_current(reader, DYAD_CSV)
    assert version_of(redrawn) == before + 1 != version_of(download)
    pair = f"2015,ALB,{JOINER},"  # a NATO member with no tie to NZL before
    assert pair not in download.text and pair in redrawn.text


async def test_a_write_through_the_seed_or_text_sql_or_outside_the_change_path_invalidates(
    workers: tuple[FastAPI, FastAPI], fresh_url: str
) -> None:
    app, _ = workers
    engine = create_db_engine(Settings(database_url=fresh_url))
    sessions = session_factory(engine)
    pair = "/v1/countries/BTN/partners"
    async with client_for(app) as reader:
        cached = await reader.get(pair)
        assert "IDN" not in {p["partner"]["iso3"] for p in cached.json()["data"]}

        with sessions.begin() as session:  # the seed: facts, ties and a data-version bump
            assert load_seed(session, ADDITION).changed
        seeded = await assert_current(reader, pair)
        assert "IDN" in {p["partner"]["iso3"] for p in seeded.json()["data"]}
        assert version_of(seeded) == await data_version(reader)

        # Text SQL could have written any table: every cached answer is built again.
        with sessions.begin() as session:
            changes = Changes(session)
            session.execute(text("UPDATE organizations SET description = 'text' WHERE id = 0"))
            changes.finish(changed=True)
            changes.close()
        after_text = await assert_current(reader, pair)
        assert version_of(after_text) == await data_version(reader) != version_of(seeded)

        # A data version moved outside the change path (its tables unknown): the same.
        with sessions.begin() as session:
            session.execute(update(DataState).values(version=DataState.version + 1))
        after_bump = await assert_current(reader, pair)
        assert version_of(after_bump) == await data_version(reader) != version_of(after_text)
    engine.dispose()


async def test_two_workers_never_serve_an_answer_older_than_a_write_to_its_tables(
    workers: tuple[FastAPI, FastAPI], fresh_url: str
) -> None:
    first, second = workers
    key = make_key(fresh_url, "scoped")
    async with (
        client_for(first, key=key) as curator,
        client_for(first) as one,
        client_for(second) as other,
    ):
        for reader in (one, other):
            await reader.get(PARTNERS)
            await reader.get(CENTRALITY)
        built = {path: (await other.get(path)).headers["etag"] for path in (PARTNERS, CENTRALITY)}

        await describe(curator, "Changed through the first worker.")
        for path in (PARTNERS, CENTRALITY):  # the second keeps what the write did not touch
            assert (await assert_current(other, path)).headers["etag"] == built[path]
        description = (await other.get(f"/v1/organizations/{ORGANIZATION}")).json()["description"]
        assert description == "Changed through the first worker."

        await join(curator)
        version = await data_version(other)
        for reader in (one, other):
            for path in (PARTNERS, CENTRALITY):
                assert version_of(await assert_current(reader, path)) == version


def test_a_value_from_memory_counts_the_tables_it_was_computed_from(seeded_url: str) -> None:
    engine = create_db_engine(Settings(database_url=seeded_url))
    memo: LruCache[str, Any] = LruCache(4)
    with session_factory(engine)() as session:

        def build() -> Any:
            return session.scalars(text("SELECT slug FROM organizations")).all()

        with recording_reads() as building:
            memo.get_or_build("slugs", build)
        with recording_reads() as hit:
            memo.get_or_build("slugs", build)
            session.get(DataState, 1)  # the data version itself: true of this version only
        with recording_reads() as elsewhere:
            session.scalar(text("SELECT count(*) FROM countries"))
    engine.dispose()
    assert building.tables == {"organizations"} and building.complete
    assert hit.tables == {"organizations", "data_state"} and not hit.complete
    assert elsewhere.tables == {"countries"}
