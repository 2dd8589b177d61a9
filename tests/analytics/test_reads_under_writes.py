"""Reads under load and writes: heavy reads do not hold what small reads and writes need."""

import asyncio
import csv
import io

import pytest
from sqlalchemy import create_engine

from app.core.config import Settings
from app.main import create_app
from tests.conftest import client_for

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
