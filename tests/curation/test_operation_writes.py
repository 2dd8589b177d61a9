"""Writes to operations, their contributors and threat links."""

import pytest

from tests.curation.conftest import Curated, refused_creations, request_body

pytestmark = pytest.mark.anyio

SOURCES = [{"source": "article", "locator": "operations"}]
PATH = "/v1/operations/unmik"


_operation = request_body(
    slug="unmik",
    name="United Nations Interim Administration Mission in Kosovo",
    kind="peacekeeping",
    lead_organization="un",
    host_country="xkx",
    start_date="1999-06-10",
    mandate="UNSC resolution 1244 (1999)",
    threats=["armed-conflict"],
    contributors=[
        {"country": "BTN", "personnel": 10, "personnel_as_of_date": "2020-01-01"},
        {"country": "MDV", "start_date": "2005-01-01", "sources": [{"source": "mme-v7"}]},
    ],
    sources=SOURCES,
)


async def test_create_read_update_delete(curated: Curated) -> None:
    api = curated.client
    ties = await curated.ties("BTN", "MDV")
    partners = await api.get("/v1/countries/MDV/partners")
    created = await api.post("/v1/operations", json=_operation(), headers=curated.auth)
    assert created.status_code == 201, created.text
    got = await api.get(PATH)
    assert got.json() == created.json()
    body = got.json()
    assert body["lead_organization"]["slug"] == "un"
    assert body["host_country"]["iso3"] == "XKX"
    assert {c["country"]["iso3"]: c["personnel"] for c in body["contributors"]} == {
        "BTN": 10,
        "MDV": None,
    }
    assert await curated.ties("BTN", "MDV") == ties + 1
    after = await api.get("/v1/countries/MDV/partners")
    assert after.headers["etag"] != partners.headers["etag"]
    tie = await curated.tie("BTN", "MDV", "unmik")
    assert tie["start_date"] == "2005-01-01" and tie["roles"] == {
        "BTN": "contributor",
        "MDV": "contributor",
    }

    tag = got.headers["etag"]
    updated = await api.patch(
        PATH,
        json={"end_date": "2004-01-01", "lead_organization": None, "host_country": "SRB"},
        headers={**curated.auth, "If-Match": tag},
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["lead_organization"] is None
    assert updated.json()["host_country"]["iso3"] == "SRB"
    # the operation ended before Maldives joined: no shared period left
    assert await curated.ties("BTN", "MDV") == ties
    await curated.refused(
        412, "PATCH", PATH, json={"note": "x"}, headers={**curated.auth, "If-Match": tag}
    )

    assert (await api.delete(PATH, headers=curated.auth)).status_code == 204
    assert (await api.get(PATH)).status_code == 404
    await curated.audited_lifecycle("operation", "end_date", None, "2004-01-01")


async def test_contributor_put_and_delete(curated: Curated) -> None:
    api = curated.client
    ties = await curated.ties("ISL", "IDN")
    put = await api.put(
        "/v1/operations/unifil/contributors/is",
        json={"personnel": 3, "start_date": "2020-01-01", "sources": SOURCES},
        headers=curated.auth,
    )
    assert put.status_code == 200, put.text
    iceland = next(c for c in put.json()["contributors"] if c["country"]["iso3"] == "ISL")
    assert iceland["personnel"] == 3
    assert await curated.ties("ISL", "IDN") == ties + 1
    replaced = await api.put(
        "/v1/operations/unifil/contributors/ISL",
        json={"personnel": 5, "sources": SOURCES},
        headers=curated.auth,
    )
    assert replaced.status_code == 200
    entries = await curated.audit(entity="contribution")
    assert entries[0]["operation"] == "update"
    assert (entries[0]["before"]["personnel"], entries[0]["after"]["personnel"]) == (3, 5)
    deleted = await api.delete("/v1/operations/unifil/contributors/ISL", headers=curated.auth)
    assert deleted.status_code == 204
    assert await curated.ties("ISL", "IDN") == ties
    await curated.refused(404, "DELETE", "/v1/operations/unifil/contributors/ISL")


async def test_threat_links(curated: Curated) -> None:
    path = "/v1/operations/unifil/threats/terrorism"
    await curated.link_threat(path)
    threat = (await curated.client.get("/v1/threat-categories/terrorism")).json()
    assert "unifil" in [o["slug"] for o in threat["operations"]]
    await curated.unlink_threat(path)
    await curated.refused(422, "PUT", "/v1/operations/unifil/threats/nope")


test_invalid_operations_change_nothing = refused_creations(
    "/v1/operations",
    [
        (_operation(slug="unifil"), 409, "already exists"),
        (_operation(contributors=[{"country": "XYZ"}]), 422, "Unknown country code 'XYZ'"),
        (_operation(contributors=[{"country": "BTN"}, {"country": "BT"}]), 422, "listed twice"),
        (_operation(lead_organization="nope"), 422, "Unknown organization 'nope'"),
        (_operation(host_country="XYZ"), 422, "Unknown country code 'XYZ'"),
        (_operation(end_date="1999-01-01"), 422, "must be after"),
        (
            _operation(
                contributors=[
                    {"country": "BTN", "start_date": "2001-01-01", "end_date": "2000-01-01"}
                ]
            ),
            422,
            "must be after",
        ),
        (_operation(contributors=[{"country": "BTN", "personnel": -1}]), 422, "personnel"),
        (_operation(contributors=[{"country": "BTN", "personnel": False}]), 422, "personnel"),
        (_operation(threats=["nope"]), 422, "nope"),
        (_operation(sources=[{"source": "article"}, {"source": "article"}]), 422, "cited twice"),
        (_operation(kind="war"), 422, "kind"),
        (_operation(name="\x00"), 422, "name"),
    ],
)


async def test_invalid_updates_change_nothing(curated: Curated) -> None:
    path = "/v1/operations/unifil"
    problem = await curated.refused(422, "PATCH", path, json={"end_date": "1970-01-01"})
    assert "must be after" in problem["detail"]
    await curated.refused(422, "PATCH", path, json={"lead_organization": "nope"})
    await curated.refused(422, "PATCH", path, json={"name": None})
    await curated.refused(404, "PATCH", "/v1/operations/nope", json={"note": "x"})
    await curated.refused(422, "PUT", f"{path}/contributors/XYZ", json={"sources": SOURCES})
    await curated.refused(
        404, "PUT", "/v1/operations/nope/contributors/IDN", json={"sources": SOURCES}
    )
