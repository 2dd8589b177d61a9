"""/v1/datasets and the coverage of each channel in /v1/meta, against seed/data/datasets.yaml
and the README's coverage table."""

import re
from typing import Any

import httpx
import pytest
import yaml

from app.core.config import PROJECT_ROOT

pytestmark = pytest.mark.anyio

DATASETS_FILE = PROJECT_ROOT / "seed" / "data" / "datasets.yaml"
README = PROJECT_ROOT / "README.md"
# A row of the README's coverage table: | channel | dataset id | first year | last year | ...
_COVERAGE_ROW = re.compile(r"^\| `(\w+)` \| `([a-z0-9-]+)` \| (\d{4}) \| (\d{4}) \|", re.M)


async def all_datasets(api: httpx.AsyncClient) -> list[dict[str, Any]]:
    response = await api.get("/v1/datasets", params={"limit": 100})
    assert response.status_code == 200, response.text
    return list(response.json()["data"])


async def test_every_dataset_of_the_seed_file_is_served_with_its_coverage(
    api: httpx.AsyncClient,
) -> None:
    entries = yaml.safe_load(DATASETS_FILE.read_text(encoding="utf-8"))

    served = {dataset["id"]: dataset for dataset in await all_datasets(api)}

    assert set(served) == {entry["id"] for entry in entries}
    for entry in entries:
        dataset = served[entry["id"]]
        assert (dataset["version"], dataset["citation"]) == (entry["version"], entry["citation"])
        assert dataset["bundled"] is (entry.get("bundled_path") is not None)
        assert [(c["channel"], c["starts"], c["ends"]) for c in dataset["coverage"]] == sorted(
            (c["channel"], str(c["starts"]), str(c["ends"])) for c in entry["coverage"]
        )


async def test_the_readme_coverage_table_agrees_with_the_api(api: httpx.AsyncClient) -> None:
    table = {
        (channel, dataset, int(first), int(last))
        for channel, dataset, first, last in _COVERAGE_ROW.findall(README.read_text("utf-8"))
    }

    served = {
        (c["channel"], d["id"], int(c["starts"][:4]), int(c["ends"][:4]))
        for d in await all_datasets(api)
        for c in d["coverage"]
    }

    assert table == served


async def test_a_dataset_not_yet_imported_has_no_import_figures(api: httpx.AsyncClient) -> None:
    # The test databases are seeded, not imported: MME's record waits for `defcoop import mme`.
    record = (await api.get("/v1/datasets/mme-v7")).json()

    assert record["last_import"] is None
    assert record["cited_by"]["exercise_editions"] >= 1  # curated editions cite MME rows too


async def test_datasets_filter_by_channel(api: httpx.AsyncClient) -> None:
    exercise = (await api.get("/v1/datasets", params={"channel": "exercise"})).json()["data"]
    nothing = (await api.get("/v1/datasets", params={"channel": "nosuch"})).json()["data"]

    assert "mme-v7" in {dataset["id"] for dataset in exercise}
    assert all(any(c["channel"] == "exercise" for c in d["coverage"]) for d in exercise)
    assert nothing == []


async def test_an_unknown_dataset_is_a_404_problem(api: httpx.AsyncClient) -> None:
    response = await api.get("/v1/datasets/no-such-dataset")

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert "GET /v1/datasets" in response.json()["detail"]


async def test_a_dataset_not_imported_covers_nothing(api: httpx.AsyncClient) -> None:
    # The test databases are seeded, not imported: only curated facts stand, every year.
    coverage = {c["channel"]: c for c in (await api.get("/v1/meta")).json()["coverage"]}

    assert {"organization", "exercise", "agreement", "operation"} <= set(coverage)
    exercise = coverage["exercise"]
    assert exercise["datasets"] == []
    assert exercise["first_fact_year"] is not None
    assert f"{exercise['first_fact_year']}-" in exercise["note"]
    assert "unknown, not zero" in exercise["note"]
