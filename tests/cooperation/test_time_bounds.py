"""Ties never reach back past their container (issue 15): an organization's founding, an
operation's start, the facts' own dates; a start taken from a bound says it is inferred."""

from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.anyio


async def _slugs(api: httpx.AsyncClient, code: str, other: str, **params: Any) -> set[str]:
    response = await api.get(f"/v1/countries/{code}/partners/{other}", params=params)
    assert response.status_code == 200, response.text
    return {tie["initiative"]["slug"] for tie in response.json()["data"]}


async def test_no_csto_ties_before_the_csto(api: httpx.AsyncClient) -> None:
    for year in (1988, 1993):
        assert "csto" not in await _slugs(api, "RUS", "KAZ", year=year)
        partners = await api.get(
            "/v1/countries/RUS/partners", params={"year": year, "channel": "organization"}
        )
        assert "KAZ" not in {p["partner"]["iso3"] for p in partners.json()["data"]}
    assert "csto" in await _slugs(api, "RUS", "KAZ", year=1995)
    pair = await api.get("/v1/countries/RUS/partners/BLR", params={"channel": "organization"})
    csto = next(t for t in pair.json()["data"] if t["initiative"]["slug"] == "csto")
    assert csto["start_date"] == "1994-04-20"
    assert csto["start_inferred"] is False
    assert any("20 April 1994" in (s["locator"] or "") for s in csto["sources"])


async def test_five_eyes_ties_start_with_each_accession(api: httpx.AsyncClient) -> None:
    assert "five-eyes" not in await _slugs(api, "AUS", "USA", year=1950)
    assert "five-eyes" in await _slugs(api, "AUS", "USA", year=1957)
    assert "five-eyes" not in await _slugs(api, "CAN", "NZL", year=1950)
    assert "five-eyes" in await _slugs(api, "CAN", "GBR", year=1950)


async def test_an_undated_contribution_starts_with_its_operation_and_says_so(
    api: httpx.AsyncClient,
) -> None:
    pair = await api.get("/v1/countries/IDN/partners/ITA", params={"channel": "operation"})
    unifil = next(t for t in pair.json()["data"] if t["initiative"]["slug"] == "unifil")
    assert unifil["start_date"] == "1978-03-19"
    assert unifil["start_inferred"] is True
