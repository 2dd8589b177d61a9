"""The write API through HTTP, on organizations: the worked example of the write framework.

Each module has a database of its own (`writable_url`); read-only tests never see it.
"""

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from app.core.config import Settings
from app.main import create_app
from tests.conftest import client_for, make_key

pytestmark = pytest.mark.anyio

SOURCE = [{"source": "article", "locator": "section 2"}]


def _organization(slug: str, **fields: Any) -> dict[str, Any]:
    return {"slug": slug, "name": f"Test {slug}", "kind": "alliance", "sources": SOURCE, **fields}


def _period(role: str = "member", start: str | None = "2020-01-01", **fields: Any) -> Any:
    return {"role": role, "start_date": start, "sources": SOURCE, **fields}


@pytest.fixture(scope="module")
def write_app(writable_url: str) -> Iterator[FastAPI]:
    app = create_app(Settings(database_url=writable_url, rate_limit_writes=10_000))
    yield app
    app.state.engine.dispose()


@pytest.fixture(scope="module")
def curator_key(writable_url: str) -> str:
    return make_key(writable_url, "curator-writes")


@pytest.fixture
async def curator(write_app: FastAPI, curator_key: str) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(write_app, key=curator_key) as client:
        yield client


async def _state(api: httpx.AsyncClient) -> dict[str, Any]:
    """What a failed write must leave alone: the data version, row counts, the audit trail."""
    meta = (await api.get("/v1/meta")).json()
    audit = (await api.get("/v1/audit", params={"limit": 1})).json()
    return {
        "version": meta["data_version"],
        "counts": meta["counts"],
        "audit": audit["meta"]["total"],
    }


async def _audit(api: httpx.AsyncClient, **filters: Any) -> list[dict[str, Any]]:
    response = await api.get("/v1/audit", params=filters)
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    return list(response.json()["data"])


