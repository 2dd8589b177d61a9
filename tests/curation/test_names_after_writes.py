"""Indonesian names follow the curators' writes (issue 16): they are read per data version,
so the answer after a write gives the new name, and an If-Match tag from an Indonesian GET
is the resource's own."""

import pytest

from tests.curation.conftest import Curated

pytestmark = pytest.mark.anyio


async def test_a_written_indonesian_name_is_served_at_once(curated: Curated) -> None:
    api = curated.client
    before = await api.get("/v1/countries/IDN/partners", params={"limit": 500, "lang": "id"})
    row = before.json()["data"][0]
    path = f"/v1/countries/{row['partner']['iso3']}"
    got = await api.get(path, headers={"Accept-Language": "id"})
    assert row["partner"]["name"] == got.json()["name"] == got.json()["name_id"]
    new_name = got.json()["name_id"] + " (baru)"
    updated = await api.patch(
        path,
        json={"name_id": new_name},
        headers={**curated.auth, "If-Match": got.headers["etag"], "Accept-Language": "id"},
    )
    assert updated.status_code == 200, updated.text
    assert (updated.json()["name"], updated.json()["name_lang"]) == (new_name, "id")
    fresh = await api.get(path, headers={"Accept-Language": "id"})
    assert fresh.headers["etag"] == updated.headers["etag"]
    after = await api.get("/v1/countries/IDN/partners", params={"limit": 500, "lang": "id"})
    renamed = {**row["partner"], "name": new_name}
    assert [r for r in after.json()["data"] if r["partner"]["iso3"] == renamed["iso3"]] == [
        {**row, "partner": renamed}
    ]
    english = await api.get(path)
    assert english.json()["name"] != new_name and "name_lang" not in english.json()
    # The audit trail records the write in English, whatever the answer's language.
    (entry,) = await curated.audit(entity="country")
    assert entry["after"]["name"] == english.json()["name"]
    assert entry["after"]["name_id"] == new_name and "name_lang" not in entry["after"]
