"""A re-import of COW IGO v3 (`make run` imports on every start) keeps what curators did."""

import csv
import gzip

import pytest
from typer.testing import CliRunner, Result

from app.cli import cli
from app.core.config import PROJECT_ROOT
from tests.curation.conftest import Curated

pytestmark = pytest.mark.anyio

BUNDLED = PROJECT_ROOT / "seed" / "datasets" / "cow-igo-3" / "igo_year_format3.csv.gz"


def _import(curated: Curated) -> Result:
    result = CliRunner().invoke(
        cli, ["import", "cow-igo", str(BUNDLED)], env={"DATABASE_URL": curated.url}
    )
    assert result.exit_code == 0, result.output
    return result


def _rows_of(*ionames: str) -> int:
    with gzip.open(BUNDLED, "rt", encoding="utf-8", newline="") as handle:
        return sum(1 for row in csv.DictReader(handle) if row["ioname"] in ionames)


async def test_a_re_import_leaves_organizations_curators_changed_or_deleted(
    curated: Curated,
) -> None:
    _import(curated)
    deleted = await curated.client.delete("/v1/organizations/cento", headers=curated.auth)
    assert deleted.status_code == 204, deleted.text
    changed = await curated.client.patch(
        "/v1/organizations/warsaw-pact", json={"description": "Curated."}, headers=curated.auth
    )
    assert changed.status_code == 200, changed.text
    version = curated.data_version()

    again = _import(curated)

    assert f"left as curators made them {_rows_of('CENTO', 'WPact')}," in again.stdout
    assert "nothing changed" in again.stdout
    assert curated.data_version() == version
    assert (await curated.client.get("/v1/organizations/cento")).status_code == 404
    pact = (await curated.client.get("/v1/organizations/warsaw-pact")).json()
    assert pact["description"] == "Curated."
