"""The one change path: a write re-derives the ties of what it touched, each channel once."""

import csv
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from app.cli import cli
from app.core.config import Settings
from app.main import create_app
from tests.curation.conftest import Curated
from tests.databases import migrate, seed

pytestmark = pytest.mark.anyio

SOURCES = [{"source": "article", "locator": "change path"}]


@pytest.fixture
def tie_inserts() -> Iterator[Counter[str]]:
    """The `INSERT INTO ties` statements run, by channel (the SELECT's channel literal)."""
    counted: Counter[str] = Counter()

    def count(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO TIES"):
            values = parameters.values() if isinstance(parameters, dict) else parameters
            channel = next(v for v in values if v in {"organization", "agreement"})
            counted[channel] += 1

    event.listen(Engine, "before_cursor_execute", count)
    yield counted
    event.remove(Engine, "before_cursor_execute", count)


async def test_a_membership_write_derives_each_channel_once(
    curated: Curated, tie_inserts: Counter[str]
) -> None:
    # ASEAN is a party to agreements: its members' ties through them change with it.
    body = {"periods": [{"role": "member", "start_date": "2024-01-01", "sources": SOURCES}]}
    response = await curated.client.put(
        "/v1/organizations/asean/members/PNG", json=body, headers=curated.auth
    )
    assert response.status_code == 200, response.text
    assert tie_inserts == {"organization": 1, "agreement": 1}

    pair = await curated.client.get("/v1/countries/PNG/partners/IDN")
    channels = {tie["channel"] for tie in pair.json()["data"]}
    assert {"organization", "agreement"} <= channels


async def test_an_imported_threat_link_reaches_the_partners(empty_url: str, tmp_path: Path) -> None:
    """An import row that only adds a threat to an edition (its participants are there already)
    re-derives that edition's aggregates: the threat filter of the partners list finds it."""
    migrate(empty_url)
    seed(empty_url)
    sample = Path(__file__).parent.parent / "fixtures" / "mme_sample.csv"
    with sample.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    cobra_gold_1982 = next(row for row in rows if row["MMEID"] == "mme243")
    cobra_gold_1982["Cyber"] = "1"  # maps to cyber-warfare; Thailand and the US take part
    path = tmp_path / "cobra_gold_cyber.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerow(cobra_gold_1982)

    url = "/v1/countries/USA/partners?channel=exercise&threat=cyber-warfare"
    app = create_app(Settings(database_url=empty_url))
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as api:
            before = await api.get(url)
            assert "THA" not in {p["partner"]["iso3"] for p in before.json()["data"]}
            result = CliRunner().invoke(
                cli, ["import", "mme", str(path)], env={"DATABASE_URL": empty_url}
            )
            assert result.exit_code == 0, result.stdout
            after = await api.get(url, headers={"Cache-Control": "no-cache"})
            assert "THA" in {p["partner"]["iso3"] for p in after.json()["data"]}
    finally:
        app.state.engine.dispose()
