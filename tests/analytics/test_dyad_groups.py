"""Dyad-years for a group (issue 16): the members of an organization in each year, a region,
and the threats as one column each.

On the seeded data. Every expected answer is read from other routes (an organization's
members on a day, the countries of a region, a pair's evidence), never written down here:
ASEAN's members on the last day of a year are its members in that year, since no member has
left it.
"""

from collections.abc import Iterable
from itertools import combinations
from typing import Any

import httpx
import pytest

from tests.analytics.test_analytics import PROBLEM, _json
from tests.datasets.test_coverage_in_answers import csv_rows

pytestmark = pytest.mark.anyio

FIRST, LAST = 1995, 2010
ASEAN_1999 = ["BRN", "IDN", "KHM", "LAO", "MMR", "MYS", "PHL", "SGP", "THA", "VNM"]
ASEAN_2025 = [*ASEAN_1999, "TLS"]

Key = tuple[str, str, int]


async def _all_rows(api: httpx.AsyncClient, **params: Any) -> list[dict[str, Any]]:
    """Every row, page after page, checked against `meta.total`."""
    rows: list[dict[str, Any]] = []
    body = await _json(api, "/v1/dyad-years", limit=500, **params)
    total = body["meta"]["total"]
    rows += body["data"]
    while body["links"]["next"]:
        response = await api.get(body["links"]["next"])
        assert response.status_code == 200, response.text
        body = response.json()
        rows += body["data"]
    assert len(rows) == total
    return rows


def _keys(rows: Iterable[dict[str, Any]]) -> set[Key]:
    return {(r["country_a"]["iso3"], r["country_b"]["iso3"], r["year"]) for r in rows}


async def _members(api: httpx.AsyncClient, slug: str, day: str, **params: Any) -> set[str]:
    body = await _json(api, f"/v1/organizations/{slug}/members", as_of=day, **params)
    return {member["country"]["iso3"] for member in body["data"]}


async def _asean_pair_years(api: httpx.AsyncClient, first: int, last: int) -> set[Key]:
    """Every pair of ASEAN members in every year, from the members on the year's last day."""
    keys: set[Key] = set()
    for year in range(first, last + 1):
        members = await _members(api, "asean", f"{year}-12-31")
        keys |= {(a, b, year) for a, b in combinations(sorted(members), 2)}
    return keys


# --- members_of -------------------------------------------------------------------------------


async def test_members_of_keeps_the_pair_years_in_which_both_were_members(
    api: httpx.AsyncClient,
) -> None:
    # Timor-Leste, an observer from 2022, was admitted on 26 October 2025.
    members = await _asean_pair_years(api, 2020, 2025)
    listed = await _all_rows(api, year_gte=2020, year_lte=2025, country=ASEAN_2025, within=True)

    grouped = await _all_rows(api, year_gte=2020, year_lte=2025, members_of="asean")

    assert _keys(grouped) == _keys(listed) & members
    assert _keys(grouped) < _keys(listed)
    timor_leste = {year for a, b, year in _keys(grouped) if "TLS" in (a, b)}
    assert timor_leste == {2025}


async def test_a_balanced_group_panel_is_every_pair_in_every_year_both_are_members(
    api: httpx.AsyncClient,
) -> None:
    members = await _asean_pair_years(api, FIRST, LAST)
    listed = await _all_rows(
        api, year_gte=FIRST, year_lte=LAST, country=ASEAN_1999, within=True, balanced=True
    )

    grouped = await _all_rows(api, year_gte=FIRST, year_lte=LAST, members_of="asean", balanced=True)

    assert _keys(grouped) == members
    # Cambodia joined on 30 April 1999: a member in 1999, not before.
    assert min(year for a, b, year in _keys(grouped) if "KHM" in (a, b)) == 1999
    # The ten codes listed: every pair in every year, members or not yet.
    assert _keys(listed) == {
        (a, b, year) for a, b in combinations(ASEAN_1999, 2) for year in range(FIRST, LAST + 1)
    }
    assert _keys(grouped) < _keys(listed)
    # The rows they share are the same rows.
    by_key = {(r["country_a"]["iso3"], r["country_b"]["iso3"], r["year"]): r for r in listed}
    for row in grouped:
        assert row == by_key[(row["country_a"]["iso3"], row["country_b"]["iso3"], row["year"])]


