"""Threat links with their periods and sources in the API (issue 15): every initiative's
threats say when the link holds and who says so, or that no source dates it; the threat-link
write routes take a period and its source, refuse one outside the initiative's period, and
the ties follow at once."""

from typing import Any

import httpx
import pytest

from tests.curation.conftest import Curated

pytestmark = pytest.mark.anyio

LINK_FIELDS = {
    "slug",
    "name",
    "start_date",
    "start_precision",
    "end_date",
    "end_precision",
    "dated",
    "sources",
}
SOURCE = [{"source": "article", "locator": "maritime cooperation"}]
# ASEAN's and SEATO's links to a threat, which the tests write.
ASEAN_MARITIME = "/v1/organizations/asean/threats/maritime-security-threats"
SEATO_TERRORISM = "/v1/organizations/seato/threats/terrorism"


def _link(record: dict[str, Any], threat: str) -> dict[str, Any]:
    return next(link for link in record["threats"] if link["slug"] == threat)


async def _get(api: httpx.AsyncClient, path: str, **params: Any) -> dict[str, Any]:
    response = await api.get(path, params=params)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_every_initiative_says_when_its_threats_hold(api: httpx.AsyncClient) -> None:
    asean = await _get(api, "/v1/organizations/asean")
    cybercrime = _link(asean, "cybercrime")
    assert set(cybercrime) == LINK_FIELDS
    assert (cybercrime["start_date"], cybercrime["start_precision"]) == ("2017-11-13", "day")
    assert cybercrime["dated"] is True
    assert cybercrime["sources"][0]["source_id"] == "unidir-cyber-policy-portal"
    assert cybercrime["sources"][0]["locator"]
    terrorism = _link(asean, "terrorism")
    assert terrorism["dated"] is False
    assert (terrorism["start_date"], terrorism["end_date"], terrorism["sources"]) == (
        None,
        None,
        [],
    )
    assert [link["slug"] for link in asean["threats"]] == sorted(
        link["slug"] for link in asean["threats"]
    )
    # The list shows the same links as the detail.
    listed = await _get(api, "/v1/organizations", q="asean")
    assert next(o for o in listed["data"] if o["slug"] == "asean")["threats"] == asean["threats"]
    for path in (
        "/v1/agreements/manila-pact",
        "/v1/operations/unifil",
        "/v1/exercises/cobra-gold/editions/cobra-gold-2024",
    ):
        record = await _get(api, path)
        assert record["threats"], path
        assert all(set(link) == LINK_FIELDS for link in record["threats"])
        assert all(link["dated"] == bool(link["sources"]) for link in record["threats"])


async def test_a_threat_lists_each_link_with_its_period(api: httpx.AsyncClient) -> None:
    threat = await _get(api, "/v1/threat-categories/cybercrime")
    organizations = {entry["slug"]: entry for entry in threat["organizations"]}
    asean = await _get(api, "/v1/organizations/asean")
    expected = {k: v for k, v in _link(asean, "cybercrime").items() if k not in ("slug", "name")}
    assert {k: v for k, v in organizations["asean"].items() if k in expected} == expected
    assert organizations["admm-plus"]["start_precision"] == "year"
    for entry in threat["agreements"] + threat["operations"]:
        assert {"dated", "sources", "start_date", "end_date"} <= set(entry)
    for series in threat["exercises"]:
        assert series["editions"] >= 1
        assert series["first_year"] <= series["last_year"]
        assert series["dated"] is bool(series["sources"]) or not series["dated"]


async def _pair_threats(curated: Curated, year: int) -> set[str]:
    pair = await _get(curated.client, "/v1/countries/IDN/partners/BRN", year=year)
    asean = next(t for t in pair["data"] if t["initiative"]["slug"] == "asean")
    return {threat["slug"] for threat in asean["threats"]}


