"""Writes to threat categories, sources and countries' curated fields."""

from typing import Any

import pytest
from sqlalchemy import create_engine, update

from app.core.periods import DatePrecision
from app.sources.models import Source
from tests.curation.conftest import Curated, refused_creations, request_body

pytestmark = pytest.mark.anyio

SOURCES = [{"source": "article", "locator": "ancaman"}]


_threat = request_body(
    slug="piracy",
    name="Piracy",
    name_id="Pembajakan",
    kind="non_traditional",
    description="Robbery at sea.",
    sources=SOURCES,
)


_source = request_body(
    id="imb-piracy-report-2025",
    kind="reference",
    title="Piracy and Armed Robbery Against Ships, 2025 report",
    publisher="ICC International Maritime Bureau",
    url="https://www.icc-ccs.org/piracy-reporting-centre",
    published_date="2025-01-01",
    published_precision="month",
    language="en",
)


async def test_threat_category_lifecycle(curated: Curated) -> None:
    api = curated.client
    created = await api.post("/v1/threat-categories", json=_threat(), headers=curated.auth)
    assert created.status_code == 201, created.text
    assert created.headers["location"] == "/v1/threat-categories/piracy"
    got = await api.get("/v1/threat-categories/piracy")
    assert got.json() == created.json()
    assert got.json()["sources"][0]["source_id"] == "article"
    tag = got.headers["etag"]
    updated = await api.patch(
        "/v1/threat-categories/piracy",
        json={"name_id": "Perompakan", "description": None},
        headers={**curated.auth, "If-Match": tag},
    )
    assert updated.status_code == 200, updated.text
    assert (updated.json()["name_id"], updated.json()["description"]) == ("Perompakan", None)
    await curated.refused(
        412,
        "PATCH",
        "/v1/threat-categories/piracy",
        json={"name": "x"},
        headers={"If-Match": tag},
    )

    # linked: 409 naming the links; unlinked: deleted
    link = "/v1/operations/unifil/threats/piracy"
    assert (await api.put(link, headers=curated.auth)).status_code == 200
    problem = await curated.refused(409, "DELETE", "/v1/threat-categories/piracy")
    assert "still linked to 1 operations" in problem["detail"]
    assert (await api.delete(link, headers=curated.auth)).status_code == 204
    deleted = await api.delete("/v1/threat-categories/piracy", headers=curated.auth)
    assert deleted.status_code == 204
    assert (await api.get("/v1/threat-categories/piracy")).status_code == 404
    await curated.audited_lifecycle("threat_category", "name_id", "Pembajakan", "Perompakan")


async def test_seeded_threat_in_use_cannot_be_deleted(curated: Curated) -> None:
    problem = await curated.refused(409, "DELETE", "/v1/threat-categories/armed-conflict")
    assert "organizations" in problem["detail"] and "agreements" in problem["detail"]


test_invalid_threats_change_nothing = refused_creations(
    "/v1/threat-categories",
    [
        (_threat(slug="terrorism"), 409, "already exists"),
        (_threat(kind="imaginary"), 422, "kind"),
        (_threat(sources=[]), 422, "sources"),
        (_threat(sources=[{"source": "nope"}]), 422, "nope"),
        (_threat(name_id=None), 422, "name_id"),
        (_threat(slug="Not A Slug"), 422, "slug"),
    ],
)


async def test_source_lifecycle(curated: Curated) -> None:
    api = curated.client
    path = "/v1/sources/imb-piracy-report-2025"
    created = await api.post("/v1/sources", json=_source(), headers=curated.auth)
    assert created.status_code == 201, created.text
    got = await api.get(path)
    assert got.json() == created.json()
    assert got.json()["cited_by"] == {}
    tag = got.headers["etag"]

    # a new fact can cite it at once, and then the source cannot be deleted
    cited = await api.put(
        "/v1/operations/unifil/contributors/ISL",
        json={"sources": [{"source": "imb-piracy-report-2025", "locator": "p. 4"}]},
        headers=curated.auth,
    )
    assert cited.status_code == 200, cited.text
    problem = await curated.refused(409, "DELETE", path)
    assert "cited by 1 facts (contributions: 1)" in problem["detail"]

    updated = await api.patch(
        path, json={"title": "IMB piracy report 2025", "url": None}, headers=curated.auth
    )
    assert updated.status_code == 200, updated.text
    assert (updated.json()["title"], updated.json()["url"]) == ("IMB piracy report 2025", None)
    operation = (await api.get("/v1/operations/unifil")).json()
    iceland = next(c for c in operation["contributors"] if c["country"]["iso3"] == "ISL")
    assert iceland["sources"][0]["title"] == "IMB piracy report 2025"
    await curated.refused(412, "PATCH", path, json={"note": "x"}, headers={"If-Match": tag})

    assert (
        await api.delete("/v1/operations/unifil/contributors/ISL", headers=curated.auth)
    ).status_code == 204
    assert (await api.delete(path, headers=curated.auth)).status_code == 204
    assert (await api.get(path)).status_code == 404
    await curated.audited_lifecycle("source", "url", _source()["url"], None)


