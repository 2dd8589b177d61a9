"""COW codes valid by date, through the API: a country's dated codes, the `cow` lookup with
`as_of` or `year`, the code a dyad-year gives, and every row of the bundled COW state list
accounted for. Expected values are read straight from states2016.csv with the csv module."""

import csv
import io
from collections import defaultdict
from datetime import date, timedelta
from itertools import pairwise
from typing import Any

import httpx
import pytest

from app.core.config import PROJECT_ROOT
from tests.conftest import dyads_among

pytestmark = pytest.mark.anyio

STATES = PROJECT_ROOT / "seed" / "datasets" / "cow-states-2016" / "states2016.csv"


def _rows() -> list[dict[str, str]]:
    with STATES.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _start(row: dict[str, str]) -> date:
    return date(int(row["styear"]), int(row["stmonth"]), int(row["stday"]))


def _until(row: dict[str, str]) -> date | None:
    """The first day after the spell; None for the list's "still a member" end."""
    last = date(int(row["endyear"]), int(row["endmonth"]), int(row["endday"]))
    return None if last == date(int(row["version"]), 12, 31) else last + timedelta(days=1)


async def _carriers(api: httpx.AsyncClient, **params: Any) -> list[str]:
    response = await api.get("/v1/countries", params=params)
    assert response.status_code == 200, response.text
    return [country["iso3"] for country in response.json()["data"]]


async def _codes(api: httpx.AsyncClient, iso3: str) -> list[dict[str, Any]]:
    response = await api.get(f"/v1/countries/{iso3}")
    assert response.status_code == 200, response.text
    return response.json()["cow_codes"]  # type: ignore[no-any-return]


def _period(row: dict[str, str]) -> tuple[int, str, str | None]:
    until = _until(row)
    return int(row["ccode"]), _start(row).isoformat(), until.isoformat() if until else None


async def test_germany_carries_255_then_260_then_255(api: httpx.AsyncClient) -> None:
    rows = [row for row in _rows() if row["ccode"] in {"255", "260"}]
    expected = sorted((_period(row) for row in rows), key=lambda period: period[1])
    assert [code for code, _, _ in expected] == [255, 260, 255]
    periods = [(p["cow_code"], p["valid_from"], p["valid_until"]) for p in await _codes(api, "DEU")]
    assert periods == expected
    assert (await api.get("/v1/countries/DEU")).json()["cow_code"] == 255  # the current one


async def test_cow_260_as_of_1980_finds_west_germany_deu(api: httpx.AsyncClient) -> None:
    assert await _carriers(api, cow=260, as_of="1980-01-01") == ["DEU"]
    assert await _carriers(api, cow=260, year=1980) == ["DEU"]
    assert await _carriers(api, cow=255, as_of="1980-01-01") == []
    assert await _carriers(api, cow=265, as_of="1980-01-01") == ["DDR"]
    assert await _carriers(api, cow=255, as_of="2000-01-01") == ["DEU"]
    assert await _carriers(api, cow=260, as_of="2000-01-01") == []


async def test_czechoslovakia_315_until_1992_czechia_316_from_1993(
    api: httpx.AsyncClient,
) -> None:
    ((czechia,),) = [[_start(row)] for row in _rows() if row["ccode"] == "316"]
    assert czechia == date(1993, 1, 1)
    assert await _carriers(api, cow=315, year=1990) == ["CSK"]
    assert await _carriers(api, cow=315, as_of="1992-12-31") == ["CSK"]
    assert await _carriers(api, cow=315, as_of="1993-01-01") == []
    assert await _carriers(api, cow=316, as_of="1993-01-01") == ["CZE"]
    assert await _carriers(api, cow=316, as_of="1992-12-31") == []
    czech = (await api.get("/v1/countries/CZE")).json()
    assert czech["cow_code"] == 316
    assert [(p["cow_code"], p["valid_from"]) for p in czech["cow_codes"]] == [(316, "1993-01-01")]
    assert {p["cow_code"] for p in await _codes(api, "CSK")} == {315}


async def test_one_code_passes_between_countries_by_date(api: httpx.AsyncClient) -> None:
    assert await _carriers(api, cow=365, as_of="1980-01-01") == ["SUN"]
    assert await _carriers(api, cow=365, as_of="2000-01-01") == ["RUS"]
    assert await _carriers(api, cow=365, year=1991) == ["RUS", "SUN"]  # from 26 December
    assert await _carriers(api, cow=345, as_of="1990-01-01") == ["YUG"]
    assert await _carriers(api, cow=345, as_of="2005-01-01") == ["SCG"]
    assert await _carriers(api, cow=345, as_of="2010-01-01") == ["SRB"]
    assert await _carriers(api, cow=345) == ["SCG", "SRB", "YUG"]