async def test_create_update_delete_with_audit(curator: httpx.AsyncClient) -> None:
    before = await _state(curator)
    created = await curator.post(
        "/v1/organizations",
        json=_organization("test-pact", founded_date="2001-01-01", founded_precision="year"),
    )
    assert created.status_code == 201, created.text
    assert created.headers["location"] == "/v1/organizations/test-pact"
    body = created.json()
    assert body["founded_precision"] == "year"
    assert body["sources"][0]["source_id"] == "article"
    assert body["sources"][0]["locator"] == "section 2"
    assert body == (await curator.get("/v1/organizations/test-pact")).json()
    after_create = await _state(curator)
    assert after_create["version"] == before["version"] + 1
    assert after_create["counts"]["organizations"] == before["counts"]["organizations"] + 1

    tag = created.headers["etag"]
    assert tag == (await curator.get("/v1/organizations/test-pact")).headers["etag"]
    patched = await curator.patch(
        "/v1/organizations/test-pact",
        json={"acronym": "TP", "description": "A test.\nSecond line."},
        headers={"If-Match": tag},
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["acronym"] == "TP"
    assert patched.json()["founded_date"] == "2001-01-01"
    assert (await curator.get("/v1/organizations/test-pact")).json() == patched.json()

    deleted = await curator.delete(
        "/v1/organizations/test-pact", headers={"If-Match": patched.headers["etag"]}
    )
    assert deleted.status_code == 204
    assert (await curator.get("/v1/organizations/test-pact")).status_code == 404

    entries = await _audit(curator, entity="organization", entity_id="test-pact")
    assert [e["operation"] for e in entries] == ["delete", "update", "create"]
    delete, update, create = entries
    assert create["before"] is None
    assert create["after"] == body
    assert update["before"] == body
    assert update["after"] == patched.json()
    assert delete["before"] == patched.json()
    assert delete["after"] is None
    assert {e["key_name"] for e in entries} == {"curator-writes"}
    assert delete["data_version"] == update["data_version"] + 1 == create["data_version"] + 2
    assert await _audit(curator, operation="delete", key_name="curator-writes", limit=500)
    assert await _audit(curator, since="2000-01-01T00:00:00Z", until="2100-01-01T00:00:00+07:00")
    assert await _audit(curator, since="2100-01-01T00:00:00Z") == []
    for bad in ("2000-01-01T00:00:00", "0.5", "1700000000", "2000-01-01"):
        refused = await curator.get("/v1/audit", params={"since": bad})
        assert refused.status_code == 422, bad
    assert (await curator.get("/v1/audit", params={"operation": "drop"})).status_code == 422


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "says"),
    [
        ("post", "/v1/organizations", _organization("nato"), 409, "already exists"),
        (
            "post",
            "/v1/organizations",
            _organization("x-pact", sources=[{"source": "no-such-source"}]),
            422,
            "no-such-source",
        ),
        ("post", "/v1/organizations", _organization("x-pact", sources=[]), 422, "sources"),
        ("post", "/v1/organizations", {**_organization("x-pact"), "color": "red"}, 422, "color"),
        (
            "post",
            "/v1/organizations",
            _organization("x-pact", founded_date="2000-01-01", ended_date="1999-01-01"),
            422,
            "must be after",
        ),
        ("post", "/v1/organizations", _organization("x-pact", name="a\u0000b"), 422, "name"),
        ("patch", "/v1/organizations/nato", {"name": None}, 422, "cannot be null"),
        ("patch", "/v1/organizations/nato", {"ended_date": "1900-01-01"}, 422, "must be after"),
        ("patch", "/v1/organizations/nato", {"slug": "otan"}, 422, "slug"),
        ("patch", "/v1/organizations/no-such-org", {"acronym": "X"}, 404, "no-such-org"),
        ("delete", "/v1/organizations/asean", None, 409, "party to agreements"),
        (
            "put",
            "/v1/organizations/nato/members/XYZ",
            {"periods": [_period()]},
            422,
            "Unknown country code 'XYZ'",
        ),
        (
            "put",
            "/v1/organizations/nato/members/SWE",
            {"periods": [_period(end_date="2019-01-01")]},
            422,
            "end_date (2019-01-01) must be after start_date (2020-01-01)",
        ),
        (
            "put",
            "/v1/organizations/nato/members/SWE",
            {"periods": [_period(), _period()]},
            422,
            "listed twice",
        ),
        (
            "put",
            "/v1/organizations/nato/members/SWE",
            {"periods": [_period(start="2020-03-05", start_precision="month")]},
            422,
            "first of the month",
        ),
        ("put", "/v1/organizations/nato/members/SWE", {"periods": []}, 422, "periods"),
        ("put", "/v1/organizations/nato/threats/no-such-threat", None, 422, "no-such-threat"),
        ("delete", "/v1/organizations/nato/threats/natural-disasters", None, 404, "not linked"),
        ("delete", "/v1/organizations/nato/members/IDN", None, 404, "no membership"),
    ],
)
async def test_invalid_writes_change_nothing(
    curator: httpx.AsyncClient,
    method: str,
    path: str,
    body: dict[str, Any] | None,
    status: int,
    says: str,
) -> None:
    before = await _state(curator)
    nato = (await curator.get("/v1/organizations/nato")).json()
    sweden = (await curator.get("/v1/countries/SWE/memberships")).json()
    kwargs: dict[str, Any] = {"json": body} if body is not None else {}
    response = await curator.request(method.upper(), path, **kwargs)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert says in response.json()["detail"]
    assert await _state(curator) == before
    assert (await curator.get("/v1/organizations/nato")).json() == nato
    assert (await curator.get("/v1/countries/SWE/memberships")).json() == sweden


