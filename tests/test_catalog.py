"""Agreements, operations, threat categories and sources."""

import httpx
import pytest

pytestmark = pytest.mark.anyio


async def test_bilateral_treaties(api: httpx.AsyncClient) -> None:
    body = (
        await api.get("/v1/agreements", params={"kind": "defense_treaty", "party": "USA"})
    ).json()
    slugs = {a["slug"] for a in body["data"]}
    assert {"us-japan-security-treaty", "anzus-treaty"} <= slugs
    treaty = (await api.get("/v1/agreements/us-japan-security-treaty")).json()
    assert treaty["signed_date"] == "1960-01-19"
    assert treaty["in_force_date"] == "1960-06-23"
    assert {p["country"]["iso3"] for p in treaty["parties"]} == {"USA", "JPN"}
    assert treaty["sources"]


async def test_foreign_military_sales_is_technology_transfer(api: httpx.AsyncClient) -> None:
    body = (await api.get("/v1/agreements", params={"kind": "technology_transfer"})).json()
    fms = next(a for a in body["data"] if a["slug"] == "us-foreign-military-sales")
    assert fms["in_force_date"] == "1976-01-01"
    detail = (await api.get("/v1/agreements/us-foreign-military-sales")).json()
    assert [(p["country"]["iso3"], p["role"]) for p in detail["parties"]] == [("USA", "provider")]


async def test_asean_cyber_strategy_has_asean_as_party(api: httpx.AsyncClient) -> None:
    detail = (await api.get("/v1/agreements/asean-cybersecurity-cooperation-strategy")).json()
    assert detail["kind"] == "cooperation_strategy"
    assert detail["parties"][0]["organization"]["slug"] == "asean"
    assert {t["slug"] for t in detail["threats"]} >= {"cybercrime"}
    successor = (
        await api.get("/v1/agreements/asean-cybersecurity-cooperation-strategy-2021-2025")
    ).json()
    assert successor["certainty"] == "unconfirmed"


async def test_un_missions(api: httpx.AsyncClient) -> None:
    body = (await api.get("/v1/operations", params={"kind": "peacekeeping"})).json()
    assert {"unifil", "monusco", "unmiss", "minusca"} <= {o["slug"] for o in body["data"]}
    unifil = (await api.get("/v1/operations/unifil")).json()
    assert unifil["lead_organization"]["slug"] == "un"
    assert unifil["host_country"]["iso3"] == "LBN"
    assert unifil["start_date"] == "1978-03-19"
    indonesia = next(c for c in unifil["contributors"] if c["country"]["iso3"] == "IDN")
    assert indonesia["personnel"] == 1230
    minusca = (await api.get("/v1/operations/minusca")).json()
    assert {c["certainty"] for c in minusca["contributors"]} == {"unconfirmed"}
    hosted = (await api.get("/v1/operations", params={"host": "COD"})).json()
    assert [o["slug"] for o in hosted["data"]] == ["monusco"]
    contributed = (await api.get("/v1/operations", params={"contributor": "IDN"})).json()
    assert "unifil" in {o["slug"] for o in contributed["data"]}


async def test_threat_categories(api: httpx.AsyncClient) -> None:
    body = (await api.get("/v1/threat-categories")).json()
    slugs = {t["slug"] for t in body["data"]}
    required = {"terrorism", "cybercrime", "cyber-warfare", "climate-change"}
    assert required | {"natural-disasters", "humanitarian-crises", "armed-conflict"} <= slugs
    kinds = {t["slug"]: t["kind"] for t in body["data"]}
    assert kinds["armed-conflict"] == "traditional"
    assert kinds["climate-change"] == "non_traditional"
    climate = (await api.get("/v1/threat-categories/climate-change")).json()
    assert climate["name_id"] == "Perubahan iklim"
    responses = {r["slug"] for r in climate["responses"]}
    assert {"disaster-mitigation-programs", "green-technology-sharing"} <= responses
    terrorism = (await api.get("/v1/threat-categories/terrorism")).json()
    assert "intelligence-sharing" in {r["slug"] for r in terrorism["responses"]}
    cyber = (await api.get("/v1/threat-categories/cyber-warfare")).json()
    assert "locked-shields" in {e["slug"] for e in cyber["exercises"]}


async def test_unknown_threat_is_404(api: httpx.AsyncClient) -> None:
    response = await api.get("/v1/threat-categories/boredom")
    assert response.status_code == 404
    assert "terrorism" in response.json()["detail"]


async def test_sources(api: httpx.AsyncClient) -> None:
    article = (await api.get("/v1/sources/article")).json()
    assert article["kind"] == "article"
    assert article["language"] == "id"
    assert article["cited_by"]["memberships"] > 0
    datasets = (await api.get("/v1/sources", params={"kind": "dataset"})).json()
    assert "mme-v7" in {s["id"] for s in datasets["data"]}
    assert (await api.get("/v1/sources/no-such-source")).status_code == 404