async def test_states_without_a_country_are_historical_countries(
    api: httpx.AsyncClient,
) -> None:
    (bavaria,) = [row for row in _rows() if row["ccode"] == "245"]
    assert await _carriers(api, cow=245, as_of=_start(bavaria).isoformat()) == ["XBV"]
    country = (await api.get("/v1/countries/XBV")).json()
    assert (country["name"], country["kind"], country["cow_code"]) == (
        bavaria["statenme"],
        "historical",
        245,
    )
    until = _until(bavaria)
    assert until is not None
    assert (country["valid_from"], country["valid_until"]) == (
        _start(bavaria).isoformat(),
        until.isoformat(),
    )


async def test_every_row_of_the_state_list_is_a_dated_code(api: httpx.AsyncClient) -> None:
    """Each line gives periods of its own code that together cover its spell exactly."""
    rows = _rows()
    cited: dict[int, list[tuple[int, str | None, str | None]]] = defaultdict(list)
    for code in sorted({int(row["ccode"]) for row in rows}):
        for iso3 in await _carriers(api, cow=code, limit=500):
            for period in await _codes(api, iso3):
                if period["cow_code"] != code:
                    continue
                (source,) = period["sources"]
                assert source["source_id"] == "cow-states-2016"
                line = int(source["locator"].removeprefix("line ").split(":")[0])
                cited[line].append((code, period["valid_from"], period["valid_until"]))
    assert sorted(cited) == list(range(2, len(rows) + 2))  # line 1 is the header
    for line, row in enumerate(rows, start=2):
        pieces = sorted(cited[line], key=lambda piece: piece[1] or "")
        code, start, until = _period(row)
        assert {piece[0] for piece in pieces} == {code}, line
        # RVN is cut to its curated validity (the period's note says so); others are whole.
        if row["stateabb"] != "RVN":
            assert (pieces[0][1], pieces[-1][2]) == (start, until), line
        for before, after in pairwise(pieces):
            assert before[2] == after[1], line  # no gap, no overlap


@pytest.mark.parametrize(
    ("params", "pointer"),
    [
        ({"as_of": "1980-01-01"}, "/query/as_of"),
        ({"year": 1980}, "/query/year"),
        ({"cow": 260, "as_of": "1980-01-01", "year": 1980}, "/query/year"),
        ({"cow": 0}, "/query/cow"),
        ({"cow": 1000}, "/query/cow"),
        ({"cow": "GFR"}, "/query/cow"),
        ({"cow": 260, "as_of": "1980"}, "/query/as_of"),
        ({"cow": 260, "year": 1700}, "/query/year"),
        ({"cow": 2, "as_of": "9999-12-31"}, "/query/as_of"),  # no day after it to bound it
        ({"cow": 2, "as_of": "0001-01-01"}, "/query/as_of"),
    ],
)
async def test_bad_cow_lookups_are_422(
    api: httpx.AsyncClient, params: dict[str, Any], pointer: str
) -> None:
    response = await api.get("/v1/countries", params=params)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert pointer in [error["pointer"] for error in response.json()["errors"]]


async def _dyad_codes(api: httpx.AsyncClient, year: int) -> tuple[int | None, int | None]:
    params = dyads_among(["DEU", "USA"], year, year)
    (row,) = (await api.get("/v1/dyad-years", params=params)).json()["data"]
    assert (row["country_a"]["iso3"], row["country_b"]["iso3"]) == ("DEU", "USA")
    return row["cow_a"], row["cow_b"]


async def test_dyad_years_give_the_code_of_their_year(api: httpx.AsyncClient) -> None:
    assert await _dyad_codes(api, 1980) == (260, 2)
    assert await _dyad_codes(api, 1990) == (260, 2)  # 260 until 2 October: most of the year
    assert await _dyad_codes(api, 2000) == (255, 2)
    params = dyads_among(["DEU", "USA"], 1980, 2000, format="csv")
    response = await api.get("/v1/dyad-years", params=params)
    assert response.status_code == 200
    rows = {int(row["year"]): row for row in csv.DictReader(io.StringIO(response.text))}
    assert (rows[1980]["cow_a"], rows[1991]["cow_a"], rows[2000]["cow_b"]) == ("260", "255", "2")


async def test_the_dataset_record_accounts_for_every_row(api: httpx.AsyncClient) -> None:
    record = (await api.get("/v1/datasets/cow-states-2016")).json()
    figures = record["last_import"]
    rows = len(_rows())
    assert (figures["rows_read"], figures["imported"], figures["rejected"]) == (rows, rows, 0)
    assert [(c["channel"], c["starts"]) for c in record["coverage"]] == [
        ("countries", min(_start(row) for row in _rows()).isoformat())
    ]
