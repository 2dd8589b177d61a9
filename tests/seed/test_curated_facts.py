"""The second round of curated facts (issue 17), read back through the API: the corrections
the December 2026 audit asked for, and a sample of the additions, each with its source."""

from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.anyio


async def _get(api: httpx.AsyncClient, path: str, **params: Any) -> Any:
    response = await api.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


async def _members(api: httpx.AsyncClient, slug: str, day: str, role: str = "member") -> set[str]:
    body = await _get(api, f"/v1/organizations/{slug}/members", as_of=day, role=role)
    return {member["country"]["iso3"] for member in body["data"]}


def _cited(item: dict[str, Any]) -> set[str]:
    return {citation["source_id"] for citation in item["sources"]}


def _roles(edition: dict[str, Any]) -> dict[str, str]:
    return {p["country"]["iso3"]: p["role"] for p in edition["participants"]}


# --- corrections ---------------------------------------------------------------------


async def test_czechia_has_its_own_cow_code_not_czechoslovakias(api: httpx.AsyncClient) -> None:
    codes = {}
    for name in ("Czechia", "Czechoslovakia"):
        body = await _get(api, "/v1/countries", q=name)
        codes.update({row["iso3"]: row["cow_code"] for row in body["data"]})
    assert codes["CZE"] == 316
    assert codes["CSK"] == 315


async def test_cobra_gold_2024_names_the_staff_and_observer_nations(
    api: httpx.AsyncClient,
) -> None:
    edition = await _get(api, "/v1/exercises/cobra-gold/editions/cobra-gold-2024")
    roles = _roles(edition)
    assert roles["AUS"] == "staff_only"
    planning_team = {"BGD", "CAN", "FRA", "MNG", "NPL", "NZL", "PHL", "FJI", "GBR", "BRN"}
    observers = {"KHM", "LAO", "BRA", "PAK", "VNM", "DEU", "SWE", "GRC", "KWT", "LKA"}
    assert {code for code, role in roles.items() if role == "staff_only"} == planning_team | {"AUS"}
    assert {code for code, role in roles.items() if role == "observer"} == observers
    assert roles["CHN"] == roles["IND"] == "humanitarian_only"
    australia = next(p for p in edition["participants"] if p["country"]["iso3"] == "AUS")
    assert _cited(australia) == {"khaosod-cobra-gold-2024"}
    assert edition["ordinal"] == 43


async def test_doubtful_cobra_gold_roles_are_flagged(api: httpx.AsyncClient) -> None:
    edition_2017 = await _get(api, "/v1/exercises/cobra-gold/editions/cobra-gold-2017")
    planning = [p for p in edition_2017["participants"] if p["role"] == "staff_only"]
    assert len(planning) == 10
    assert {p["certainty"] for p in planning} == {"disputed"}
    assert "humanitarian_only" not in _roles(edition_2017).values()

    edition_2023 = await _get(api, "/v1/exercises/cobra-gold/editions/cobra-gold-2023")
    australia = next(p for p in edition_2023["participants"] if p["country"]["iso3"] == "AUS")
    assert (australia["role"], australia["certainty"]) == ("humanitarian_only", "disputed")


async def test_timor_leste_is_an_admm_observer_from_the_17th_admm(
    api: httpx.AsyncClient,
) -> None:
    assert "TLS" not in await _members(api, "admm", "2023-10-31", role="observer")
    assert "TLS" in await _members(api, "admm", "2023-11-30", role="observer")
    organization = await _get(api, "/v1/organizations/admm/members", role="observer")
    timor = next(m for m in organization["data"] if m["country"]["iso3"] == "TLS")
    assert "republika-admm-2023-11-16" in _cited(timor)


async def test_well_sourced_dates_are_confirmed(api: httpx.AsyncClient) -> None:
    brunei = next(
        m
        for m in (await _get(api, "/v1/organizations/asean/members"))["data"]
        if m["country"]["iso3"] == "BRN"
    )
    assert (brunei["start_date"], brunei["certainty"]) == ("1984-01-07", "confirmed")
    assert "8 January 1984" in brunei["note"]

    belarus = next(
        m
        for m in (await _get(api, "/v1/organizations/sco/members"))["data"]
        if m["country"]["iso3"] == "BLR"
    )
    assert (belarus["start_date"], belarus["certainty"]) == ("2024-07-04", "confirmed")
    assert "BLR" not in await _members(api, "sco", "2024-07-03")

    treaty = await _get(api, "/v1/agreements/us-rok-mutual-defense-treaty")
    assert (treaty["in_force_date"], treaty["certainty"]) == ("1954-11-17", "confirmed")

    declaration = await _get(api, "/v1/agreements/asean-declaration-cybercrime")
    assert (declaration["signed_date"], declaration["signed_precision"]) == ("2017-11-13", "day")
    assert declaration["certainty"] == "confirmed"


async def test_the_fms_programme_dates_from_the_1968_act(api: httpx.AsyncClient) -> None:
    fms = await _get(api, "/v1/agreements/us-foreign-military-sales")
    assert fms["in_force_date"] == "1968-10-22"
    assert {"fms-act-1968-wiki", "wikisource-stat-90-734"} <= _cited(fms)


