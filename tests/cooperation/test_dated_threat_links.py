"""A tie addresses a threat only while its initiative's link to it holds (issue 15)."""

import httpx
import pytest

pytestmark = pytest.mark.anyio


async def test_no_cyber_warfare_partners_of_the_united_states_in_1960(
    api: httpx.AsyncClient,
) -> None:
    async def partners(year: int) -> set[str]:
        response = await api.get(
            "/v1/countries/USA/partners",
            params={"threat": "cyber-warfare", "year": year, "limit": 500},
        )
        assert response.status_code == 200, response.text
        return {row["partner"]["iso3"] for row in response.json()["data"]}

    assert await partners(1960) == set()
    assert "CAN" in await partners(2010)


async def test_pair_evidence_lists_a_threat_only_while_its_link_holds(
    api: httpx.AsyncClient,
) -> None:
    async def nato_threats(year: int) -> list[str]:
        response = await api.get(
            "/v1/countries/USA/partners/CAN", params={"year": year, "channel": "organization"}
        )
        nato = next(t for t in response.json()["data"] if t["initiative"]["slug"] == "nato")
        return [threat["slug"] for threat in nato["threats"]]

    assert "cyber-warfare" not in await nato_threats(1960)
    assert "cyber-warfare" in await nato_threats(2010)