async def test_seeded_source_in_use_cannot_be_deleted(curated: Curated) -> None:
    problem = await curated.refused(409, "DELETE", "/v1/sources/article")
    assert "is cited by" in problem["detail"]


test_invalid_sources_change_nothing = refused_creations(
    "/v1/sources",
    [
        (_source(id="article"), 409, "already exists"),
        (_source(url="javascript:alert(1)"), 422, "url"),
        (_source(published_date="2025-01-15"), 422, "first of the month"),
        (_source(published_date=None), 422, "published_precision is given without"),
        (_source(kind="blog"), 422, "kind"),
        (_source(title="x" * 301), 422, "title"),
        (_source(id="Bad_Id"), 422, "id"),
    ],
)


async def test_a_stored_precision_without_a_date_is_a_422_with_a_pointer(
    curated: Curated,
) -> None:
    # A precision without its date passes no input schema, but an older import could have
    # stored one: a change that keeps it is refused, and says which field to fix.
    engine = create_engine(curated.url)
    with engine.begin() as connection:
        connection.execute(
            update(Source)
            .where(Source.id == "article")
            .values(published_date=None, published_precision=DatePrecision.year)
        )
    engine.dispose()
    problem = await curated.refused(422, "PATCH", "/v1/sources/article", json={"note": "x"})
    assert "published_precision is set without published_date" in problem["detail"]
    assert [error["pointer"] for error in problem["errors"]] == ["/body/published_precision"]


async def test_country_curated_fields(curated: Curated) -> None:
    api = curated.client
    got = await api.get("/v1/countries/TUR")
    tag = got.headers["etag"]
    version = curated.data_version()
    updated = await api.patch(
        "/v1/countries/tr",
        json={"name_id": "Turkiye", "note": "Renamed Türkiye in 2022."},
        headers={**curated.auth, "If-Match": tag},
    )
    assert updated.status_code == 200, updated.text
    assert curated.data_version() == version + 1
    fresh = await api.get("/v1/countries/TUR")
    assert fresh.json() == updated.json()
    assert fresh.headers["etag"] == updated.headers["etag"]
    assert (fresh.json()["name_id"], fresh.json()["note"]) == (
        "Turkiye",
        "Renamed Türkiye in 2022.",
    )
    # A name changes no tie: the same figures, said to be those of the new version.
    network = fresh.json()["network"]
    assert fresh.json()["iso2"] == "TR" and network["data_version"] == version + 1
    assert network == got.json()["network"] | {"data_version": version + 1}
    await curated.refused(
        412, "PATCH", "/v1/countries/TUR", json={"note": None}, headers={"If-Match": tag}
    )
    (entry,) = await curated.audit(entity="country")
    assert entry["entity_id"] == "TUR" and entry["before"]["note"] is None
    assert entry["after"]["note"] == "Renamed Türkiye in 2022."


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        ("/v1/countries/TUR", {"iso3": "TRK"}, 422),
        ("/v1/countries/TUR", {"cow_code": 1}, 422),
        ("/v1/countries/TUR", {"name": None}, 422),
        ("/v1/countries/TUR", {"name": "x" * 121}, 422),
        ("/v1/countries/TUR", {"note": "a\x00b"}, 422),
        ("/v1/countries/XYZ", {"note": "x"}, 404),
    ],
)
async def test_invalid_country_updates_change_nothing(
    curated: Curated, path: str, body: dict[str, Any], status: int
) -> None:
    await curated.refused(status, "PATCH", path, json=body)