async def test_if_match_refuses_a_stale_tag(curator: httpx.AsyncClient) -> None:
    created = await curator.post("/v1/organizations", json=_organization("match-pact"))
    stale = created.headers["etag"]
    first = await curator.patch(
        "/v1/organizations/match-pact", json={"acronym": "MP"}, headers={"If-Match": stale}
    )
    assert first.status_code == 200
    before = await _state(curator)
    second = await curator.patch(
        "/v1/organizations/match-pact", json={"acronym": "XX"}, headers={"If-Match": stale}
    )
    assert second.status_code == 412
    assert second.headers["content-type"] == "application/problem+json"
    assert await _state(curator) == before
    for malformed in ("nonsense", 'W/"0.1.0-999-abc"', '"0.1.0-x-abc"'):
        refused = await curator.patch(
            "/v1/organizations/match-pact", json={"acronym": "XX"}, headers={"If-Match": malformed}
        )
        assert refused.status_code == 412, malformed
    fresh = (await curator.get("/v1/organizations/match-pact")).headers["etag"]
    assert fresh == first.headers["etag"]
    ok = await curator.patch(
        "/v1/organizations/match-pact", json={"acronym": "XX"}, headers={"If-Match": fresh}
    )
    assert ok.status_code == 200
    anything = await curator.patch(
        "/v1/organizations/match-pact", json={"acronym": "YY"}, headers={"If-Match": "*"}
    )
    assert anything.status_code == 200
    assert anything.json()["acronym"] == "YY"
    # A membership write changes the organization: an older tag of it is stale.
    member = await curator.put(
        "/v1/organizations/match-pact/members/ISL",
        json={"periods": [_period()]},
        headers={"If-Match": anything.headers["etag"]},
    )
    assert member.status_code == 200
    late = await curator.patch(
        "/v1/organizations/match-pact",
        json={"acronym": "ZZ"},
        headers={"If-Match": anything.headers["etag"]},
    )
    assert late.status_code == 412
    # ...while the tag a write answers with chains into the next write.
    assert (
        member.headers["etag"]
        == (await curator.get("/v1/organizations/match-pact")).headers["etag"]
    )
    chained = await curator.patch(
        "/v1/organizations/match-pact",
        json={"acronym": "ZZ"},
        headers={"If-Match": member.headers["etag"]},
    )
    assert chained.status_code == 200


async def test_membership_changes_partners_and_etags_at_once(curator: httpx.AsyncClient) -> None:
    pair = "/v1/countries/NPL/partners/ISL"
    before = await curator.get(pair)
    assert before.status_code == 200
    tag = before.headers["etag"]
    slugs = {tie["initiative"]["slug"] for tie in before.json()["data"]}
    assert "north-pact" not in slugs
    assert (await curator.post("/v1/organizations", json=_organization("north-pact"))).is_success
    for code, start in (("NPL", "2010-01-01"), ("IS", "2015-06-01")):
        put = await curator.put(
            f"/v1/organizations/north-pact/members/{code}",
            json={"periods": [_period(start=start, certainty="unconfirmed", note="test")]},
        )
        assert put.status_code == 200, put.text
    history = put.json()
    assert history["country"] == {"iso3": "ISL", "name": "Iceland"}
    assert history["data"][0]["start_date"] == "2015-06-01"
    assert history["data"][0]["certainty"] == "unconfirmed"
    assert (await curator.get(pair, headers={"If-None-Match": tag})).status_code == 200
    after = await curator.get(pair)
    assert after.headers["etag"] != tag
    ties = [t for t in after.json()["data"] if t["initiative"]["slug"] == "north-pact"]
    assert len(ties) == 1
    members = await curator.get(
        "/v1/organizations/north-pact/members", params={"as_of": "2020-01-01"}
    )
    assert {m["country"]["iso3"] for m in members.json()["data"]} == {"NPL", "ISL"}

    # Replacing the periods replaces them; deleting removes the tie.
    put = await curator.put(
        "/v1/organizations/north-pact/members/ISL",
        json={"periods": [_period("observer"), _period("member", "2021-01-01")]},
    )
    assert [p["role"] for p in put.json()["data"]] == ["observer", "member"]
    assert (await curator.delete("/v1/organizations/north-pact/members/ISL")).status_code == 204
    gone = (await curator.get(pair)).json()["data"]
    assert "north-pact" not in {t["initiative"]["slug"] for t in gone}
    entries = await _audit(curator, entity="membership", entity_id="north-pact/ISL")
    assert [e["operation"] for e in entries] == ["delete", "update", "create"]
    assert entries[0]["after"] is None
    assert entries[2]["before"] is None


