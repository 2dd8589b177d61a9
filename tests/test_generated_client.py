"""A client generated from the app's OpenAPI document with openapi-python-client, used as a
researcher would (issue 16): a list with its total, a typed problem for a 404, downloads.

The generator runs locally, offline, on the document the app serves."""

import csv
import importlib
import io
import json
import subprocess
import sys
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import httpx
import networkx as nx  # type: ignore[import-untyped]
import pytest
from fastapi import FastAPI

pytestmark = pytest.mark.anyio
PACKAGE = "defcoop_generated_client"
# The generator knows JSON, text and octet-stream responses; GraphML is XML text. No post
# hooks: the generated code is imported, not formatted.
CONFIG = {
    "content_type_overrides": {"application/graphml+xml": "text/plain"},
    "post_hooks": [],
}


@pytest.fixture(scope="module")
def generated(app: FastAPI, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    directory = tmp_path_factory.mktemp("client")
    document = directory / "openapi.json"
    document.write_text(json.dumps(app.openapi()), encoding="utf-8")
    config = directory / "config.json"
    config.write_text(json.dumps(CONFIG), encoding="utf-8")
    command = [sys.executable, "-m", "openapi_python_client", "generate", "--path",
               str(document), "--config", str(config), "--meta", "none",
               "--output-path", str(directory / PACKAGE)]  # fmt: skip
    run = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    # Every operation and every response made it into the client.
    assert "Warning" not in run.stdout + run.stderr, run.stdout + run.stderr
    sys.path.insert(0, str(directory))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(directory))
        for name in [name for name in sys.modules if name.startswith(PACKAGE)]:
            del sys.modules[name]


def _module(name: str) -> Any:
    return importlib.import_module(f"{PACKAGE}.{name}")


@pytest.fixture
def client(generated: ModuleType, api: httpx.AsyncClient) -> Any:
    return generated.Client(base_url=str(api.base_url)).set_async_httpx_client(api)


async def test_a_list_with_its_typed_total(client: Any) -> None:
    page = await _module("api.countries.list_countries").asyncio(client=client, limit=5)
    assert isinstance(page, _module("models").PageCountryOut)
    assert isinstance(page.meta, _module("models").ListMeta)
    assert len(page.data) == 5
    assert page.meta.total > 5
    assert all(len(country.iso3) == 3 for country in page.data)


async def test_a_404_is_a_typed_problem(client: Any) -> None:
    response = await _module("api.countries.get_country").asyncio_detailed(
        client=client, code="XYZ"
    )
    assert response.status_code == 404
    problem = response.parsed
    assert isinstance(problem, _module("models").Problem)
    assert problem.status == 404
    assert "XYZ" in problem.detail
    assert problem.instance == "/v1/countries/XYZ"


async def test_a_csv_download_holds_the_whole_list(client: Any, api: httpx.AsyncClient) -> None:
    text = await _module("api.countries.list_countries_csv").asyncio(client=client)
    assert isinstance(text, str)
    rows = list(csv.DictReader(io.StringIO(text)))
    page = await _module("api.countries.list_countries").asyncio(client=client, limit=1)
    assert len(rows) == page.meta.total
    # The same bytes as the list's own `format=csv`.
    assert text == (await api.get("/v1/countries", params={"format": "csv"})).text
    # Filters apply to the download as to the list.
    asean = await _module("api.organizations.get_organization_members_csv").asyncio(
        client=client, slug="asean"
    )
    members = (await api.get("/v1/organizations/asean/members")).json()["data"]
    assert len(list(csv.DictReader(io.StringIO(asean)))) == len(members)


async def test_a_graphml_download_reads_into_networkx(client: Any) -> None:
    graphml = await _module("api.analytics.get_network_graphml").asyncio(client=client, year=2010)
    network = await _module("api.analytics.get_network").asyncio(client=client, year=2010)
    graph = nx.parse_graphml(graphml)
    assert graph.number_of_nodes() == len(network.nodes)
    assert graph.number_of_edges() == len(network.edges)


async def test_download_paths_are_only_those_the_document_lists(api: httpx.AsyncClient) -> None:
    # Not a download path: the country route reads `IDN.csv` as a (bad) country code.
    not_a_download = await api.get("/v1/countries/IDN.csv")
    assert not_a_download.status_code == 422
    assert not_a_download.headers["content-type"] == "application/problem+json"
    response = await api.get("/v1/countries.csv", params={"format": "json", "limit": 2})
    assert response.headers["content-type"].startswith("text/csv")
    head = await api.head("/v1/network.graphml")
    assert head.headers["content-type"].startswith("application/graphml+xml")
    refused = await api.post("/v1/organizations.csv", json={})
    assert refused.status_code == 405
    assert refused.headers["allow"] == "GET, HEAD"
