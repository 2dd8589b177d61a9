"""The partners and pair queries, per channel and per threat, on the seeded facts."""

from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.anyio


async def _partners(api: httpx.AsyncClient, code: str, **params: Any) -> dict[str, dict[str, Any]]:
    response = await api.get(f"/v1/countries/{code}/partners", params={**params, "limit": 500})
    assert response.status_code == 200, response.text
    return {row["partner"]["iso3"]: row for row in response.json()["data"]}


async def _pair(api: httpx.AsyncClient, code: str, other: str, **params: Any) -> dict[str, Any]:
    response = await api.get(f"/v1/countries/{code}/partners/{other}", params=params)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def test_organization_channel_counts_shared_organizations(api: httpx.AsyncClient) -> None:
    partners = await _partners(api, "IDN", channel="organization")
    # ASEAN, ADMM, ADMM-Plus, the Malacca Straits Patrol, the Sulu Sea arrangement, Our Eyes
    assert partners["MYS"]["channels"]["organization"] == 6
    assert partners["MYS"]["ties"] == 6
    assert partners["MYS"]["first_year"] == 1967
    assert partners["MYS"]["ongoing"] is True
    # ADMM-Plus only, from 2010
    assert partners["USA"]["channels"]["organization"] == 1
    assert partners["USA"]["first_year"] == 2010
    assert all(row["channels"]["exercise"] == 0 for row in partners.values())


async def test_partners_are_ranked_by_ties(api: httpx.AsyncClient) -> None:
    response = await api.get("/v1/countries/IDN/partners", params={"limit": 500})
    ties = [row["ties"] for row in response.json()["data"]]
    assert ties == sorted(ties, reverse=True)
    assert response.json()["meta"]["total"] == len(ties)


async def test_exercise_channel_and_observers(api: httpx.AsyncClient) -> None:
    partners = await _partners(api, "IDN", channel="exercise")
    assert partners["THA"]["channels"]["exercise"] >= 4  # Cobra Gold 2017, 2023, 2024, 2025
    # Before ASEX-01 Natuna (2023), Myanmar only observed Cobra Gold 2017: not a tie.
    assert "MMR" not in await _partners(api, "IDN", channel="exercise", year_lte=2022)
    assert partners["MMR"]["channels"]["exercise"] == 1  # ASEX-01 Natuna


async def test_agreement_channel_through_an_organization_party(api: httpx.AsyncClient) -> None:
    # The ASEAN Cybersecurity Cooperation Strategy has ASEAN as party: it stands for its members.
    pair = await _pair(api, "IDN", "MYS", channel="agreement")
    slugs = {tie["initiative"]["slug"] for tie in pair["data"]}
    assert "asean-cybersecurity-cooperation-strategy" in slugs
    assert all(tie["channel"] == "agreement" for tie in pair["data"])
    # Timor-Leste joined ASEAN in 2025, after the 2017 strategy: the tie starts with it.
    timor = await _pair(api, "IDN", "TLS", channel="agreement")
    strategy = next(
        t
        for t in timor["data"]
        if t["initiative"]["slug"] == "asean-cybersecurity-cooperation-strategy"
    )
    assert strategy["start_date"] == "2025-10-26"


async def test_operation_channel(api: httpx.AsyncClient) -> None:
    pair = await _pair(api, "IDN", "IND", channel="operation")
    assert "unifil" in {tie["initiative"]["slug"] for tie in pair["data"]}


async def test_threat_filter(api: httpx.AsyncClient) -> None:
    cyber = await _partners(api, "IDN", threat="cybercrime")
    assert "MYS" in cyber
    assert all("cybercrime" in {t["slug"] for t in row["threats"]} for row in cyber.values())
    disasters = await _partners(api, "THA", threat="natural-disasters", channel="exercise")
    assert "USA" in disasters
    # The ADMM took up climate change in its Vientiane Joint Declaration (2024-11-20).
    assert await _partners(api, "IDN", threat="climate-change", year=2023) == {}
    climate = await _partners(api, "IDN", threat="climate-change")
    assert "MYS" in climate
    assert all(row["first_year"] >= 2024 for row in climate.values())


async def test_pair_thailand_united_states(api: httpx.AsyncClient) -> None:
    pair = await _pair(api, "THA", "USA")
    assert pair["country"] == {"iso3": "THA", "name": "Thailand"}
    assert pair["partner"]["iso3"] == "USA"
    by_slug = {tie["initiative"]["slug"]: tie for tie in pair["data"]}
    first = by_slug["cobra-gold-1982"]
    assert first["channel"] == "exercise"
    assert first["first_year"] == first["last_year"] == 1982
    assert first["roles"] == {"THA": "full_participant", "USA": "full_participant"}
    assert any(s["source_id"] == "mme-v7" for s in first["sources"])
    assert by_slug["admm-plus"]["channel"] == "organization"
    assert pair["summary"]["ties"] == len(pair["data"])
    assert all(tie["sources"] for tie in pair["data"])


async def test_year_filters(api: httpx.AsyncClient) -> None:
    pair = await _pair(api, "THA", "USA", year=1982)
    slugs = {tie["initiative"]["slug"] for tie in pair["data"]}
    assert "cobra-gold-1982" in slugs
    assert "cobra-gold-2024" not in slugs
    assert "admm-plus" not in slugs
    ranged = await _pair(api, "THA", "USA", year_gte=2023, year_lte=2024, channel="exercise")
    assert {t["first_year"] for t in ranged["data"]} == {2023, 2024}


async def test_anzus_tie_ends_when_the_us_suspended_new_zealand(api: httpx.AsyncClient) -> None:
    before = await _pair(api, "NZL", "USA", year=1980, channel="organization")
    assert "anzus" in {t["initiative"]["slug"] for t in before["data"]}
    after = await _pair(api, "NZL", "USA", year=1990, channel="organization")
    assert "anzus" not in {t["initiative"]["slug"] for t in after["data"]}


async def test_universal_bodies_are_not_ties(api: httpx.AsyncClient) -> None:
    pair = await _pair(api, "IDN", "IND")
    assert "un" not in {t["initiative"]["slug"] for t in pair["data"]}


async def test_pair_errors(api: httpx.AsyncClient) -> None:
    same = await api.get("/v1/countries/IDN/partners/ID")
    assert same.status_code == 422
    unknown = await api.get("/v1/countries/IDN/partners/QQQ")
    assert unknown.status_code == 404
    both = await api.get("/v1/countries/IDN/partners", params={"year": 2000, "year_gte": 1990})
    assert both.status_code == 422
    backwards = await api.get(
        "/v1/countries/IDN/partners", params={"year_gte": 2000, "year_lte": 1990}
    )
    assert backwards.status_code == 422
    channel = await api.get("/v1/countries/IDN/partners", params={"channel": "carrier-pigeon"})
    assert channel.status_code == 422


async def test_partner_pages_cover_every_partner_once(api: httpx.AsyncClient) -> None:
    everyone = await _partners(api, "IDN")
    seen: list[str] = []
    url: str | None = "/v1/countries/IDN/partners?limit=7"
    while url:
        body = (await api.get(url)).json()
        seen += [row["partner"]["iso3"] for row in body["data"]]
        url = body["links"]["next"]
    assert sorted(seen) == sorted(everyone)
