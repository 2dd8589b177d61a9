"""Inputs that used to reach the database unchecked: each is answered, never a 500."""

import httpx
import pytest
from fastapi import FastAPI

from app.auth.models import Scope
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
