"""`defcoop import atop` and `defcoop import cow-alliances`: through the command line and the API.

Expectations are computed straight from the bundled CSV files with the csv module. COW codes
are turned into countries with the members the API lists for each ATOP spell (code, country),
so what is checked is which states are allied when, not the code table.

Fixtures:
- tests/fixtures/atop_sample/: every row, unchanged, of seven alliances: 1005 (1815, members
  before COW's state system begins), 1320 (a member coded 8152, which is no COW code), 3180
  (NATO), 3215 (ANZUS), 3285 (the Warsaw Pact), 3375 (the 1960 US-Japan treaty) and 3424
  (two rows per partner on 1993-01-01, when Czechoslovakia split: phases 2 and 3).
"""

import csv
import re
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import Result

from app.core.config import PROJECT_ROOT, Settings
from app.main import create_app
from tests.conftest import client_for as client_for_app
from tests.conftest import make_key
from tests.imported import get, import_again, import_counts, imported_file, run

pytestmark = pytest.mark.anyio

BUNDLED = PROJECT_ROOT / "seed" / "datasets" / "atop-5.1"
SAMPLE = Path(__file__).parents[1] / "fixtures" / "atop_sample"
COW = PROJECT_ROOT / "seed" / "datasets" / "cow-alliance-4.1" / "alliance_v4.1_by_member.csv"
OBLIGATIONS = ("defense", "offense", "neutral", "nonagg", "consul")
API_OBLIGATIONS = ("defense", "offense", "neutrality", "non_aggression", "consultation")
US, JAPAN = 2, 740


