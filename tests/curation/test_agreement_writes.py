"""Writes to agreements, their parties (countries or organizations) and threat links."""

import pytest

from tests.curation.conftest import Curated, refused_creations, request_body

pytestmark = pytest.mark.anyio

SOURCES = [{"source": "article", "locator": "agreements"}]
PATH = "/v1/agreements/btn-mdv-pact"


_agreement = request_body(
    slug="btn-mdv-pact",
    name="Bhutan-Maldives Defence Pact",
    kind="defense_treaty",
    signed_date="2020-01-01",
    signed_precision="year",
    in_force_date="2020-06-01",
    threats=["armed-conflict"],
    parties=[{"country": "BTN"}, {"country": "MDV", "sources": [{"source": "mme-v7"}]}],
    sources=SOURCES,
)


async def test_create_read_update_delete(curated: Curated) -> None:
    api = curated.client
    pair_before = await api.get("/v1/countries/BTN/partners/MDV")
    ties = pair_before.json()["summary"]["ties"]
    created = await api.post("/v1/agreements", json=_agreement(), headers=curated.auth)
    assert created.status_code == 201, created.text
    assert created.headers["location"] == PATH
    got = await api.get(PATH)
    assert got.json() == created.json()
    assert got.json()["signed_precision"] == "year"
    assert {p["country"]["iso3"] for p in got.json()["parties"]} == {"BTN", "MDV"}
    pair = await api.get("/v1/countries/BTN/partners/MDV")
    assert pair.json()["summary"]["ties"] == ties + 1
    assert pair.headers["etag"] != pair_before.headers["etag"]
    assert "btn-mdv-pact" in [t["initiative"]["slug"] for t in pair.json()["data"]]

    tag = got.headers["etag"]
    updated = await api.patch(
        PATH, json={"ended_date": "2024-01-01"}, headers={**curated.auth, "If-Match": tag}
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["ended_date"] == "2024-01-01"
    assert updated.json()["ended_precision"] == "day"
    tie = await curated.tie("BTN", "MDV", "btn-mdv-pact")
    assert (tie["start_date"], tie["end_date"]) == ("2020-06-01", "2024-01-01")
    await curated.refused(
        412, "PATCH", PATH, json={"note": "x"}, headers={**curated.auth, "If-Match": tag}
    )

    deleted = await api.delete(PATH, headers=curated.auth)
    assert deleted.status_code == 204
    assert (await api.get(PATH)).status_code == 404
    assert await curated.ties("BTN", "MDV") == ties
    await curated.audited_lifecycle("agreement", "ended_date", None, "2024-01-01")


async def test_an_organization_party_stands_for_its_members(curated: Curated) -> None:
    api = curated.client
    assert await curated.ties("ISL", "IDN") == 0
    body = _agreement(parties=[{"country": "ISL"}, {"organization": "asean"}])
    created = await api.post("/v1/agreements", json=body, headers=curated.auth)
    assert created.status_code == 201, created.text
    asean = next(p for p in created.json()["parties"] if p["organization"])
    assert asean["organization"]["slug"] == "asean" and asean["country"] is None
    assert await curated.ties("ISL", "IDN") == 1

    removed = await api.delete(f"{PATH}/parties/organizations/asean", headers=curated.auth)
    assert removed.status_code == 204
    assert await curated.ties("ISL", "IDN") == 0
    put = await api.put(
        f"{PATH}/parties/organizations/asean",
        json={"role": "party", "start_date": "2022-01-01", "sources": SOURCES},
        headers=curated.auth,
    )
    assert put.status_code == 200, put.text
    assert await curated.ties("ISL", "IDN") == 1
    entries = await curated.audit(entity="agreement_party")
    assert [(e["entity_id"], e["operation"]) for e in entries] == [
        ("btn-mdv-pact/asean", "create"),
        ("btn-mdv-pact/asean", "delete"),
    ]


async def test_country_party_put_and_delete(curated: Curated) -> None:
    api = curated.client
    await api.post("/v1/agreements", json=_agreement(), headers=curated.auth)
    before = await curated.ties("MDV", "NPL")
    put = await api.put(
        f"{PATH}/parties/countries/np",
        json={"role": "recipient", "sources": SOURCES},
        headers=curated.auth,
    )
    assert put.status_code == 200, put.text
    nepal = next(p for p in put.json()["parties"] if p["country"] and p["country"]["iso3"] == "NPL")
    assert nepal["role"] == "recipient"
    assert await curated.ties("MDV", "NPL") == before + 1
    replaced = await api.put(
        f"{PATH}/parties/countries/NPL",
        json={"role": "provider", "sources": SOURCES},
        headers=curated.auth,
    )
    assert replaced.status_code == 200
    assert len(replaced.json()["parties"]) == 3
    (entry, _) = await curated.audit(entity="agreement_party")
    assert entry["before"]["role"] == "recipient" and entry["after"]["role"] == "provider"
    assert (
        await api.delete(f"{PATH}/parties/countries/NPL", headers=curated.auth)
    ).status_code == 204
    assert await curated.ties("MDV", "NPL") == before
    await curated.refused(404, "DELETE", f"{PATH}/parties/countries/NPL")
    await curated.refused(404, "DELETE", f"{PATH}/parties/organizations/nope")


async def test_threat_links(curated: Curated) -> None:
    path = "/v1/agreements/us-japan-security-treaty/threats/cyber-warfare"
    await curated.link_threat(path)
    await curated.unlink_threat(path)
    await curated.refused(422, "PUT", "/v1/agreements/us-japan-security-treaty/threats/nope")
    await curated.refused(404, "PUT", "/v1/agreements/nope/threats/cyber-warfare")


test_invalid_agreements_change_nothing = refused_creations(
    "/v1/agreements",
    [
        (_agreement(slug="us-japan-security-treaty"), 409, "already exists"),
        (_agreement(parties=[{"country": "XYZ"}]), 422, "Unknown country code 'XYZ'"),
        (_agreement(parties=[{"organization": "nope"}]), 422, "Unknown organization 'nope'"),
        (_agreement(parties=[{"country": "BTN"}, {"country": "bt"}]), 422, "listed twice"),
        (_agreement(parties=[{"organization": "asean"}] * 2), 422, "listed twice"),
        (_agreement(parties=[{"country": "BTN", "organization": "asean"}]), 422, "either"),
        (_agreement(parties=[{}]), 422, "either"),
        (_agreement(ended_date="2019-01-01"), 422, "must be after"),
        (_agreement(in_force_date="2019-01-01"), 422, "must not be before"),
        (_agreement(threats=["nope"]), 422, "nope"),
        (_agreement(sources=[{"source": "nope"}]), 422, "nope"),
        (_agreement(sources=[]), 422, "sources"),
        (_agreement(kind="alliance"), 422, "kind"),
        (_agreement(extra=1), 422, "extra"),
        (
            _agreement(
                parties=[{"country": "BTN", "start_date": "2021-01-01", "end_date": "2020-01-01"}]
            ),
            422,
            "must be after",
        ),
    ],
)


async def test_invalid_updates_change_nothing(curated: Curated) -> None:
    path = "/v1/agreements/us-japan-security-treaty"
    problem = await curated.refused(422, "PATCH", path, json={"ended_date": "1950-01-01"})
    assert "must be after" in problem["detail"]
    await curated.refused(422, "PATCH", path, json={"kind": None})
    await curated.refused(404, "PATCH", "/v1/agreements/nope", json={"note": "x"})
    await curated.refused(422, "PUT", f"{path}/parties/countries/XYZ", json={"sources": SOURCES})
    await curated.refused(
        404, "PUT", f"{path}/parties/organizations/nope", json={"sources": SOURCES}
    )
    await curated.refused(422, "PUT", f"{path}/parties/countries/IDN", json={"role": "party"})
