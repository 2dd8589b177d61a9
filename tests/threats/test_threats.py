"""Threat categories."""

import httpx
import pytest

pytestmark = pytest.mark.anyio


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
