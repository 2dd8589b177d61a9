"""Shortest paths true in time (issue 15): a path takes a year, a range of years or a day;
each hop's ties say when they hold within that window and cite the sources of their facts,
and each path says when all its hops hold at once, so that no path silently joins two
countries through ties that never existed at the same time."""

from collections.abc import AsyncIterator
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from app.core.config import Settings
from app.main import create_app
from tests.conftest import make_key

pytestmark = pytest.mark.anyio

PROBLEM = "application/problem+json"


async def _paths(api: httpx.AsyncClient, a: str, b: str, **params: Any) -> dict[str, Any]:
    response = await api.get(f"/v1/countries/{a}/paths/{b}", params=params)
    assert response.status_code == 200, response.text
    return dict(response.json())


def _slugs(body: dict[str, Any]) -> set[str]:
    return {
        tie["initiative"]["slug"]
        for path in body["data"]
        for hop in path["hops"]
        for tie in hop["ties"]
    }


def _check_window(body: dict[str, Any], first: int, last: int) -> None:
    """Every tie, hop period and concurrent period lies in [first, last], and every tie
    cites at least one source with its locator."""
    assert body["data"], "no path to check"
    for path in body["data"]:
        periods = [*path["concurrent"]]
        for hop in path["hops"]:
            assert hop["ties"] and hop["periods"]
            periods += hop["periods"]
            for tie in hop["ties"]:
                periods.append(tie)
                assert tie["sources"], tie
                assert all(source["source_id"] and "locator" in source for source in tie["sources"])
        for period in periods:
            assert period["first_year"] is not None and period["last_year"] is not None
            assert first <= period["first_year"] <= period["last_year"] <= last, period


async def _founded(api: httpx.AsyncClient, slug: str) -> date:
    response = await api.get(f"/v1/organizations/{slug}")
    return date.fromisoformat(response.json()["founded_date"])


async def test_a_path_in_1960_goes_through_no_tie_of_a_later_organization(
    api: httpx.AsyncClient,
) -> None:
    later = {slug for slug in ("asean", "csto") if (await _founded(api, slug)).year > 1960}
    assert later == {"asean", "csto"}
    # Thailand and the Philippines share ASEAN over all years, SEATO (and the Manila Pact)
    # in 1960; the United States reaches Kazakhstan through Russia and the CSTO today, and
    # not at all in 1960.
    assert _slugs(await _paths(api, "THA", "PHL")) & later
    assert _slugs(await _paths(api, "USA", "KAZ")) & later
    in_1960 = await _paths(api, "THA", "PHL", year=1960)
    assert not _slugs(in_1960) & later
    assert "seato" in _slugs(in_1960)
    _check_window(in_1960, 1960, 1960)
    (path,) = in_1960["data"]
    assert path["concurrent"] == [
        {
            "start_date": "1960-01-01",
            "end_date": "1961-01-01",
            "first_year": 1960,
            "last_year": 1960,
        }
    ]
    assert (await _paths(api, "USA", "KAZ", year=1960))["data"] == []


async def test_a_range_cuts_every_hop_to_it(api: httpx.AsyncClient) -> None:
    body = await _paths(api, "GBR", "KAZ", year_gte=1990, year_lte=2020)
    _check_window(body, 1990, 2020)
    for path in body["data"]:
        for hop in path["hops"]:
            for tie in hop["ties"]:
                # A tie's period in the window is the pair evidence's period cut to it.
                pair = await api.get(
                    f"/v1/countries/{hop['source']['iso3']}/partners/{hop['target']['iso3']}",
                    params={"year_gte": 1990, "year_lte": 2020},
                )
                evidence = {t["initiative"]["slug"]: t for t in pair.json()["data"]}
                whole = evidence[tie["initiative"]["slug"]]
                assert tie["sources"] == whole["sources"]
                assert tie["first_year"] == max(whole["first_year"] or 1990, 1990)
                assert tie["last_year"] == min(whole["last_year"] or 2020, 2020)


