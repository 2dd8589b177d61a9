"""Answers about years say which of them the data does not cover (issue 15, "Coverage, stated
everywhere"), and a balanced dyad-year panel tells a zero from an unknown.

On a seeded database with the bundled MME v7 imported once per module: MME records exercises
1980-2010, every other channel has curated facts only. The expected zeros are checked against
the MME file read with the csv module.
"""

import csv
import io
from datetime import date
from itertools import combinations
from typing import Any

import httpx
import pytest

from app.core.config import PROJECT_ROOT, Settings
from app.main import create_app
from tests.conftest import make_key
from tests.imported import imported_file
from tests.imports.test_import_mme import _alias_resolver

pytestmark = pytest.mark.anyio

MME_FILE = PROJECT_ROOT / "seed" / "datasets" / "mme_v7.csv"
FIRST, LAST = 1995, 2010
CHANNEL_COLUMNS = {
    "organization": "organizations",
    "exercise": "exercises",
    "agreement": "agreements",
    "operation": "operations",
    "transfer": "transfers",
}


# The full file imported once per backend and session, shared with tests/imports.
mme_imported, mme = imported_file("mme", MME_FILE)


async def asean_1999(api: httpx.AsyncClient) -> list[str]:
    response = await api.get("/v1/organizations/asean/members", params={"as_of": "1999-12-31"})
    assert response.status_code == 200, response.text
    return sorted(member["country"]["iso3"] for member in response.json()["data"])


def panel_params(countries: list[str], **extra: Any) -> dict[str, Any]:
    return {
        "country": countries,
        "within": "true",
        "year_gte": FIRST,
        "year_lte": LAST,
        "balanced": "true",
        **extra,
    }


async def csv_rows(api: httpx.AsyncClient, params: dict[str, Any]) -> list[dict[str, str]]:
    response = await api.get("/v1/dyad-years", params={**params, "format": "csv"})
    assert response.status_code == 200, response.text
    return list(csv.DictReader(io.StringIO(response.text)))


async def covered_years(api: httpx.AsyncClient) -> dict[str, set[int]]:
    """Per channel, the years a dataset covers, as /v1/meta states them."""
    coverage = (await api.get("/v1/meta")).json()["coverage"]
    return {
        c["channel"]: {
            year for d in c["datasets"] for year in range(d["first_year"], d["last_year"] + 1)
        }
        for c in coverage
    }


def mme_pair_years(countries: list[str]) -> set[tuple[str, str, int]]:
    """(a, b, year) for every MME exercise both joined and that ran in that year."""
    resolve = _alias_resolver()
    wanted = set(countries)
    found: set[tuple[str, str, int]] = set()
    with MME_FILE.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            start, end = int(row["s.year"]), int(row["e.year"] or row["s.year"])
            month, day = (int(v) if v.isdigit() else 1 for v in (row["s.month"], row["s.day"]))
            states = {
                code
                for column, name in row.items()
                if column.startswith("State") and (code := resolve(name, date(start, month, day)))
            }
            for a, b in combinations(sorted(states & wanted), 2):
                found.update((a, b, year) for year in range(start, end + 1))
    return found


# --- meta.coverage ----------------------------------------------------------------------------


async def test_a_2012_exercise_dyad_year_request_says_2012_is_outside_mme(
    mme: httpx.AsyncClient,
) -> None:
    params: dict[str, Any] = {"year_gte": 2012, "year_lte": 2012, "channel": "exercise"}

    page = (await mme.get("/v1/dyad-years", params=params)).json()

    [note] = page["meta"]["coverage"]
    assert note["channel"] == "exercise"
    assert note["partial_years"] == [{"first_year": 2012, "last_year": 2012}]
    assert "2012" in note["note"] and "MME v7 covers 1980-2010" in note["note"]


