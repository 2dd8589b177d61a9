import httpx
import pytest

pytestmark = pytest.mark.anyio

MAIN_COBRA_GOLD = {"THA", "USA", "SGP", "JPN", "IDN", "KOR", "MYS"}


async def _edition(api: httpx.AsyncClient, series: str, slug: str) -> dict:  # type: ignore[type-arg]
    body = (await api.get(f"/v1/exercises/{series}")).json()
    return next(e for e in body["editions"] if e["slug"] == slug)


async def test_cobra_gold_2024_participants_with_roles(api: httpx.AsyncClient) -> None:
    edition = await _edition(api, "cobra-gold", "cobra-gold-2024")
    roles = {p["country"]["iso3"]: p["role"] for p in edition["participants"]}
    assert {c for c, role in roles.items() if role == "full_participant"} == MAIN_COBRA_GOLD
    assert {c for c, role in roles.items() if role == "humanitarian_only"} == {"CHN", "IND"}
    assert roles["AUS"] == "staff_only"  # the command-post exercise
    assert {h["iso3"] for h in edition["hosts"]} == {"THA", "USA"}
    assert edition["start_date"] == "2024-02-27"
    assert edition["personnel"] == 9590
    assert all(p["sources"] for p in edition["participants"])


async def test_cobra_gold_history(api: httpx.AsyncClient) -> None:
    series = (await api.get("/v1/exercises/cobra-gold")).json()
    assert series["first_year"] == 1982
    first = series["editions"][0]
    assert first["year"] == 1982
    assert {p["country"]["iso3"] for p in first["participants"]} == {"THA", "USA"}
    edition_2017 = await _edition(api, "cobra-gold", "cobra-gold-2017")
    roles = [p["role"] for p in edition_2017["participants"]]
    assert roles.count("full_participant") == 7
    assert roles.count("staff_only") == 10  # the "Public Assistance Project" (MPAT), disputed
    assert roles.count("observer") == 10


async def test_exercise_filters(api: httpx.AsyncClient) -> None:
    async def slugs(**params: str | int) -> set[str]:
        response = await api.get("/v1/exercises", params={**params, "limit": 500})
        assert response.status_code == 200, response.text
        return {s["slug"] for s in response.json()["data"]}

    assert "cobra-gold" in await slugs(participant="IDN")
    assert "cobra-gold" in await slugs(host="THA")
    assert "cobra-gold" not in await slugs(host="IDN")
    assert "garuda-shield" in await slugs(host="IDN")
    cyber = await slugs(threat="cyber-warfare")
    assert {"locked-shields", "cyber-coalition"} <= cyber
    assert "cobra-gold" not in cyber
    assert "locked-shields" in await slugs(kind="cyber_defense")
    assert "cobra-gold" in await slugs(year_gte=1980, year_lte=1985)
    assert "rimpac" not in await slugs(year_gte=1980, year_lte=1985)
    assert "cobra-gold" in await slugs(q="gold")


async def test_list_summary_counts_matching_editions(api: httpx.AsyncClient) -> None:
    body = (await api.get("/v1/exercises", params={"q": "cobra", "year_gte": 2017})).json()
    cobra = next(s for s in body["data"] if s["slug"] == "cobra-gold")
    assert cobra["first_year"] == 2017
    assert cobra["edition_count"] == 6  # 2017, 2019, 2021, 2023, 2024, 2025


async def test_unknown_filter_values_are_422(api: httpx.AsyncClient) -> None:
    response = await api.get("/v1/exercises", params={"threat": "aliens"})
    assert response.status_code == 422
    assert "terrorism" in response.json()["detail"]
    response = await api.get("/v1/exercises", params={"participant": "XXY"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "/query/participant"
    response = await api.get("/v1/exercises", params={"kind": "picnic"})
    assert response.status_code == 422
