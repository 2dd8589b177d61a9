"""Writes to exercise series, editions, participants and edition threat links."""

from typing import Any

import pytest

from tests.curation.conftest import Curated, refused_creations, request_body

pytestmark = pytest.mark.anyio

SOURCES = [{"source": "article", "locator": "Komodo"}]


def _edition(year: int = 2026, **extra: Any) -> dict[str, Any]:
    return {
        "year": year,
        "start_date": f"{year}-06-01",
        "end_date": f"{year}-06-10",
        "activities": ["humanitarian_assistance", "disaster_response"],
        "domains": ["sea"],
        "threats": ["natural-disasters"],
        "participants": [
            {"country": "BTN", "is_host": True},
            {"country": "MDV", "role": "staff_only"},
            {"country": "ISL", "role": "observer"},
        ],
        "sources": SOURCES,
        **extra,
    }


_series = request_body(
    slug="himalaya-shield",
    name="Himalaya Shield",
    name_id="Perisai Himalaya",
    description="A made-up series for the tests.",
    sources=SOURCES,
    editions=[_edition()],
)


async def _series_written(curated: Curated) -> str:
    """POST the test series; its ETag."""
    written = await curated.client.post("/v1/exercises", json=_series(), headers=curated.auth)
    assert written.status_code == 201, written.text
    return str((await curated.client.get("/v1/exercises/himalaya-shield")).headers["etag"])


async def test_create_series_then_read_it_with_its_ties(curated: Curated) -> None:
    api = curated.client
    before_pair = await curated.ties("BTN", "MDV")
    partners_before = await api.get("/v1/countries/BTN/partners")
    version = curated.data_version()

    created = await api.post("/v1/exercises", json=_series(), headers=curated.auth)
    assert created.status_code == 201, created.text
    assert created.headers["location"] == "/v1/exercises/himalaya-shield"
    assert curated.data_version() == version + 1
    got = await api.get("/v1/exercises/himalaya-shield")
    assert got.json() == created.json()
    assert got.headers["etag"] == created.headers["etag"]
    edition = got.json()["editions"][0]
    assert edition["slug"] == "himalaya-shield-2026"
    assert edition["name"] == "Himalaya Shield 2026"
    assert [h["iso3"] for h in edition["hosts"]] == ["BTN"]
    assert {p["country"]["iso3"]: p["role"] for p in edition["participants"]} == {
        "BTN": "full_participant",
        "MDV": "staff_only",
        "ISL": "observer",
    }
    assert edition["participants"][0]["sources"][0]["source_id"] == "article"
    assert edition["activities"] == ["disaster_response", "humanitarian_assistance"]
    assert [t["slug"] for t in edition["threats"]] == ["natural-disasters"]

    # co-participation is a tie at once; an observer makes none
    assert await curated.ties("BTN", "MDV") == before_pair + 1
    assert await curated.ties("BTN", "ISL") == 0
    partners_after = await api.get("/v1/countries/BTN/partners")
    assert partners_after.headers["etag"] != partners_before.headers["etag"]
    assert "MDV" in [p["partner"]["iso3"] for p in partners_after.json()["data"]]

    (entry,) = await curated.audit(entity="exercise_series")
    assert entry["operation"] == "create" and entry["entity_id"] == "himalaya-shield"
    assert entry["before"] is None and entry["after"] == created.json()
    assert entry["key_name"] == "tester"


async def test_exercise_ties_stay_within_both_countries_validity(curated: Curated) -> None:
    """The Soviet Union (valid until 1991-12-26) in editions of 1991 and 1992: a tie in 1991
    up to its end, none in 1992 (issue 15: no fact before or after its country existed)."""
    api = curated.client
    ussr = (await api.get("/v1/countries/SUN")).json()
    editions = [
        _edition(year, participants=[{"country": "SUN"}, {"country": "USA"}])
        for year in (1991, 1992)
    ]
    created = await api.post("/v1/exercises", json=_series(editions=editions), headers=curated.auth)
    assert created.status_code == 201, created.text
    pair = await api.get("/v1/countries/USA/partners/SUN", params={"channel": "exercise"})
    ties = {
        tie["initiative"]["slug"]: (tie["start_date"], tie["end_date"])
        for tie in pair.json()["data"]
    }
    assert ties == {"himalaya-shield-1991": ("1991-01-01", ussr["valid_until"])}
    for year, expected in ((1991, {"SUN"}), (1992, set())):
        partners = await api.get(
            "/v1/countries/USA/partners", params={"year": year, "channel": "exercise"}
        )
        assert {p["partner"]["iso3"] for p in partners.json()["data"]} & {"SUN"} == expected


