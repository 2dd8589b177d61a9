"""Agreements."""

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
    assert fms["in_force_date"] == "1968-10-22"  # the FMS Act; 1976 renamed it the AECA
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