async def test_a_group_combines_with_the_country_filter(api: httpx.AsyncClient) -> None:
    rows = await _all_rows(
        api,
        year_gte=FIRST,
        year_lte=LAST,
        members_of="asean",
        country=["IDN", "KHM"],
        within=True,
        balanced=True,
    )

    assert [row["year"] for row in rows] == list(range(1999, LAST + 1))
    assert {(row["country_a"]["iso3"], row["country_b"]["iso3"]) for row in rows} == {
        ("IDN", "KHM")
    }


async def test_a_group_csv_has_the_rows_of_its_json(api: httpx.AsyncClient) -> None:
    params = {"year_gte": FIRST, "year_lte": LAST, "members_of": "asean", "balanced": "true"}
    pages = await _all_rows(api, **params)

    rows = await csv_rows(api, params)

    assert {(r["country_a"], r["country_b"], int(r["year"])) for r in rows} == _keys(pages)
    assert len(rows) == len(pages)


async def test_member_role_counts_the_roles_asked_for(api: httpx.AsyncClient) -> None:
    # Timor-Leste was an ASEAN observer from 2022 until its admission in October 2025.
    observers = await _members(api, "asean", "2023-12-31", role="observer")
    members = await _members(api, "asean", "2023-12-31")
    assert observers and not observers & members
    years = {"year_gte": 2022, "year_lte": 2024, "balanced": True}

    default = await _all_rows(api, members_of="asean", **years)
    anyone = await _all_rows(api, members_of="asean", member_role="any", **years)
    both = await _all_rows(api, members_of="asean", member_role=["member", "observer"], **years)

    def countries(rows: list[dict[str, Any]]) -> set[str]:
        return {row[side]["iso3"] for row in rows for side in ("country_a", "country_b")}

    assert countries(default) == members
    assert countries(anyone) == countries(both) == members | observers


async def test_members_of_several_organizations_is_the_union_of_their_members(
    api: httpx.AsyncClient,
) -> None:
    day = "2024-12-31"
    asean, anzus = await _members(api, "asean", day), await _members(api, "anzus", day)
    assert not asean & anzus

    rows = await _all_rows(
        api, year_gte=2024, year_lte=2024, members_of=["asean", "anzus"], balanced=True
    )

    group = sorted(asean | anzus)
    assert _keys(rows) == {(a, b, 2024) for a, b in combinations(group, 2)}


# --- region -----------------------------------------------------------------------------------


async def test_region_keeps_the_pairs_inside_it(api: httpx.AsyncClient) -> None:
    region = "South-eastern Asia"
    body = await _json(api, "/v1/countries", region=region, limit=500)
    inside = {country["iso3"] for country in body["data"]}
    everything = await _all_rows(api, year_gte=2024, year_lte=2024)

    rows = await _all_rows(api, year_gte=2024, year_lte=2024, region=region.upper())

    assert rows and _keys(rows) == {
        (a, b, year) for a, b, year in _keys(everything) if {a, b} <= inside
    }


async def test_region_and_members_of_both_hold(api: httpx.AsyncClient) -> None:
    day = "2024-12-31"
    admm_plus = await _members(api, "admm-plus", day)
    body = await _json(api, "/v1/countries", region="South-eastern Asia", limit=500)
    inside = {country["iso3"] for country in body["data"]}

    rows = await _all_rows(
        api,
        year_gte=2024,
        year_lte=2024,
        members_of="admm-plus",
        region="South-eastern Asia",
        balanced=True,
    )

    group = sorted(admm_plus & inside)
    assert len(group) < len(admm_plus)
    assert _keys(rows) == {(a, b, 2024) for a, b in combinations(group, 2)}