async def test_as_of_is_one_day(api: httpx.AsyncClient) -> None:
    # SEATO was dissolved on 30 June 1977 (seed/data/organizations.yaml).
    seato = (await api.get("/v1/organizations/seato")).json()
    ended = date.fromisoformat(seato["ended_date"])
    before = await _paths(api, "THA", "PHL", as_of=date(ended.year, 1, 1).isoformat())
    assert "seato" in _slugs(before)
    after = await _paths(api, "THA", "PHL", as_of=ended.isoformat())
    assert "seato" not in _slugs(after)
    day = {
        "start_date": ended.isoformat(),
        "end_date": (ended + timedelta(days=1)).isoformat(),
        "first_year": ended.year,
        "last_year": ended.year,
    }
    assert after["data"]
    assert all(path["concurrent"] == [day] for path in after["data"])


async def test_paths_state_the_coverage_of_their_window(api: httpx.AsyncClient) -> None:
    # The test database imports no dataset: every channel is partly covered in 1960, and a
    # path's notes are those GET /v1/coverage gives for its window and channels.
    window = {"year_gte": 1960, "year_lte": 1960}
    by_year = await _paths(api, "THA", "PHL", year=1960, channel="organization")
    by_day = await _paths(api, "THA", "PHL", as_of="1960-06-30", channel="organization")
    report = (await api.get("/v1/coverage", params={**window, "channel": "organization"})).json()

    assert by_year["meta"]["coverage"] == by_day["meta"]["coverage"] == report["coverage"]
    (note,) = by_year["meta"]["coverage"]
    assert note["channel"] == "organization" and "1960" in note["note"]


@pytest.mark.parametrize(
    ("params", "pointer"),
    [
        ({"as_of": "1960-01-01", "year": 1960}, "/query/as_of"),
        ({"as_of": "1960-01-01", "year_gte": 1950}, "/query/as_of"),
        ({"as_of": "1960-13-01"}, "/query/as_of"),
        ({"as_of": "1960"}, "/query/as_of"),
        ({"as_of": "9999-12-31"}, "/query/as_of"),
    ],
)
async def test_bad_windows_are_problems(
    api: httpx.AsyncClient, params: dict[str, Any], pointer: str
) -> None:
    response = await api.get("/v1/countries/THA/paths/PHL", params=params)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    assert pointer in {error["pointer"] for error in response.json()["errors"]}


@pytest.fixture
async def writer(fresh_url: str) -> AsyncIterator[tuple[httpx.AsyncClient, dict[str, str]]]:
    key = make_key(fresh_url, "paths")
    app = create_app(Settings(database_url=fresh_url, rate_limit_writes=100_000))
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client, {"X-API-Key": key}
    finally:
        app.state.engine.dispose()


async def test_a_path_through_ties_of_different_times_says_so(
    writer: tuple[httpx.AsyncClient, dict[str, str]],
) -> None:
    api, auth = writer
    sources = [{"source": "article", "locator": "test"}]
    series = {
        "slug": "apart-drill",
        "name": "Apart Drill",
        "sources": sources,
        "editions": [
            {"year": year, "participants": [{"country": a}, {"country": b}], "sources": sources}
            for year, a, b in ((2001, "BTN", "MDV"), (2010, "MDV", "ISL"))
        ],
    }
    created = await api.post("/v1/exercises", json=series, headers=auth)
    assert created.status_code == 201, created.text
    body = await _paths(api, "BTN", "ISL", channel="exercise", year_gte=2000, year_lte=2015)
    (path,) = body["data"]
    assert [c["iso3"] for c in path["countries"]] == ["BTN", "MDV", "ISL"]
    assert [
        [(p["first_year"], p["last_year"]) for p in hop["periods"]] for hop in path["hops"]
    ] == [
        [(2001, 2001)],
        [(2010, 2010)],
    ]
    assert path["concurrent"] == []
    # In either year alone, no path: the second hop did not exist in 2001, the first in 2010.
    for year in (2001, 2010):
        assert (await _paths(api, "BTN", "ISL", channel="exercise", year=year))["data"] == []