async def test_the_dyad_year_csv_links_to_the_same_notes(mme: httpx.AsyncClient) -> None:
    params: dict[str, Any] = {"year_gte": 2012, "year_lte": 2012, "channel": "exercise"}
    page = (await mme.get("/v1/dyad-years", params=params)).json()

    download = await mme.get("/v1/dyad-years", params={**params, "format": "csv"})

    link = download.headers["link"]
    assert link.endswith('>; rel="describedby"')
    notes = (await mme.get(link[1 : link.index(">")])).json()
    assert notes["coverage"] == page["meta"]["coverage"]


async def test_partners_in_2015_through_exercises_carry_the_note(mme: httpx.AsyncClient) -> None:
    params: dict[str, Any] = {"year": 2015, "channel": "exercise"}

    page = (await mme.get("/v1/countries/USA/partners", params=params)).json()

    assert [(n["channel"], n["partial_years"]) for n in page["meta"]["coverage"]] == [
        ("exercise", [{"first_year": 2015, "last_year": 2015}])
    ]
    assert "unknown, not zero" in page["meta"]["coverage"][0]["note"]


@pytest.mark.parametrize("path", ["/v1/countries/USA/partners", "/v1/countries/USA/partners/THA"])
async def test_technology_transfer_states_the_coverage_of_its_channels_alone(
    mme: httpx.AsyncClient, path: str
) -> None:
    """Technology moves through agreements and arms transfers only: the notes of the other
    channels would be about ties the answer cannot hold."""

    async def noted(**params: Any) -> list[str]:
        response = await mme.get(path, params={"year": 2015, **params})
        assert response.status_code == 200, response.text
        return [note["channel"] for note in response.json()["meta"]["coverage"]]

    assert {"organization", "exercise", "operation"} <= set(await noted())
    assert await noted(technology_transfer="true") == ["agreement", "transfer"]
    assert await noted(technology_transfer="true", channel="transfer") == ["transfer"]
    assert "transfer" not in await noted(technology_transfer="false")


async def test_technology_transfer_csv_links_to_the_notes_of_its_channels(
    mme: httpx.AsyncClient,
) -> None:
    params: dict[str, Any] = {"year": 2015, "technology_transfer": "true", "format": "csv"}
    response = await mme.get("/v1/countries/USA/partners", params=params)
    assert response.status_code == 200, response.text
    link = response.headers["link"]
    notes = link.split("<", 1)[1].split(">", 1)[0]
    assert "/v1/coverage?channel=agreement&channel=transfer&" in notes, link


async def test_a_year_the_data_covers_carries_no_note(mme: httpx.AsyncClient) -> None:
    params: dict[str, Any] = {"year": 2000, "channel": "exercise"}

    partners = (await mme.get("/v1/countries/USA/partners", params=params)).json()
    pair = (await mme.get("/v1/countries/USA/partners/THA", params=params)).json()
    network = (await mme.get("/v1/network", params=params)).json()

    assert partners["meta"]["total"] > 0
    assert partners["meta"]["coverage"] == []
    assert pair["meta"]["coverage"] == []
    assert network["meta"]["coverage"] == []


async def test_without_a_channel_every_channel_is_concerned(mme: httpx.AsyncClient) -> None:
    coverage = {c["channel"]: c for c in (await mme.get("/v1/meta")).json()["coverage"]}

    page = (await mme.get("/v1/network/centrality", params={"year": 2000})).json()

    # Every channel that no dataset covers in 2000 (curated facts only) has its note.
    uncovered = {
        channel
        for channel, c in coverage.items()
        if not any(d["first_year"] <= 2000 <= d["last_year"] for d in c["datasets"])
    }
    assert {note["channel"] for note in page["meta"]["coverage"]} == uncovered
    assert "exercise" not in uncovered


async def test_without_years_the_note_spans_the_answer(mme: httpx.AsyncClient) -> None:
    this_year = date.today().year

    page = (await mme.get("/v1/countries/IDN/partners", params={"channel": "exercise"})).json()

    [note] = page["meta"]["coverage"]
    assert note["partial_years"] == [{"first_year": 2011, "last_year": this_year}]
    assert note["years_without_data"] == []


