"""A tie never exists before (or after) a country did (issue 15): a participation or a
membership of a state in a year it did not exist makes no tie then. Serbia and Montenegro
(SCG) existed from 2003-02-04 to 2006-06-05 (seed/data/countries.yaml)."""

from typing import Any

import pytest

from tests.curation.conftest import Curated

pytestmark = pytest.mark.anyio

SOURCES = [{"source": "article", "locator": "test"}]


def _edition(year: int) -> dict[str, Any]:
    return {
        "year": year,
        "participants": [{"country": "SCG"}, {"country": "ISL"}],
        "sources": SOURCES,
    }


async def _pair(curated: Curated, **params: Any) -> list[dict[str, Any]]:
    response = await curated.client.get("/v1/countries/SCG/partners/ISL", params=params)
    assert response.status_code == 200, response.text
    return list(response.json()["data"])


async def test_an_exercise_tie_needs_both_states_to_exist_that_year(curated: Curated) -> None:
    series = {
        "slug": "validity-drill",
        "name": "Validity Drill",
        "sources": SOURCES,
        "editions": [_edition(year) for year in (2001, 2004, 2010)],
    }
    created = await curated.client.post("/v1/exercises", json=series, headers=curated.auth)
    assert created.status_code == 201, created.text
    ties = await _pair(curated, channel="exercise")
    assert [tie["initiative"]["slug"] for tie in ties] == ["validity-drill-2004"]
    assert ties[0]["first_year"] == ties[0]["last_year"] == 2004
    for year in (2001, 2010):
        assert await _pair(curated, year=year) == []
        partners = await curated.client.get("/v1/countries/ISL/partners", params={"year": year})
        assert "SCG" not in {p["partner"]["iso3"] for p in partners.json()["data"]}


async def test_a_membership_from_before_a_state_existed_starts_with_it(curated: Curated) -> None:
    organization = {
        "slug": "validity-forum",
        "name": "Validity Forum",
        "kind": "security_dialogue",
        "founded_date": "1990-01-01",
        "sources": SOURCES,
    }
    created = await curated.client.post(
        "/v1/organizations", json=organization, headers=curated.auth
    )
    assert created.status_code == 201, created.text
    for code in ("SCG", "ISL"):
        put = await curated.client.put(
            f"/v1/organizations/validity-forum/members/{code}",
            json={"periods": [{"role": "member", "start_date": "1995-01-01", "sources": SOURCES}]},
            headers=curated.auth,
        )
        assert put.status_code == 200, put.text
    (tie,) = await _pair(curated, channel="organization")
    assert (tie["start_date"], tie["end_date"]) == ("2003-02-04", "2006-06-05")
    assert tie["start_inferred"] is True
    assert await _pair(curated, year=2000) == []
    assert await _pair(curated, year=2007) == []
    assert len(await _pair(curated, year=2005)) == 1