async def test_what_no_source_confirms_stays_flagged(api: httpx.AsyncClient) -> None:
    strategy = await _get(api, "/v1/agreements/asean-cybersecurity-cooperation-strategy-2021-2025")
    assert strategy["certainty"] == "unconfirmed"
    members = (await _get(api, "/v1/organizations/admm/members", role="member"))["data"]
    timor = next(m for m in members if m["country"]["iso3"] == "TLS")
    assert timor["certainty"] == "unconfirmed"


# --- additions -------------------------------------------------------------------------


async def test_seato_had_the_manila_pact_signatories_from_1954_to_1977(
    api: httpx.AsyncClient,
) -> None:
    signatories = {"AUS", "FRA", "NZL", "PAK", "PHL", "THA", "GBR", "USA"}
    assert await _members(api, "seato", "1954-09-07") == set()
    assert await _members(api, "seato", "1960-01-01") == signatories
    assert await _members(api, "seato", "1977-07-01") == set()
    seato = await _get(api, "/v1/organizations/seato")
    assert (seato["founded_date"], seato["ended_date"]) == ("1954-09-08", "1977-06-30")
    pact = await _get(api, "/v1/agreements/manila-pact")
    assert {party["country"]["iso3"] for party in pact["parties"]} == signatories
    assert _cited(pact) == {"frus-manila-pact"}


async def test_interfet_was_led_by_australia_with_21_named_contributors(
    api: httpx.AsyncClient,
) -> None:
    interfet = await _get(api, "/v1/operations/interfet")
    assert (interfet["start_date"], interfet["end_date"]) == ("1999-09-20", "2000-02-28")
    contributors = {c["country"]["iso3"]: c for c in interfet["contributors"]}
    assert len(contributors) == 21
    assert {"AUS", "NZL", "THA", "MYS", "SGP", "PHL", "KOR", "USA"} <= contributors.keys()
    assert "IDN" not in contributors
    assert contributors["AUS"]["personnel"] == 5500
    assert "vwma-interfet" in _cited(interfet)


async def test_indonesia_s_first_un_contingent_went_to_unef_in_1957(
    api: httpx.AsyncClient,
) -> None:
    unef = await _get(api, "/v1/operations/unef-i")
    (indonesia,) = [c for c in unef["contributors"] if c["country"]["iso3"] == "IDN"]
    assert indonesia["start_date"] == "1957-01-01"
    assert _cited(indonesia) == {"republika-garuda-1957"}


async def test_indonesia_s_agreements_with_australia_and_the_us(api: httpx.AsyncClient) -> None:
    lombok = await _get(api, "/v1/agreements/lombok-treaty")
    assert (lombok["signed_date"], lombok["in_force_date"]) == ("2006-11-13", "2008-02-07")
    for slug, partner in (
        ("lombok-treaty", "AUS"),
        ("australia-indonesia-dca-2024", "AUS"),
        ("us-indonesia-dca-2023", "USA"),
    ):
        agreement = await _get(api, f"/v1/agreements/{slug}")
        assert {party["country"]["iso3"] for party in agreement["parties"]} == {"IDN", partner}
        assert agreement["sources"], slug


async def test_regional_mechanisms_name_their_members(api: httpx.AsyncClient) -> None:
    assert await _members(api, "fpda", "1971-11-01") == {"AUS", "MYS", "NZL", "SGP", "GBR"}
    assert await _members(api, "our-eyes", "2018-01-25") == {
        "BRN",
        "IDN",
        "MYS",
        "PHL",
        "SGP",
        "THA",
    }
    assert await _members(api, "malacca-straits-patrol", "2005-01-01") == {"IDN", "MYS", "SGP"}
    assert "THA" in await _members(api, "malacca-straits-patrol", "2006-04-21")
    assert await _members(api, "sulu-sea-tca", "2018-01-01") == {"IDN", "MYS", "PHL"}
    for slug, threat in (("our-eyes", "terrorism"), ("sulu-sea-tca", "maritime-security-threats")):
        organization = await _get(api, f"/v1/organizations/{slug}")
        assert threat in {t["slug"] for t in organization["threats"]}


async def test_asex_01_natuna_had_all_ten_asean_states(api: httpx.AsyncClient) -> None:
    edition = await _get(
        api, "/v1/exercises/asean-solidarity-exercise/editions/asex-01-natuna-2023"
    )
    confirmed = {
        p["country"]["iso3"] for p in edition["participants"] if p["certainty"] == "confirmed"
    }
    assert confirmed == {"IDN", "BRN", "KHM", "LAO", "MYS", "MMR", "PHL", "SGP", "THA", "VNM"}
    assert [host["iso3"] for host in edition["hosts"]] == ["IDN"]


async def test_the_admm_addresses_climate_change_from_the_vientiane_declaration(
    api: httpx.AsyncClient,
) -> None:
    async def admm_threats(year: int) -> list[str]:
        body = await _get(api, "/v1/countries/IDN/partners/MYS", year=year, channel="organization")
        admm = next(t for t in body["data"] if t["initiative"]["slug"] == "admm")
        return [threat["slug"] for threat in admm["threats"]]

    assert "climate-change" not in await admm_threats(2023)
    assert "climate-change" in await admm_threats(2025)
    assert "terrorism" in await admm_threats(2010)