async def test_the_exercise_list_says_which_years_are_curated_only(
    mme: httpx.AsyncClient,
) -> None:
    later = (await mme.get("/v1/exercises", params={"year_gte": 2009, "year_lte": 2013})).json()
    covered = (await mme.get("/v1/exercises", params={"year_gte": 1990, "year_lte": 2000})).json()

    assert [n["partial_years"] for n in later["meta"]["coverage"]] == [
        [{"first_year": 2011, "last_year": 2013}]
    ]
    assert covered["meta"]["coverage"] == []


async def test_years_before_any_fact_are_without_data(mme: httpx.AsyncClient) -> None:
    answer = (
        await mme.get("/v1/coverage", params={"channel": "exercise", "year_gte": 1975})
    ).json()

    [note] = answer["coverage"]
    assert note["years_without_data"] == [{"first_year": 1975, "last_year": 1979}]
    assert "1975-1979: no exercise data at all" in note["note"]


# --- balanced dyad-years --------------------------------------------------------------------


async def test_a_balanced_asean_panel_has_every_pair_in_every_year(
    mme: httpx.AsyncClient,
) -> None:
    asean = await asean_1999(mme)

    rows = await csv_rows(mme, panel_params(asean))
    page = (await mme.get("/v1/dyad-years", params=panel_params(asean, limit=10))).json()

    assert len(asean) == 10
    keys = {(r["country_a"], r["country_b"], int(r["year"])) for r in rows}
    assert len(rows) == len(keys) == 45 * 16
    assert keys == {(a, b, y) for a, b in combinations(asean, 2) for y in range(FIRST, LAST + 1)}
    assert page["meta"]["total"] == 45 * 16


async def test_a_balanced_panel_has_zeros_where_mme_covers_the_year(
    mme: httpx.AsyncClient,
) -> None:
    asean = await asean_1999(mme)
    exercised = mme_pair_years(asean)

    rows = await csv_rows(mme, panel_params(asean))

    assert all(r["exercises"] != "" for r in rows)  # MME covers 1995-2010: never unknown
    counts = {(r["country_a"], r["country_b"], int(r["year"])): int(r["exercises"]) for r in rows}
    # Every exercise the file records is counted; the zeros are the pair-years it has none.
    assert all(counts[key] > 0 for key in exercised if FIRST <= key[2] <= LAST)
    zeros = {key for key, count in counts.items() if count == 0}
    assert zeros and not zeros & exercised


async def test_a_balanced_panel_is_zero_where_a_dataset_covers_the_year_and_empty_elsewhere(
    mme: httpx.AsyncClient,
) -> None:
    asean = await asean_1999(mme)
    covered = await covered_years(mme)
    sparse = {
        (r["country_a"], r["country_b"], r["year"]): r
        for r in await csv_rows(mme, {**panel_params(asean), "balanced": "false"})
    }

    rows = await csv_rows(mme, panel_params(asean))

    for row in rows:
        tied = sparse.get((row["country_a"], row["country_b"], row["year"]))
        for channel, column in CHANNEL_COLUMNS.items():
            count = tied[column] if tied else "0"
            # Covered by a dataset: the count, zero included. Curated facts only: a tie's
            # count where one is known, an empty cell where none is.
            expected = count if int(row["year"]) in covered[channel] or count != "0" else ""
            assert row[column] == expected, (row, column)
        unknown = "" in (row[column] for column in CHANNEL_COLUMNS.values())
        assert row["ties"] == ("" if unknown else tied["ties"] if tied else "0")
    assert any(row["organizations"] == "" for row in rows)


async def test_a_balanced_panel_answers_null_in_json_and_leaves_out_unasked_channels(
    mme: httpx.AsyncClient,
) -> None:
    asean = await asean_1999(mme)
    params = panel_params(asean, channel="exercise", year_gte=2009, year_lte=2012, limit=500)

    page = (await mme.get("/v1/dyad-years", params=params)).json()

    by_year = {year: [r for r in page["data"] if r["year"] == year] for year in range(2009, 2013)}
    assert all(len(rows) == 45 for rows in by_year.values())
    assert all(r["organizations"] is None and r["operations"] is None for r in page["data"])
    # 2011-2012: curated editions only: a count where a tie is known, null elsewhere.
    assert all(r["exercises"] is None or r["exercises"] > 0 for r in by_year[2012])
    assert all(isinstance(r["exercises"], int) for r in by_year[2010])
    assert [n["channel"] for n in page["meta"]["coverage"]] == ["exercise"]