async def test_update_series_with_if_match(curated: Curated) -> None:
    api = curated.client
    stale = await _series_written(curated)
    first = await api.patch(
        "/v1/exercises/himalaya-shield",
        json={"name": "Himalayan Shield"},
        headers={**curated.auth, "If-Match": stale},
    )
    assert first.status_code == 200, first.text
    assert first.json()["name"] == "Himalayan Shield"
    fresh = (await api.get("/v1/exercises/himalaya-shield")).headers["etag"]
    assert fresh == first.headers["etag"]
    problem = await curated.refused(
        412,
        "PATCH",
        "/v1/exercises/himalaya-shield",
        json={"name": "Lost"},
        headers={**curated.auth, "If-Match": stale},
    )
    assert "changed in data version" in problem["detail"]
    second = await api.patch(
        "/v1/exercises/himalaya-shield",
        json={"description": None, "sources": [{"source": "mme-v7"}]},
        headers={**curated.auth, "If-Match": fresh},
    )
    assert second.status_code == 200, second.text
    assert second.json()["description"] is None
    assert [s["source_id"] for s in second.json()["sources"]] == ["mme-v7"]
    entries = await curated.audit(entity="exercise_series", operation="update")
    assert entries[0]["before"]["description"] == "A made-up series for the tests."
    assert entries[0]["after"]["description"] is None


async def test_delete_series_removes_its_ties(curated: Curated) -> None:
    api = curated.client
    await _series_written(curated)
    ties = await curated.ties("BTN", "MDV")
    deleted = await api.delete("/v1/exercises/himalaya-shield", headers=curated.auth)
    assert deleted.status_code == 204
    assert (await api.get("/v1/exercises/himalaya-shield")).status_code == 404
    assert await curated.ties("BTN", "MDV") == ties - 1
    (entry,) = await curated.audit(entity="exercise_series", operation="delete")
    assert entry["before"]["slug"] == "himalaya-shield" and entry["after"] is None


async def test_edition_lifecycle(curated: Curated) -> None:
    api = curated.client
    series_tag = await _series_written(curated)
    created = await api.post(
        "/v1/exercises/himalaya-shield/editions",
        json=_edition(2027, slug="hs-27", participants=[{"country": "BTN"}]),
        headers={**curated.auth, "If-Match": series_tag},
    )
    assert created.status_code == 201, created.text
    path = "/v1/exercises/himalaya-shield/editions/hs-27"
    assert created.headers["location"] == path
    got = await api.get(path)
    assert got.json() == created.json()
    series = (await api.get("/v1/exercises/himalaya-shield")).json()
    assert series["edition_count"] == 2 and series["last_year"] == 2027

    tag = got.headers["etag"]
    patched = await api.patch(
        path,
        json={"personnel": 1200, "domains": ["land", "sea"], "end_date": None},
        headers={**curated.auth, "If-Match": tag},
    )
    assert patched.status_code == 200, patched.text
    body = patched.json()
    assert (body["personnel"], body["domains"], body["end_date"]) == (1200, ["land", "sea"], None)
    assert body["activities"] == ["disaster_response", "humanitarian_assistance"]
    await curated.refused(
        412, "PATCH", path, json={"personnel": 1}, headers={**curated.auth, "If-Match": tag}
    )

    deleted = await api.delete(path, headers=curated.auth)
    assert deleted.status_code == 204
    assert (await api.get(path)).status_code == 404
    entries = await curated.audit(entity="exercise_edition")
    assert [e["operation"] for e in entries] == ["delete", "update", "create"]
    assert entries[1]["before"]["personnel"] is None and entries[1]["after"]["personnel"] == 1200


async def test_participant_put_and_delete_change_ties_at_once(curated: Curated) -> None:
    api = curated.client
    await _series_written(curated)
    path = "/v1/exercises/himalaya-shield/editions/himalaya-shield-2026"
    assert await curated.ties("BTN", "ISL") == 0
    pair_tag = (await api.get("/v1/countries/BTN/partners/ISL")).headers["etag"]

    put = await api.put(
        f"{path}/participants/is",
        json={"role": "full_participant", "sources": [{"source": "mme-v7", "locator": "r1"}]},
        headers=curated.auth,
    )
    assert put.status_code == 200, put.text
    iceland = next(p for p in put.json()["participants"] if p["country"]["iso3"] == "ISL")
    assert iceland["role"] == "full_participant"
    assert iceland["sources"][0]["locator"] == "r1"
    assert await curated.ties("BTN", "ISL") == 1
    pair = await api.get("/v1/countries/BTN/partners/ISL")
    assert pair.headers["etag"] != pair_tag
    assert pair.json()["data"][0]["initiative"]["slug"] == "himalaya-shield-2026"
    (entry,) = await curated.audit(entity="participation")
    assert entry["entity_id"] == "himalaya-shield-2026/ISL"
    assert entry["operation"] == "update"
    assert entry["before"]["role"] == "observer"
    assert entry["after"]["role"] == "full_participant"

    deleted = await api.delete(f"{path}/participants/ISL", headers=curated.auth)
    assert deleted.status_code == 204
    assert await curated.ties("BTN", "ISL") == 0
    got = await api.get(path)
    assert "ISL" not in [p["country"]["iso3"] for p in got.json()["participants"]]
    await curated.refused(404, "DELETE", f"{path}/participants/ISL")


