"""The one change path: a write re-derives the ties of what it touched, each channel once."""

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from tests.curation.conftest import Curated

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
