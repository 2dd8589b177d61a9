"""A re-seed or a re-import (`make run` does both on every start) keeps what curators did."""

import csv
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update
from typer.testing import CliRunner, Result

from app.cli import cli
from app.core.config import Settings
from app.core.db import create_db_engine
from app.exercises.models import ExerciseSeries
from tests.curation.conftest import Curated

pytestmark = pytest.mark.anyio

SAMPLE = Path(__file__).parents[1] / "fixtures" / "mme_sample.csv"


def _run(curated: Curated, *arguments: str) -> Result:
    result = CliRunner().invoke(cli, list(arguments), env={"DATABASE_URL": curated.url})
    assert result.exit_code == 0, result.output
    return result


async def _get(curated: Curated, path: str) -> dict[str, Any]:
    response = await curated.client.get(path)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def _write(curated: Curated, method: str, path: str, **kwargs: Any) -> None:
    response = await curated.client.request(method, path, headers=curated.auth, **kwargs)
    assert response.status_code in (200, 204), response.text


async def test_a_re_seed_leaves_what_curators_changed_or_deleted(curated: Curated) -> None:
    await _write(curated, "PATCH", "/v1/organizations/asean", json={"description": "Curated."})
    await _write(curated, "DELETE", "/v1/exercises/cobra-gold/editions/cobra-gold-2017")
    members_before = await _get(curated, "/v1/organizations/asean")
    version = curated.data_version()

    result = _run(curated, "seed")

    assert "nothing changed" in result.stdout
    # The edition's series was touched by the delete, so it is the curators' too.
    assert (
        "left as curators made them (changed or deleted through the API): "
        "1 exercise_edition, 1 exercise_series, 1 organization"
    ) in result.stdout
    assert curated.data_version() == version
    asean = await _get(curated, "/v1/organizations/asean")
    assert asean["description"] == "Curated."
    assert asean == members_before
    gone = await curated.client.get("/v1/exercises/cobra-gold/editions/cobra-gold-2017")
    assert gone.status_code == 404


async def test_a_re_seed_still_corrects_what_no_curator_touched(curated: Curated) -> None:
    await _write(curated, "PATCH", "/v1/organizations/asean", json={"description": "Curated."})
    # Changed behind the API's back, as a hand edit of the database would: not the curators'.
    engine = create_db_engine(Settings(database_url=curated.url))
    with engine.begin() as connection:
        connection.execute(
            update(ExerciseSeries).where(ExerciseSeries.slug == "rimpac").values(name="Wrong")
        )
    engine.dispose()

    result = _run(curated, "seed")

    assert "updated 1 exercise_series" in result.stdout
    assert (await _get(curated, "/v1/exercises/rimpac"))["name"] == "Rim of the Pacific Exercise"
    assert (await _get(curated, "/v1/organizations/asean"))["description"] == "Curated."


def _imported_edition(series: dict[str, Any], locator: str) -> dict[str, Any]:
    editions: list[dict[str, Any]] = [
        edition
        for edition in series["editions"]
        if any(source["locator"] == locator for source in edition["sources"])
    ]
    assert len(editions) == 1, series["editions"]
    return editions[0]


async def test_a_re_import_leaves_what_curators_changed_or_deleted(curated: Curated) -> None:
    _run(curated, "import", "mme", str(SAMPLE))
    readex = await _get(curated, "/v1/exercises/readex")
    deleted = _imported_edition(readex, "mme87")
    edited = _imported_edition(readex, "mme112")
    dropped = edited["participants"][0]["country"]["iso3"]
    await _write(curated, "DELETE", f"/v1/exercises/readex/editions/{deleted['slug']}")
    await _write(
        curated, "DELETE", f"/v1/exercises/readex/editions/{edited['slug']}/participants/{dropped}"
    )
    version = curated.data_version()

    result = _run(curated, "import", "mme", str(SAMPLE))

    assert "left as curators made them 2" in result.stdout
    assert "nothing changed" in result.stdout
    assert curated.data_version() == version
    readex = await _get(curated, "/v1/exercises/readex")
    assert all(
        all(source["locator"] != "mme87" for source in edition["sources"])
        for edition in readex["editions"]
    )
    edition = await _get(curated, f"/v1/exercises/readex/editions/{edited['slug']}")
    assert dropped not in {p["country"]["iso3"] for p in edition["participants"]}


IPI_SAMPLE = Path(__file__).parents[1] / "fixtures" / "ipi_sample"


def _ipi_rows_of(*acronyms: str) -> int:
    """The rows of the IPI sample that describe these missions: their missions.json entry
    and their mission months (the sample has no contributions to them)."""
    with (IPI_SAMPLE / "mission_months_1990_2017.csv").open(encoding="utf-8") as handle:
        months = sum(1 for row in csv.DictReader(handle) if row["Mission"] in acronyms)
    return len(acronyms) + months


async def test_a_peacekeeping_re_import_leaves_what_curators_changed_or_deleted(
    curated: Curated,
) -> None:
    _run(curated, "import", "ipi-peacekeeping", str(IPI_SAMPLE))
    await _write(curated, "DELETE", "/v1/operations/untso")
    await _write(curated, "PATCH", "/v1/operations/unoci", json={"description": "Curated."})
    version = curated.data_version()

    result = _run(curated, "import", "ipi-peacekeeping", str(IPI_SAMPLE))

    left = _ipi_rows_of("UNTSO", "UNOCI", "ONUCI")
    assert f"left as curators made them {left}," in result.stdout
    assert "nothing changed" in result.stdout
    assert curated.data_version() == version
    assert (await curated.client.get("/v1/operations/untso")).status_code == 404
    assert (await _get(curated, "/v1/operations/unoci"))["description"] == "Curated."