# --- threat columns ---------------------------------------------------------------------------


async def test_threat_columns_count_the_initiatives_addressing_each_threat(
    api: httpx.AsyncClient,
) -> None:
    slugs = [t["slug"] for t in (await _json(api, "/v1/threat-categories", limit=500))["data"]]
    pair = await _json(api, "/v1/countries/IDN/partners/MYS", year=2024)
    addressing: dict[str, set[tuple[str, str]]] = {slug: set() for slug in slugs}
    for tie in pair["data"]:
        for threat in tie["threats"]:
            addressing[threat["slug"]].add((tie["channel"], tie["initiative"]["slug"]))

    (row,) = await _all_rows(
        api, year_gte=2024, year_lte=2024, country=["IDN", "MYS"], within=True, threat_columns=True
    )

    assert {key for key in row if key.startswith("threat_")} == {
        "threat_" + slug.replace("-", "_") for slug in slugs
    }
    for slug in slugs:
        assert row["threat_" + slug.replace("-", "_")] == len(addressing[slug]), slug
    assert max(row["threat_" + slug.replace("-", "_")] for slug in slugs) > 1


async def test_threat_columns_agree_with_the_joined_column_in_csv_and_json(
    api: httpx.AsyncClient,
) -> None:
    params = {"year_gte": 2020, "year_lte": 2024, "members_of": "asean", "threat_columns": "true"}
    pages = await _all_rows(api, **params)

    rows = await csv_rows(api, params)

    columns = [column for column in rows[0] if column.startswith("threat_")]
    assert columns and list(rows[0])[-len(columns) :] == columns
    by_key = {(r["country_a"]["iso3"], r["country_b"]["iso3"], r["year"]): r for r in pages}
    for row in rows:
        page_row = by_key[(row["country_a"], row["country_b"], int(row["year"]))]
        named = set(row["threats"].split(";")) - {""}
        assert {c for c in columns if int(row[c]) > 0} == {
            "threat_" + slug.replace("-", "_") for slug in named
        }
        assert all(int(row[c]) == page_row[c] for c in columns)


async def test_without_threat_columns_a_row_has_none(api: httpx.AsyncClient) -> None:
    params = {"year_gte": 2024, "year_lte": 2024, "members_of": "asean"}
    pages = await _all_rows(api, **params)

    rows = await csv_rows(api, params)

    assert not [key for key in pages[0] if key.startswith("threat_")]
    assert list(rows[0])[-1] == "threats"


async def test_a_threat_column_is_empty_where_the_panel_cannot_tell_a_zero(
    api: httpx.AsyncClient,
) -> None:
    rows = await _all_rows(
        api,
        year_gte=FIRST,
        year_lte=LAST,
        members_of="asean",
        balanced=True,
        threat_columns=True,
    )

    for row in rows:
        for column in (key for key in row if key.startswith("threat_")):
            if row["ties"] is None:
                assert row[column] is None or row[column] > 0
            else:
                assert row[column] is not None
    assert any(row["ties"] is None for row in rows)


# --- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "pointer"),
    [
        ({"members_of": "no-such-pact"}, "/query/members_of"),
        ({"members_of": "NATO"}, "/query/members_of/0"),
        ({"members_of": ["asean"] * 6}, "/query/members_of"),
        ({"region": "Atlantis"}, "/query/region"),
        ({"member_role": "observer"}, "/query/member_role"),
        ({"members_of": "asean", "member_role": "king"}, "/query/member_role/0"),
        ({"threat_columns": "maybe"}, "/query/threat_columns"),
    ],
)
async def test_a_bad_group_is_a_problem_naming_its_parameter(
    api: httpx.AsyncClient, params: dict[str, Any], pointer: str
) -> None:
    response = await api.get(
        "/v1/dyad-years", params={"year_gte": 2000, "year_lte": 2001, **params}
    )

    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    problem = response.json()
    assert problem["detail"]
    assert pointer in [error["pointer"] for error in problem["errors"]]