async def test_a_dated_link_is_written_and_the_ties_follow(curated: Curated) -> None:
    api, path = curated.client, ASEAN_MARITIME
    body = {"start_date": "2019-01-01", "start_precision": "year", "sources": SOURCE}
    written = await api.put(path, json=body, headers=curated.auth)
    assert written.status_code == 200, written.text
    link = _link(written.json(), "maritime-security-threats")
    assert (link["start_date"], link["start_precision"], link["dated"]) == (
        "2019-01-01",
        "year",
        True,
    )
    assert link["sources"][0]["source_id"] == "article"
    assert written.json() == await _get(api, "/v1/organizations/asean")
    assert "maritime-security-threats" not in await _pair_threats(curated, 2018)
    assert "maritime-security-threats" in await _pair_threats(curated, 2019)
    (entry,) = await curated.audit(entity="organization_threat")
    assert entry["before"] is None
    assert entry["after"]["start_date"] == "2019-01-01"
    assert entry["after"]["source_id"] == "article"

    # Without a body, a linked threat stays as it is; with one, the period is replaced.
    again = await api.put(path, headers=curated.auth)
    assert again.status_code == 200, again.text
    assert _link(again.json(), "maritime-security-threats") == link
    cleared = await api.put(path, json={}, headers=curated.auth)
    assert cleared.status_code == 200, cleared.text
    undated = _link(cleared.json(), "maritime-security-threats")
    assert (undated["dated"], undated["start_date"], undated["sources"]) == (False, None, [])
    assert "maritime-security-threats" in await _pair_threats(curated, 2018)


@pytest.mark.parametrize(
    ("path", "body", "pointer"),
    [
        (
            "/v1/organizations/asean/threats/no-such-threat",
            {"start_date": "2000-01-01", "sources": SOURCE},
            "/path/threat",
        ),
        # ASEAN was founded on 1967-08-08.
        (
            ASEAN_MARITIME,
            {"start_date": "1966-12-01", "start_precision": "month", "sources": SOURCE},
            "/body/start_date",
        ),
        # SEATO was dissolved on 1977-06-30.
        (
            SEATO_TERRORISM,
            {"start_date": "1960-01-01", "end_date": "1980-01-01", "sources": SOURCE},
            "/body/end_date",
        ),
        (SEATO_TERRORISM, {"start_date": "1978-01-01", "sources": SOURCE}, "/body/start_date"),
        (
            SEATO_TERRORISM,
            {"start_date": "9999-12-01", "start_precision": "month", "sources": SOURCE},
            "/body/start_date",
        ),
        # The Manila Pact was signed on 1954-09-08; UNIFIL began on 1978-03-19.
        (
            "/v1/agreements/manila-pact/threats/terrorism",
            {"start_date": "1950-01-01", "sources": SOURCE},
            "/body/start_date",
        ),
        (
            "/v1/operations/unifil/threats/terrorism",
            {"end_date": "1977-01-01", "sources": SOURCE},
            "/body/end_date",
        ),
        # An edition's link lies within its year.
        (
            "/v1/exercises/cobra-gold/editions/cobra-gold-2024/threats/terrorism",
            {"start_date": "2025-01-01", "sources": SOURCE},
            "/body/start_date",
        ),
        (ASEAN_MARITIME, {"start_date": "2019-01-01"}, "/body"),
        (
            ASEAN_MARITIME,
            {"start_date": "2019-01-01", "sources": [{"source": "no-such-source"}]},
            "/body/sources/0/source",
        ),
        (
            ASEAN_MARITIME,
            {"start_date": "2019-01-01", "end_date": "2018-01-01", "sources": SOURCE},
            "/body",
        ),
        (ASEAN_MARITIME, {"start_date": "2019-01-01", "sources": SOURCE + SOURCE}, "/body/sources"),
    ],
)
async def test_a_link_outside_its_initiative_is_refused(
    curated: Curated, path: str, body: dict[str, Any], pointer: str
) -> None:
    problem = await curated.refused(422, "PUT", path, json=body)
    assert pointer in {error["pointer"] for error in problem["errors"]}, problem


async def test_a_year_precise_start_may_share_the_founding_year(curated: Curated) -> None:
    # "1967" may mean any day of 1967: ASEAN's founding year is not before ASEAN.
    body = {"start_date": "1967-01-01", "start_precision": "year", "sources": SOURCE}
    written = await curated.client.put(
        ASEAN_MARITIME,
        json=body,
        headers=curated.auth,
    )
    assert written.status_code == 200, written.text
