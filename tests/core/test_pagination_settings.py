"""Page sizes come from the settings the app was created with, and a list's CSV streams
page by page: the same rows as the JSON pages, one chunk per page."""

import csv
import io
from collections.abc import AsyncIterator, MutableMapping
from typing import Any

import anyio
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import event

from app.core.config import Settings
from app.main import create_app
from tests.asgi import http_scope
from tests.conftest import client_for

pytestmark = pytest.mark.anyio

PAGE = 10


@pytest.fixture(scope="module")
def small_pages(seeded_url: str) -> FastAPI:
    return create_app(Settings(database_url=seeded_url, page_size_default=7, page_size_max=PAGE))


@pytest.fixture
async def client(small_pages: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(small_pages) as client:
        yield client


async def test_the_default_page_size_is_the_apps(client: httpx.AsyncClient) -> None:
    body = (await client.get("/v1/countries")).json()
    assert body["meta"]["limit"] == 7
    assert len(body["data"]) == 7


async def test_a_limit_above_the_apps_maximum_is_refused(client: httpx.AsyncClient) -> None:
    assert (await client.get("/v1/countries", params={"limit": PAGE})).status_code == 200
    response = await client.get("/v1/countries", params={"limit": PAGE + 1})
    assert response.status_code == 422
    assert [error["pointer"] for error in response.json()["errors"]] == ["/query/limit"]


def _flat(item: dict[str, Any], prefix: str = "") -> dict[str, str]:
    """An item of a JSON page as its CSV row: dotted columns, `;`-joined lists, "" for null."""
    row: dict[str, str] = {}
    for key, value in item.items():
        if isinstance(value, dict):
            row.update(_flat(value, f"{prefix}{key}."))
        elif isinstance(value, list):
            row[f"{prefix}{key}"] = ";".join(
                str(member["iso3"]) if isinstance(member, dict) else str(member) for member in value
            )
        else:
            row[f"{prefix}{key}"] = "" if value is None else str(value)
    return row


async def test_a_csv_over_several_pages_is_the_pages_concatenated(
    client: httpx.AsyncClient,
) -> None:
    pages: list[list[dict[str, Any]]] = []
    url: str | None = f"/v1/countries?limit={PAGE}"
    while url:
        body = (await client.get(url)).json()
        pages.append(body["data"])
        url = body["links"]["next"]
    assert len(pages) > 3

    response = await client.get("/v1/countries", params={"format": "csv"})
    assert response.status_code == 200
    assert response.headers["content-disposition"] == 'attachment; filename="v1-countries.csv"'
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert rows == [_flat(item) for page in pages for item in page]


async def test_a_csv_is_sent_one_chunk_per_page(
    small_pages: FastAPI, client: httpx.AsyncClient
) -> None:
    total = (await client.get("/v1/countries")).json()["meta"]["total"]
    chunks: list[bytes] = []

    requested: list[bool] = []

    async def receive() -> dict[str, Any]:
        if requested:  # the client stays connected until the body is sent
            await anyio.sleep_forever()
        requested.append(True)
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: MutableMapping[str, Any]) -> None:
        if message["type"] == "http.response.body" and message.get("body"):
            chunks.append(message["body"])

    scope = http_scope("GET", "/v1/countries", query=b"format=csv")
    await small_pages(scope, receive, send)
    assert len(chunks) == -(-total // PAGE)
    assert all(chunk.count(b"\n") <= PAGE + 1 for chunk in chunks)


async def test_a_csv_reads_each_page_of_the_list_once(
    small_pages: FastAPI, client: httpx.AsyncClient
) -> None:
    total = (await client.get("/v1/countries")).json()["meta"]["total"]
    page_reads: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "FROM countries" in statement and "LIMIT" in statement:
            page_reads.append(statement)

    event.listen(small_pages.state.engine, "before_cursor_execute", record)
    try:
        response = await client.get(
            "/v1/countries", params={"format": "csv"}, headers={"Cache-Control": "no-cache"}
        )
    finally:
        event.remove(small_pages.state.engine, "before_cursor_execute", record)
    assert response.status_code == 200
    assert len(list(csv.DictReader(io.StringIO(response.text)))) == total
    assert len(page_reads) == -(-total // PAGE)
