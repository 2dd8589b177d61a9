"""Reads under load and writes: heavy reads do not hold what small reads and writes need."""

import asyncio
import csv
import io
from typing import Any

import networkx as nx  # type: ignore[import-untyped]
import pytest
from sqlalchemy import create_engine

from app.core.config import Settings
from app.main import create_app
from tests.conftest import client_for, make_key

pytestmark = pytest.mark.anyio

DYAD_CSV: dict[str, str | int] = {"year_gte": 2004, "year_lte": 2021, "format": "csv"}


async def test_two_concurrent_csv_downloads_complete_with_a_pool_of_two(seeded_url: str) -> None:
    """Each download holds one pooled connection at most (the stream's), not two."""
    app = create_app(Settings(database_url=seeded_url, db_pool_size=2))
    async with client_for(app) as client:
        first, second = await asyncio.gather(
            client.get("/v1/dyad-years", params=DYAD_CSV, headers={"Cache-Control": "no-cache"}),
            client.get("/v1/dyad-years", params=DYAD_CSV, headers={"Cache-Control": "no-cache"}),
        )
        assert first.status_code == second.status_code == 200
        rows = list(csv.DictReader(io.StringIO(first.text)))
        assert rows and first.text == second.text
        # The pool is whole again: a small read still answers.
        assert (await client.get("/v1/meta")).status_code == 200


async def test_a_locked_data_state_is_a_quick_503_and_ready_says_so(writable_url: str) -> None:
    """PostgreSQL: an exclusive lock on the data-state table ends the version read after its
    lock timeout (503 with Retry-After, and /ready 503) instead of stalling every read.
    SQLite in WAL mode lets readers read under a writer's lock: reads keep answering."""
    app = create_app(Settings(database_url=writable_url, data_version_lock_timeout_ms=200))
    engine = create_engine(writable_url)
    postgresql = engine.dialect.name == "postgresql"
    async with client_for(app) as client:
        with engine.connect() as holder:
            holder.exec_driver_sql(
                "LOCK TABLE data_state IN ACCESS EXCLUSIVE MODE"
                if postgresql
                else "BEGIN EXCLUSIVE"
            )
            read = await client.get("/v1/countries/FRA")
            ready = await client.get("/ready")
            if postgresql:
                assert read.status_code == ready.status_code == 503
                assert read.headers["retry-after"] == ready.headers["retry-after"] == "1"
                assert read.headers["content-type"] == "application/problem+json"
                assert "data version" in read.json()["detail"]
            else:
                assert read.status_code == ready.status_code == 200
            holder.rollback()
        assert (await client.get("/v1/countries/FRA")).status_code == 200
        assert (await client.get("/ready")).status_code == 200
    engine.dispose()


ORGANIZATION = "nato"
JOINER = "NZL"  # not a NATO member in the seed data


async def test_a_write_recomputes_only_the_figures_it_changed(
    fresh_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A write that changes no tie keeps the network measures (one betweenness computation,
    reused at the next data version); a write that changes ties changes the answers. The
    reads ask for fresh answers: the response cache would keep these answers across the first
    write anyway (tests/core/test_scoped_invalidation.py)."""
    computed: list[int] = []
    betweenness = nx.betweenness_centrality

    def counted(graph: Any, **options: Any) -> Any:
        computed.append(graph.number_of_nodes())
        return betweenness(graph, **options)

    monkeypatch.setattr(nx, "betweenness_centrality", counted)
    app = create_app(Settings(database_url=fresh_url))
    key = make_key(fresh_url, "figures")
    async with (
        client_for(app, key=key) as curator,
        client_for(app, headers={"Cache-Control": "no-cache"}) as reader,
    ):
        before = (await reader.get("/v1/network/centrality?limit=500")).json()
        joiner_before = (await reader.get(f"/v1/countries/{JOINER}")).json()
        assert len(computed) == 1

        organization = await curator.get(f"/v1/organizations/{ORGANIZATION}")
        patched = await curator.patch(
            f"/v1/organizations/{ORGANIZATION}",
            json={"description": "Changed: no tie depends on it."},
            headers={"If-Match": organization.headers["ETag"]},
        )
        assert patched.status_code == 200, patched.text
        after_patch = (await reader.get("/v1/network/centrality?limit=500")).json()
        assert after_patch["meta"]["data_version"] > before["meta"]["data_version"]
        assert after_patch["data"] == before["data"]
        joiner_after_patch = (await reader.get(f"/v1/countries/{JOINER}")).json()
        # The same figures, stated as those of the new data version.
        version = after_patch["meta"]["data_version"]
        assert joiner_after_patch["network"]["data_version"] == version
        joiner_before["network"]["data_version"] = version
        assert joiner_after_patch == joiner_before
        assert len(computed) == 1  # not computed again for the new version

        source = (await reader.get("/v1/sources?limit=1")).json()["data"][0]["id"]
        sources = [{"source": source}]
        organization = await curator.get(f"/v1/organizations/{ORGANIZATION}")
        joined = await curator.put(
            f"/v1/organizations/{ORGANIZATION}/members/{JOINER}",
            json={"periods": [{"role": "member", "start_date": "1990-01-01", "sources": sources}]},
            headers={"If-Match": organization.headers["ETag"]},
        )
        assert joined.status_code == 200, joined.text
        after_join = (await reader.get("/v1/network/centrality?limit=500")).json()
        joiner_after = (await reader.get(f"/v1/countries/{JOINER}")).json()
        assert len(computed) == 2
        assert after_join["data"] != before["data"]
        assert joiner_after != joiner_before