def rows(folder: Path, name: str) -> list[dict[str, str]]:
    with (folder / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _day(year: str, month: str, day: str) -> date:
    """A member row's date as the import stores it: unknown parts are the first ones."""
    y, m, d = int(year), int(month or 0), int(day or 0)
    return date(y, m or 1, d if m and d else 1)


def spells(folder: Path = BUNDLED) -> list[dict[str, Any]]:
    """Every member row with its period [start, end) and obligations."""
    found = []
    for row in rows(folder, "atop5_1m.csv"):
        found.append(
            {
                "atopid": int(row["atopid"]),
                "code": int(row["member"]),
                "start": _day(row["yrent"], row["moent"], row["dayent"]),
                "end": None
                if row["yrexit"] in ("", "0")
                else _day(row["yrexit"], row["moexit"], row["dayexit"]),
                **{name: row[name] == "1" for name in OBLIGATIONS},
            }
        )
    return found


def holds(spell: dict[str, Any], first: date, last: date) -> bool:
    """The spell overlaps [first, last]."""
    return spell["start"] <= last and (spell["end"] is None or spell["end"] > first)


full_import, full_api = imported_file("atop", BUNDLED)
sample_import, sample_api = imported_file("atop", SAMPLE)


async def spell_countries(
    api: httpx.AsyncClient, atop_ids: set[int]
) -> dict[tuple[int, int, date], str]:
    """(atopid, COW code, start) -> the ISO3 of the country the API lists for that spell."""
    found = {}
    for atop_id in atop_ids:
        detail = await get(api, f"/v1/alliances/atop-{atop_id}")
        for member in detail["members"]:
            key = (atop_id, member["cow_code"], date.fromisoformat(member["start_date"]))
            found[key] = member["country"]["iso3"]
    return found


async def partners(api: httpx.AsyncClient, code: str, **params: Any) -> set[str]:
    body = await get(api, f"/v1/countries/{code}/partners", limit=500, **params)
    return {item["partner"]["iso3"] for item in body["data"]}


# --- every row accounted for ---------------------------------------------------------------


def test_every_row_of_the_bundled_files_is_accounted_for(
    full_import: tuple[str, Result],
) -> None:
    result = full_import[1]
    assert result.exit_code == 0, result.output
    found = import_counts(result)
    read = len(rows(BUNDLED, "atop5_1a.csv")) + len(rows(BUNDLED, "atop5_1m.csv"))
    assert found["read"] == read
    assert found["created"] + found["merged"] + found["rejected"] == read
    assert found["merged"] > 0  # the curated treaties (NATO, ANZUS, US-Japan...)


def test_a_member_code_no_country_carries_is_rejected_with_its_reason(
    sample_import: tuple[str, Result],
) -> None:
    result = sample_import[1]
    assert result.exit_code == 0, result.output
    assert "rejected (1): the member's COW code names no country (1 row: atop1320:8152:" in (
        result.stdout
    )


def test_rows_sharing_atopid_member_and_entry_date_are_cited_with_their_phase(
    sample_import: tuple[str, Result],
) -> None:
    found = import_counts(sample_import[1])
    read = len(rows(SAMPLE, "atop5_1a.csv")) + len(rows(SAMPLE, "atop5_1m.csv"))
    assert found["created"] + found["merged"] + found["rejected"] == read
    assert "repeats the locator" not in sample_import[1].stdout


async def test_the_split_of_czechoslovakia_keeps_both_phases_of_a_partner(
    sample_api: httpx.AsyncClient,
) -> None:
    expected = [s for s in spells(SAMPLE) if s["atopid"] == 3424]
    detail = await get(sample_api, "/v1/alliances/atop-3424")
    assert len(detail["members"]) == len(expected)
    sources = {member["source"]["locator"] for member in detail["members"]}
    assert any(locator.endswith("(phase 3)") for locator in sources)


def test_a_second_import_changes_nothing(full_import: tuple[str, Result]) -> None:
    first = import_counts(full_import[1])
    found = import_again(full_import, "atop", BUNDLED)
    assert found["already_imported"] == first["created"] + first["merged"]


def test_a_folder_without_the_member_file_is_refused(fresh_url: str, tmp_path: Path) -> None:
    (tmp_path / "atop5_1a.csv").write_bytes((SAMPLE / "atop5_1a.csv").read_bytes())
    result = run(fresh_url, "import", "atop", str(tmp_path))
    assert result.exit_code == 1
    assert "has no atop5_1m.csv; nothing was imported" in result.output


# --- curated facts stand --------------------------------------------------------------------


async def test_nato_keeps_its_curated_enlargement_dates(sample_api: httpx.AsyncClient) -> None:
    """ATOP enters Poland on 1997-12-16 (the accession protocol); NATO's record, 1999-03-12."""
    pair = await get(sample_api, "/v1/countries/USA/partners/POL", obligation="defense")
    nato = [tie for tie in pair["data"] if tie["initiative"]["slug"] == "nato"]
    assert [tie["start_date"] for tie in nato] == ["1999-03-12"]
    before = await get(sample_api, "/v1/countries/USA/partners/POL", year=1998)
    assert [tie for tie in before["data"] if tie["initiative"]["slug"] == "nato"] == []


async def test_a_disagreement_with_a_curated_date_is_noted_with_both_sources(
    sample_import: tuple[str, Result], sample_api: httpx.AsyncClient
) -> None:
    detail = await get(sample_api, "/v1/alliances/atop-3180")
    poland = [m for m in detail["members"] if m["country"]["iso3"] == "POL"]
    assert poland and "1999-03-12" in poland[0]["note"] and "1997-12-16" in poland[0]["note"]
    assert "curated dates stand over ATOP's: North Atlantic Treaty Organization, POL" in (
        sample_import[1].stdout
    )


async def test_an_alliance_of_a_curated_record_is_not_a_second_tie(
    sample_api: httpx.AsyncClient,
) -> None:
    pair = await get(sample_api, "/v1/countries/USA/partners/JPN", year=2000)
    treaties = [t["initiative"]["slug"] for t in pair["data"] if t["channel"] == "agreement"]
    assert treaties == ["us-japan-security-treaty"]
    detail = await get(sample_api, "/v1/alliances/atop-3375")
    assert detail["agreement"] == "us-japan-security-treaty" and not detail["name_is_label"]


# --- independent checks: the CSV against the API ----------------------------------------------


async def test_the_warsaw_pact_members_on_1980_01_01(full_api: httpx.AsyncClient) -> None:
    day = date(1980, 1, 1)
    expected = {s["code"] for s in spells() if s["atopid"] == 3285 and holds(s, day, day)}
    detail = await get(full_api, "/v1/alliances/atop-3285")
    members = {
        m["cow_code"]
        for m in detail["members"]
        if date.fromisoformat(m["start_date"]) <= day
        and (m["end_date"] is None or date.fromisoformat(m["end_date"]) > day)
    }
    assert members == expected and len(expected) == 7
    # ...and the ties: each is the Soviet Union's partner through the pact in 1980.
    names = await spell_countries(full_api, {3285})
    soviet = names[(3285, 365, date(1955, 5, 14))]
    for spell in spells():
        if spell["atopid"] == 3285 and spell["code"] != 365 and holds(spell, day, day):
            other = names[(3285, spell["code"], spell["start"])]
            pair = await get(full_api, f"/v1/countries/{soviet}/partners/{other}", year=1980)
            assert "atop-3285" in {tie["initiative"]["slug"] for tie in pair["data"]}


async def test_defense_pacts_with_the_united_states_in_force_in_1985(
    full_api: httpx.AsyncClient,
) -> None:
    first, last = date(1985, 1, 1), date(1985, 12, 31)
    every = spells()
    american = [s for s in every if s["code"] == US and holds(s, first, last)]
    expected_spells = [
        (partner, us)
        for us in american
        for partner in every
        if partner["atopid"] == us["atopid"]
        and partner["code"] != US
        and holds(partner, first, last)
        and (us["defense"] or partner["defense"])
    ]
    names = await spell_countries(full_api, {us["atopid"] for _, us in expected_spells})
    expected = {names[(p["atopid"], p["code"], p["start"])] for p, _ in expected_spells}
    assert await partners(full_api, "USA", year=1985, obligation="defense") == expected


async def test_partners_of_japan_through_alliances_in_2000(full_api: httpx.AsyncClient) -> None:
    first, last = date(2000, 1, 1), date(2000, 12, 31)
    every = spells()
    japanese = [s for s in every if s["code"] == JAPAN and holds(s, first, last)]
    partner_spells = [
        p
        for jp in japanese
        for p in every
        if p["atopid"] == jp["atopid"] and p["code"] != JAPAN and holds(p, first, last)
    ]
    names = await spell_countries(full_api, {p["atopid"] for p in partner_spells})
    expected = {names[(p["atopid"], p["code"], p["start"])] for p in partner_spells}
    found = await partners(full_api, "JPN", year=2000, obligation=list(API_OBLIGATIONS))
    assert found == expected and expected


async def test_alliances_in_which_the_united_states_promised_defense_in_1960(
    full_api: httpx.AsyncClient,
) -> None:
    first, last = date(1960, 1, 1), date(1960, 12, 31)
    expected = {
        s["atopid"] for s in spells() if s["code"] == US and s["defense"] and holds(s, first, last)
    }
    body = await get(full_api, "/v1/alliances", member="USA", obligation="defense", year=1960)
    assert {item["atop_id"] for item in body["data"]} == expected and expected


async def test_each_alliance_is_directed_against_the_states_atop_names(
    full_api: httpx.AsyncClient,
) -> None:
    expected = {
        int(row["atopid"]): sorted(
            {int(row[c]) for c in ("statthr1", "statthr2") if row[c] not in ("", "0")}
        )
        for row in rows(BUNDLED, "atop5_1a.csv")
    }
    found: dict[int, list[int]] = {}
    page: str | None = "/v1/alliances?limit=500"
    while page:
        response = await full_api.get(page)
        assert response.status_code == 200, response.text
        body = response.json()
        for item in body["data"]:
            found[item["atop_id"]] = sorted(t["cow_code"] for t in item["directed_against"])
        page = body["links"]["next"]
    assert found == expected


async def test_an_alliance_detail_says_whom_it_is_directed_against(
    full_api: httpx.AsyncClient,
) -> None:
    detail = await get(full_api, "/v1/alliances/atop-3285")
    target = detail["directed_against"][0]["country"]["name"]
    assert detail["description"].endswith(f"directed against: {target}.")


async def test_a_defense_alliance_addresses_armed_conflict_while_in_force(
    full_api: httpx.AsyncClient,
) -> None:
    detail = await get(full_api, "/v1/agreements/atop-3285")
    assert [t["slug"] for t in detail["threats"]] == ["armed-conflict"]
    pair = await get(full_api, "/v1/countries/POL/partners/HUN", year=1980)
    pact = [tie for tie in pair["data"] if tie["initiative"]["slug"] == "atop-3285"]
    assert [t["slug"] for t in pact[0]["threats"]] == ["armed-conflict"]


async def test_an_alliance_without_a_known_name_says_its_name_is_a_label(
    full_api: httpx.AsyncClient,
) -> None:
    body = await get(full_api, "/v1/alliances", q="ATOP 1010")
    assert [(a["name"], a["name_is_label"]) for a in body["data"]] == [("ATOP 1010", True)]


async def test_meta_counts_the_alliances_their_members_and_the_datasets(
    sample_api: httpx.AsyncClient,
) -> None:
    counts = (await get(sample_api, "/v1/meta"))["counts"]
    alliances = await get(sample_api, "/v1/alliances", limit=500)
    atopids = {row["atopid"] for row in rows(SAMPLE, "atop5_1a.csv")}
    assert counts["alliances"] == alliances["meta"]["total"] == len(atopids)
    members = 0
    for alliance in alliances["data"]:
        members += len((await get(sample_api, f"/v1/alliances/{alliance['slug']}"))["members"])
    assert counts["alliance_members"] == members > 0
    datasets = await get(sample_api, "/v1/datasets", limit=500)
    assert counts["datasets"] == datasets["meta"]["total"] > 0


async def test_an_unknown_obligation_is_a_422_problem(full_api: httpx.AsyncClient) -> None:
    response = await full_api.get("/v1/countries/USA/partners", params={"obligation": "love"})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["pointer"] == "/query/obligation/0"


async def test_an_unknown_alliance_is_a_404_problem(full_api: httpx.AsyncClient) -> None:
    response = await full_api.get("/v1/alliances/atop-1")
    assert response.status_code == 404
    assert "atop-1" in response.json()["detail"]


# --- COW v4.1 -------------------------------------------------------------------------------


def test_cow_alliances_accounts_for_every_row_and_writes_nothing(
    full_import: tuple[str, Result],
) -> None:
    url = full_import[0]
    before = run(url, "import", "atop", str(BUNDLED)).stdout
    result = run(url, "import", "cow-alliances", str(COW))
    assert result.exit_code == 0, result.output
    with COW.open(newline="") as handle:
        total = sum(1 for _ in csv.DictReader(handle))
    match = re.search(r"(\d+) rows read, (\d+) agree, (\d+) disagree", result.stdout)
    assert match and int(match[1]) == total == int(match[2]) + int(match[3])
    version = re.search(r"data version (\d+)", before)
    after = run(url, "import", "atop", str(BUNDLED)).stdout
    assert version and f"data version {version[1]}" in after


async def test_a_re_import_leaves_an_alliance_curators_deleted_alone(fresh_url: str) -> None:
    assert run(fresh_url, "import", "atop", str(SAMPLE)).exit_code == 0
    key = make_key(fresh_url, "atop-curator")
    async with client_for_app(create_app(Settings(database_url=fresh_url)), key=key) as api:
        deleted = await api.delete("/v1/agreements/atop-3285")
        assert deleted.status_code == 204, deleted.text
        again = run(fresh_url, "import", "atop", str(SAMPLE))
        pact = [s for s in spells(SAMPLE) if s["atopid"] == 3285]
        assert import_counts(again)["left_to_curators"] == 1 + len(pact)
        assert (await api.get("/v1/agreements/atop-3285")).status_code == 404
