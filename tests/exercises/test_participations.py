"""GET /v1/exercises/participations: the event-level table, one row per edition and country,
checked against the curated exercises in seed/data/exercises.yaml."""

import csv
import io
from typing import Any

import httpx
import pytest
import yaml

from app.core.config import PROJECT_ROOT

pytestmark = pytest.mark.anyio

URL = "/v1/exercises/participations"
EXERCISES = PROJECT_ROOT / "seed" / "data" / "exercises.yaml"


def seeded_rows(country: str, first: int, last: int) -> list[tuple[str, str]]:
    """(edition slug, role) of each edition `country` takes part in, read from the seed YAML
    (an edition's slug defaults to series-year, a role to full_participant)."""
    series = yaml.safe_load(EXERCISES.read_text(encoding="utf-8"))
    return [
        (
            edition.get("slug") or f"{one['slug']}-{edition['year']}",
            participant.get("role", "full_participant"),
        )
        for one in series
        for edition in one["editions"]
        if first <= edition["year"] <= last
        for participant in edition.get("participants") or []
        if participant["country"] == country
    ]


async def walk(api: httpx.AsyncClient, **params: Any) -> tuple[list[dict[str, Any]], int]:
    """Every row, page by page through links.next, and the total the first page announced."""
    response = await api.get(URL, params=params)
    assert response.status_code == 200, response.text
    body = response.json()
    total, rows = body["meta"]["total"], body["data"]
    while body["links"]["next"]:
        body = (await api.get(body["links"]["next"])).json()
        rows.extend(body["data"])
    return rows, total


@pytest.mark.parametrize(("country", "first", "last"), [("IDN", 1980, 2030), ("THA", 2017, 2024)])
async def test_rows_of_a_country_are_its_editions_in_the_seed(
    api: httpx.AsyncClient, country: str, first: int, last: int
) -> None:
    expected = seeded_rows(country, first, last)

    rows, total = await walk(api, country=country, year_gte=first, year_lte=last, limit=3)

    assert total == len(rows) == len(expected) > 0
    assert sorted((r["edition"]["slug"], r["role"]) for r in rows) == sorted(expected)
    assert {r["country"]["iso3"] for r in rows} == {country}
    years = [r["year"] for r in rows]
    assert years == sorted(years) and first <= years[0] and years[-1] <= last


async def test_a_row_carries_its_edition(api: httpx.AsyncClient) -> None:
    body = (await api.get(URL, params={"series": "cobra-gold", "country": "CHN"})).json()
    row = next(r for r in body["data"] if r["edition"]["slug"] == "cobra-gold-2024")
    edition = (await api.get("/v1/exercises/cobra-gold/editions/cobra-gold-2024")).json()

    assert (row["series"]["slug"], row["year"], row["role"]) == (
        "cobra-gold",
        2024,
        "humanitarian_only",
    )
    assert row["is_host"] is False
    assert row["hosts"] == edition["hosts"]
    assert (row["threats"], row["activities"], row["domains"]) == (
        edition["threats"],
        edition["activities"],
        edition["domains"],
    )
    assert row["sources"] == edition["sources"]
    assert row["citations"] == [
        f"{s['source_id']}:{s['locator']}" if s["locator"] else s["source_id"]
        for s in edition["sources"]
    ]


async def test_role_and_series_filters(api: httpx.AsyncClient) -> None:
    rows, total = await walk(api, series=["cobra-gold", "garuda-shield"], role="observer")

    assert total == len(rows) > 0
    assert {r["role"] for r in rows} == {"observer"}
    assert {r["series"]["slug"] for r in rows} <= {"cobra-gold", "garuda-shield"}


async def test_the_csv_is_the_whole_table_flat(api: httpx.AsyncClient) -> None:
    _, total = await walk(api, series="cobra-gold")

    response = await api.get(URL, params={"series": "cobra-gold", "format": "csv", "limit": 5})

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == total
    assert {
        "edition.slug",
        "series.slug",
        "year",
        "country.iso3",
        "role",
        "hosts",
        "citations",
    } <= (rows[0].keys())
    host_rows = [
        r for r in rows if r["edition.slug"] == "cobra-gold-2024" and r["is_host"] == "True"
    ]
    assert {r["country.iso3"] for r in host_rows} == set(host_rows[0]["hosts"].split(";"))


@pytest.mark.parametrize(
    ("params", "pointer"),
    [
        ({"series": "no-such-series"}, "/query/series"),
        ({"country": "XXX"}, "/query/country"),
        ({"year_gte": 2020, "year_lte": 2010}, "/query/year_gte"),
        ({"role": "general"}, "/query/role/0"),
    ],
)
async def test_bad_filters_are_problems(
    api: httpx.AsyncClient, params: dict[str, Any], pointer: str
) -> None:
    response = await api.get(URL, params=params)

    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert pointer in {e["pointer"] for e in problem["errors"]}


async def test_a_series_slug_is_still_a_series(api: httpx.AsyncClient) -> None:
    assert (await api.get("/v1/exercises/cobra-gold")).status_code == 200
