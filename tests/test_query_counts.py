"""No N+1: the number of SQL statements per request does not grow with the data it returns."""

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import event

pytestmark = pytest.mark.anyio


class StatementCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, *_args: Any) -> None:
        self.count += 1


@pytest.fixture
def statements(app: FastAPI) -> Iterator[StatementCounter]:
    counter = StatementCounter()
    event.listen(app.state.engine, "before_cursor_execute", counter)
    yield counter
    event.remove(app.state.engine, "before_cursor_execute", counter)


async def _count(api: httpx.AsyncClient, statements: StatementCounter, url: str) -> int:
    statements.count = 0
    # Past the response cache, which would answer a repeated URL with no statement at all.
    response = await api.get(url, headers={"Cache-Control": "no-cache"})
    assert response.status_code == 200, response.text
    return statements.count


@pytest.mark.parametrize(
    ("small", "large"),
    [
        ("/v1/countries?limit=2", "/v1/countries?limit=200"),
        ("/v1/organizations?limit=1", "/v1/organizations?limit=100"),
        ("/v1/exercises?limit=1", "/v1/exercises?limit=100"),
        ("/v1/agreements?limit=1", "/v1/agreements?limit=100"),
        ("/v1/operations?limit=1", "/v1/operations?limit=100"),
        ("/v1/exercises/balikatan", "/v1/exercises/cobra-gold"),
        ("/v1/organizations/aukus/members", "/v1/organizations/nato/members"),
        ("/v1/operations/minusca", "/v1/operations/unifil"),
        ("/v1/countries/NZL/partners?limit=1", "/v1/countries/USA/partners?limit=500"),
        ("/v1/countries/IDN/partners/MYS", "/v1/countries/THA/partners/USA"),
        ("/v1/countries/AUS/memberships", "/v1/countries/IDN/memberships"),
    ],
)
async def test_statements_do_not_grow_with_the_result(
    api: httpx.AsyncClient, statements: StatementCounter, small: str, large: str
) -> None:
    few = await _count(api, statements, small)
    many = await _count(api, statements, large)
    assert many <= few, f"{large}: {many} statements, {small}: {few}"
    assert many <= 16, f"{large}: {many} statements"
