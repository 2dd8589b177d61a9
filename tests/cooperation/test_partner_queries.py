"""Common partners and the partners' tie-years and sorts (issue 16), checked against the
other reads of the API: each country's own partners list, and each pair's evidence."""

import csv
import io
from datetime import date
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.anyio

CHANNELS = ("organization", "exercise", "agreement", "operation", "transfer")
# Eleven countries: one more than a request may compare.
ELEVEN = ("USA", "CHN", "IDN", "MYS", "THA", "SGP", "PHL", "VNM", "AUS", "JPN", "IND")
TOO_MANY = "&".join(f"country={code}" for code in ELEVEN)


async def _get(api: httpx.AsyncClient, path: str, **params: Any) -> Any:
    response = await api.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


async def _partners(api: httpx.AsyncClient, code: str, **params: Any) -> list[dict[str, Any]]:
    page = await _get(api, f"/v1/countries/{code}/partners", limit=500, **params)
    assert page["links"]["next"] is None
    return page["data"]  # type: ignore[no-any-return]


async def _walk(api: httpx.AsyncClient, path: str, **params: Any) -> list[dict[str, Any]]:
    """A list read page by page, following each page's `next` link."""
    walked: list[dict[str, Any]] = []
    while True:
        page = await _get(api, path, **params)
        walked += page["data"]
        if page["links"]["next"] is None:
            return walked
        params["cursor"] = httpx.URL(page["links"]["next"]).params["cursor"]


async def _common(api: httpx.AsyncClient, *codes: str, **params: Any) -> list[dict[str, Any]]:
    page = await _get(api, "/v1/partners/common", country=list(codes), limit=500, **params)
    assert page["meta"]["total"] == len(page["data"])
    return page["data"]  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    "params",
    [{"year": 2015}, {"year_gte": 2000}, {"channel": ["exercise", "organization"]}, {}],
)
async def test_common_partners_agree_with_each_countrys_partners(
    api: httpx.AsyncClient, params: dict[str, Any]
) -> None:
    usa = {row["partner"]["iso3"]: row for row in await _partners(api, "USA", **params)}
    chn = {row["partner"]["iso3"]: row for row in await _partners(api, "CHN", **params)}
    expected = (set(usa) & set(chn)) - {"USA", "CHN"}
    common = await _common(api, "USA", "CHN", **params)
    assert {row["partner"]["iso3"] for row in common} == expected
    assert expected, "the seed has partners shared by the United States and China"
    for row in common:
        code = row["partner"]["iso3"]
        assert list(row["countries"]) == ["USA", "CHN"]
        for country, theirs in (("USA", usa[code]), ("CHN", chn[code])):
            side = row["countries"][country]
            for key in ("ties", "channels", "tie_years", "first_year", "last_year"):
                assert side[key] == theirs[key], (code, country, key)
        assert row["ties"] == usa[code]["ties"] + chn[code]["ties"]
    assert [row["ties"] for row in common] == sorted((row["ties"] for row in common), reverse=True)


async def test_common_partners_of_three_and_their_pages(api: httpx.AsyncClient) -> None:
    lists = [await _partners(api, code, year=2015) for code in ("USA", "CHN", "IDN")]
    shared = set.intersection(*({row["partner"]["iso3"] for row in rows} for rows in lists))
    whole = await _common(api, "USA", "CHN", "IDN", year=2015)
    assert {row["partner"]["iso3"] for row in whole} == shared - {"USA", "CHN", "IDN"}
    # Walked two by two, the pages give the same list in the same order.
    walked = await _walk(
        api, "/v1/partners/common", country=["USA", "CHN", "IDN"], year=2015, limit=2
    )
    assert walked == whole