async def test_edition_threat_links(curated: Curated) -> None:
    api = curated.client
    path = "/v1/exercises/cobra-gold/editions/cobra-gold-2024"
    linked = await api.put(f"{path}/threats/cybercrime", headers=curated.auth)
    assert linked.status_code == 200, linked.text
    assert "cybercrime" in [t["slug"] for t in linked.json()["threats"]]
    threat = (await api.get("/v1/threat-categories/cybercrime")).json()
    assert "cobra-gold" in [e["slug"] for e in threat["exercises"]]
    again = await api.put(f"{path}/threats/cybercrime", headers=curated.auth)
    assert again.status_code == 200
    unlinked = await api.delete(f"{path}/threats/cybercrime", headers=curated.auth)
    assert unlinked.status_code == 204
    await curated.refused(404, "DELETE", f"{path}/threats/cybercrime")
    await curated.refused(422, "PUT", f"{path}/threats/no-such-threat")
    entries = await curated.audit(entity="edition_threat")
    assert [e["operation"] for e in entries] == ["delete", "update", "create"]


test_invalid_series_change_nothing = refused_creations(
    "/v1/exercises",
    [
        (_series(slug="cobra-gold"), 409, "already exists"),
        (_series(editions=[_edition(slug="cobra-gold-2024")]), 409, "already exists"),
        (_series(editions=[]), 422, "editions"),
        (_series(sources=[]), 422, "sources"),
        (_series(sources=[{"source": "no-such-source"}]), 422, "no-such-source"),
        (_series(editions=[_edition(end_date="2026-05-01")]), 422, "must be after"),
        (_series(editions=[_edition(start_date="2025-06-01")]), 422, "not in the year"),
        (
            _series(editions=[_edition(participants=[{"country": "XYZ"}])]),
            422,
            "Unknown country code 'XYZ'",
        ),
        (
            _series(editions=[_edition(participants=[{"country": "IDN"}, {"country": "id"}])]),
            422,
            "listed twice",
        ),
        (_series(editions=[_edition(threats=["no-such-threat"])]), 422, "no-such-threat"),
        (_series(editions=[_edition(), _edition()]), 422, "listed twice"),
        (_series(colour="blue"), 422, "colour"),
        (_series(name="x" * 201), 422, "name"),
        (_series(editions=[_edition(latitude=91)]), 422, "latitude"),
        # booleans and strings are not numbers, numbers are not booleans (found by schemathesis)
        (_series(editions=[_edition(personnel=False)]), 422, "personnel"),
        (_series(editions=[{**_edition(), "year": "2026"}]), 422, "year"),
        (_series(editions=[_edition(participants=[{"country": "BTN", "is_host": 1}])]), 422, ""),
        (_series(editions=[_edition(participants=[{"country": "BTN", "sources": []}])]), 422, ""),
    ],
)


async def test_invalid_edition_writes_change_nothing(curated: Curated) -> None:
    base = "/v1/exercises/cobra-gold"
    edition = f"{base}/editions/cobra-gold-2024"
    await curated.refused(404, "PATCH", "/v1/exercises/nope", json={"name": "x"})
    await curated.refused(422, "PATCH", base, json={"name": None})
    await curated.refused(422, "PATCH", edition, json={"year": 2023})
    problem = await curated.refused(422, "PATCH", edition, json={"end_date": "2000-01-01"})
    assert "must be after" in problem["detail"]
    await curated.refused(422, "PATCH", edition, json={"domains": ["sea", "sea"]})
    await curated.refused(
        409, "POST", f"{base}/editions", json=_edition(2024, slug="cobra-gold-2024")
    )
    source = {"sources": [{"source": "article"}]}
    await curated.refused(404, "PUT", f"{base}/editions/nope/participants/IDN", json=source)
    await curated.refused(422, "PUT", f"{edition}/participants/XYZ", json=source)
    await curated.refused(422, "PUT", f"{edition}/participants/IDN", json={"role": "observer"})
    await curated.refused(404, "DELETE", "/v1/exercises/rimpac/editions/cobra-gold-2024")
    stale = (await curated.client.get(base)).headers["etag"]
    await curated.client.patch(base, json={"name_id": "Cobra Emas"}, headers=curated.auth)
    await curated.refused(412, "DELETE", base, headers={"If-Match": stale})
    await curated.refused(412, "DELETE", base, headers={"If-Match": "not-a-tag"})


async def test_last_edition_cannot_be_deleted(curated: Curated) -> None:
    await curated.client.post("/v1/exercises", json=_series(), headers=curated.auth)
    problem = await curated.refused(
        409, "DELETE", "/v1/exercises/himalaya-shield/editions/himalaya-shield-2026"
    )
    assert "delete the series instead" in problem["detail"]


async def test_writes_need_a_key(curated: Curated) -> None:
    response = await curated.client.post("/v1/exercises", json=_series())
    assert response.status_code == 401
