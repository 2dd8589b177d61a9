"""Sources."""

import httpx
import pytest

pytestmark = pytest.mark.anyio


async def test_sources(api: httpx.AsyncClient) -> None:
    article = (await api.get("/v1/sources/article")).json()
    assert article["kind"] == "article"
    assert article["language"] == "id"
    assert article["cited_by"]["memberships"] > 0
    datasets = (await api.get("/v1/sources", params={"kind": "dataset"})).json()
    assert "mme-v7" in {s["id"] for s in datasets["data"]}
    assert (await api.get("/v1/sources/no-such-source")).status_code == 404