async def test_common_partners_as_csv(api: httpx.AsyncClient) -> None:
    common = await _common(api, "USA", "CHN", year=2015)
    response = await api.get(
        "/v1/partners/common", params={"country": ["USA", "CHN"], "year": 2015, "format": "csv"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [row["partner.iso3"] for row in rows] == [row["partner"]["iso3"] for row in common]
    for row, item in zip(rows, common, strict=True):
        for country in ("USA", "CHN"):
            assert int(row[f"countries.{country}.ties"]) == item["countries"][country]["ties"]
            for channel in CHANNELS:
                column = f"countries.{country}.channels.{channel}"
                assert int(row[column]) == item["countries"][country]["channels"][channel]


@pytest.mark.parametrize(
    ("query", "pointer", "words"),
    [
        ("country=USA", "/query/country", "at least two"),
        ("country=USA&country=usa", "/query/country", "at least two"),
        ("", "/query/country", ""),
        ("country=USA&country=XYZ", "/query/country", "XYZ"),
        (TOO_MANY, "/query/country", ""),
        ("country=USA&country=CHN&year=1700", "/query/year", ""),
        ("country=USA&country=CHN&threat=no-such-threat", "/query/threat", "no-such-threat"),
    ],
)
async def test_common_partners_errors(
    api: httpx.AsyncClient, query: str, pointer: str, words: str
) -> None:
    response = await api.get(f"/v1/partners/common?{query}")
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert pointer in [error["pointer"] for error in problem["errors"]]
    assert words.lower() in problem["detail"].lower()


def _years_of(tie: dict[str, Any], this_year: int) -> set[int]:
    """The years a tie of the pair evidence is active: an ongoing one up to this year, one
    with an unknown start only in its last year."""
    last = tie["last_year"] if tie["last_year"] is not None else this_year
    first = tie["first_year"] if tie["first_year"] is not None else last
    return set(range(first, last + 1))


@pytest.mark.parametrize("window", [{}, {"year_gte": 2000, "year_lte": 2015}])
async def test_tie_years_agree_with_the_pair_evidence(
    api: httpx.AsyncClient, window: dict[str, int]
) -> None:
    this_year = date.today().year
    partners = await _partners(api, "IDN", sort="-tie_years", **window)
    expected: dict[str, int] = {}
    for row in partners:
        code = row["partner"]["iso3"]
        pair = await _get(api, f"/v1/countries/IDN/partners/{code}", **window)
        years: set[int] = set()
        for tie in pair["data"]:
            years |= _years_of(tie, this_year)
        if window:
            years &= set(range(window["year_gte"], window["year_lte"] + 1))
        expected[code] = len(years)
        assert row["tie_years"] == len(years), code
    ranked = sorted(expected, key=lambda code: (-expected[code], _name(partners, code)))
    assert [row["partner"]["iso3"] for row in partners] == ranked


def _name(partners: list[dict[str, Any]], code: str) -> str:
    return str(next(row["partner"]["name"] for row in partners if row["partner"]["iso3"] == code))


def _first_key(row: dict[str, Any]) -> tuple[int, int]:
    # An unknown first year is the earliest.
    return (row["first_year"] is not None, row["first_year"] or 0)


def _last_key(row: dict[str, Any]) -> tuple[int, int]:
    # An ongoing partnership's last year is the latest.
    return (row["ongoing"], row["last_year"] or 0)


@pytest.mark.parametrize(
    ("sort", "key", "descending"),
    [
        ("ties", lambda row: row["ties"], False),
        ("-ties", lambda row: row["ties"], True),
        ("tie_years", lambda row: row["tie_years"], False),
        ("first_year", _first_key, False),
        ("-first_year", _first_key, True),
        ("last_year", _last_key, False),
        ("-last_year", _last_key, True),
    ],
)
async def test_sorts_order_by_their_key_then_by_name(
    api: httpx.AsyncClient, sort: str, key: Any, descending: bool
) -> None:
    rows = await _partners(api, "THA", sort=sort)
    expected = sorted(rows, key=lambda row: row["partner"]["name"])
    expected.sort(key=key, reverse=descending)  # stable: equal keys stay by name
    assert rows == expected


async def test_name_sorts_and_the_default(api: httpx.AsyncClient) -> None:
    default = await _partners(api, "IDN")
    assert default == await _partners(api, "IDN", sort="-ties")
    by_name = await _partners(api, "IDN", sort="name")
    names = [row["partner"]["name"] for row in by_name]
    assert names == sorted(names)
    reverse = await _partners(api, "IDN", sort="-name")
    assert [row["partner"]["name"] for row in reverse] == sorted(names, reverse=True)


async def test_a_sorted_list_walks_page_by_page(api: httpx.AsyncClient) -> None:
    whole = await _partners(api, "IDN", sort="-name")
    assert await _walk(api, "/v1/countries/IDN/partners", sort="-name", limit=7) == whole


async def test_an_unknown_sort_is_refused(api: httpx.AsyncClient) -> None:
    response = await api.get("/v1/countries/IDN/partners", params={"sort": "years"})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["errors"][0]["pointer"] == "/query/sort"