async def test_a_balanced_panel_too_large_is_a_422_that_names_the_limit(
    mme: httpx.AsyncClient,
) -> None:
    params: dict[str, Any] = {"year_gte": 1900, "year_lte": 1999, "balanced": "true"}

    response = await mme.get("/v1/dyad-years", params=params)

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["errors"][0]["pointer"] == "/query/balanced"
    assert "at most 100,000" in problem["errors"][0]["detail"]


async def test_the_balanced_panel_pages_as_the_csv_reads(mme: httpx.AsyncClient) -> None:
    asean = await asean_1999(mme)
    walked: list[tuple[str, str, int]] = []
    url: str | None = "/v1/dyad-years"
    params: dict[str, Any] | None = panel_params(asean, limit=300)
    while url is not None:
        page = (await mme.get(url, params=params)).json()
        walked += [
            (r["country_a"]["iso3"], r["country_b"]["iso3"], r["year"]) for r in page["data"]
        ]
        url, params = page["links"]["next"], None

    rows = await csv_rows(mme, panel_params(asean))

    assert walked == [(r["country_a"], r["country_b"], int(r["year"])) for r in rows]


# --- the notes follow the data version ------------------------------------------------------


async def test_the_notes_follow_the_data_through_the_response_cache(fresh_url: str) -> None:
    key = make_key(fresh_url, "coverage-test")
    transport = httpx.ASGITransport(app=create_app(Settings(database_url=fresh_url)))
    params: dict[str, Any] = {"channel": "exercise", "year_gte": 1975, "year_lte": 1979}
    edition = {
        "year": 1976,
        "start_date": "1976-06-01",
        "end_date": "1976-06-10",
        "participants": [{"country": "BTN", "is_host": True}, {"country": "MDV"}],
        "sources": [{"source": "article", "locator": "made up"}],
    }
    series = {
        "slug": "early-drill",
        "name": "Early Drill",
        "name_id": "Latihan Awal",
        "sources": [{"source": "article", "locator": "made up"}],
        "editions": [edition],
    }
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as api:
        before = await api.get("/v1/coverage", params=params)
        assert (await api.get("/v1/coverage", params=params)).json() == before.json()  # cached

        created = await api.post("/v1/exercises", json=series, headers={"X-API-Key": key})
        assert created.status_code == 201, created.text
        after = await api.get("/v1/coverage", params=params)

    assert before.json()["coverage"][0]["years_without_data"] == [
        {"first_year": 1975, "last_year": 1979}
    ]
    [note] = after.json()["coverage"]
    assert note["years_without_data"] == [{"first_year": 1975, "last_year": 1975}]
    assert note["partial_years"] == [{"first_year": 1976, "last_year": 1979}]
    assert after.headers["etag"] != before.headers["etag"]


async def test_a_balanced_panel_pairs_a_country_only_while_it_exists(
    mme: httpx.AsyncClient,
) -> None:
    east_germany = (await mme.get("/v1/countries/DDR")).json()
    ended = date.fromisoformat(east_germany["valid_until"])
    params = panel_params(["DDR", "FRA", "POL"], year_gte=1985, year_lte=1995, limit=500)

    page = (await mme.get("/v1/dyad-years", params=params)).json()
    rows = await csv_rows(mme, params)

    years: dict[tuple[str, str], set[int]] = {}
    for row in rows:
        years.setdefault((row["country_a"], row["country_b"]), set()).add(int(row["year"]))
    assert years[("DDR", "FRA")] == years[("DDR", "POL")] == set(range(1985, ended.year + 1))
    assert years[("FRA", "POL")] == set(range(1985, 1996))
    assert page["meta"]["total"] == len(rows) == len(page["data"])
