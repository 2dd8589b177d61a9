"""Reads under load and writes: heavy reads do not hold what small reads and writes need."""

import asyncio
import csv
import io

import pytest

from app.core.config import Settings
from app.main import create_app
from tests.conftest import client_for

pytestmark = pytest.mark.anyio

DYAD_CSV = {"year_gte": 2004, "year_lte": 2021, "format": "csv"}


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