async def test_threat_links(curator: httpx.AsyncClient) -> None:
    assert (await curator.post("/v1/organizations", json=_organization("threat-pact"))).is_success
    linked = await curator.put("/v1/organizations/threat-pact/threats/cybercrime")
    assert linked.status_code == 200
    assert linked.json()["threats"] == [
        {
            "slug": "cybercrime",
            "name": "Cybercrime",
            "start_date": None,
            "start_precision": None,
            "end_date": None,
            "end_precision": None,
            "dated": False,
            "sources": [],
        }
    ]
    again = await curator.put("/v1/organizations/threat-pact/threats/cybercrime")
    assert again.json() == linked.json()
    listed = (await curator.get("/v1/organizations", params={"threat": "cybercrime"})).json()
    assert "threat-pact" in {o["slug"] for o in listed["data"]}
    unlinked = await curator.delete("/v1/organizations/threat-pact/threats/cybercrime")
    assert unlinked.status_code == 204
    assert (await curator.get("/v1/organizations/threat-pact")).json()["threats"] == []
    entries = await _audit(curator, entity="organization_threat")
    assert [e["operation"] for e in entries[:3]] == ["delete", "update", "create"]


async def test_a_threat_link_reaches_the_partners_of_the_members(
    curator: httpx.AsyncClient,
) -> None:
    """The partners list reads per-pair aggregates that include the initiatives' threats."""
    assert (await curator.post("/v1/organizations", json=_organization("cyber-pact"))).is_success
    for code in ("VUT", "WSM"):
        put = await curator.put(
            f"/v1/organizations/cyber-pact/members/{code}", json={"periods": [_period()]}
        )
        assert put.status_code == 200

    async def partners_addressing(threat: str) -> set[str]:
        response = await curator.get("/v1/countries/VUT/partners", params={"threat": threat})
        assert response.status_code == 200, response.text
        return {p["partner"]["iso3"] for p in response.json()["data"]}

    async def threats_with_wsm() -> set[str]:
        response = await curator.get("/v1/countries/VUT/partners", params={"limit": 500})
        data = response.json()["data"]
        return {t["slug"] for p in data if p["partner"]["iso3"] == "WSM" for t in p["threats"]}

    assert "WSM" not in await partners_addressing("cybercrime")
    assert (await curator.put("/v1/organizations/cyber-pact/threats/cybercrime")).is_success
    assert "WSM" in await partners_addressing("cybercrime")
    assert "cybercrime" in await threats_with_wsm()
    assert (await curator.delete("/v1/organizations/cyber-pact/threats/cybercrime")).is_success
    assert "WSM" not in await partners_addressing("cybercrime")
    assert "cybercrime" not in await threats_with_wsm()


async def test_deleting_an_organization_removes_its_ties(curator: httpx.AsyncClient) -> None:
    assert (await curator.post("/v1/organizations", json=_organization("gone-pact"))).is_success
    for code in ("FJI", "TON"):
        put = await curator.put(
            f"/v1/organizations/gone-pact/members/{code}", json={"periods": [_period()]}
        )
        assert put.status_code == 200
    pair = "/v1/countries/FJI/partners/TON"
    assert "gone-pact" in {
        t["initiative"]["slug"] for t in (await curator.get(pair)).json()["data"]
    }
    assert (await curator.delete("/v1/organizations/gone-pact")).status_code == 204
    response = await curator.get(pair)
    ties = response.json().get("data", []) if response.status_code == 200 else []
    assert "gone-pact" not in {t["initiative"]["slug"] for t in ties}
