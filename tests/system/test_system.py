import httpx
import pytest

pytestmark = pytest.mark.anyio


async def test_health_answers_without_the_database(api: httpx.AsyncClient) -> None:
    response = await api.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_ready_reports_the_migrated_revision(api: httpx.AsyncClient) -> None:
    response = await api.get("/ready")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    assert body["revision"]


async def test_meta_counts_the_seeded_data(api: httpx.AsyncClient) -> None:
    response = await api.get("/v1/meta")
    assert response.status_code == 200
    body = response.json()
    assert body["data_version"] >= 1
    assert body["counts"]["countries"] >= 257
    assert body["counts"]["organizations"] >= 11
    assert any(source["id"] == "article" for source in body["sources"])
