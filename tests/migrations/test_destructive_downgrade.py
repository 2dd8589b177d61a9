"""A downgrade that would drop curated data asks first, and the seed never reverts curation."""

import pytest
from typer.testing import CliRunner

from app.cli import cli
from app.core.config import Settings
from app.main import create_app
from tests.conftest import client_for, make_key

pytestmark = pytest.mark.anyio
runner = CliRunner()


async def _acronym(url: str) -> str:
    app = create_app(Settings(database_url=url))
    try:
        async with client_for(app) as api:
            response = await api.get("/v1/organizations/nato")
            assert response.status_code == 200, response.text
            acronym: str = response.json()["acronym"]
            return acronym
    finally:
        app.state.engine.dispose()


async def _curate(url: str) -> None:
    app = create_app(Settings(database_url=url))
    key = make_key(url, "downgrade-curator")
    try:
        async with client_for(app, key=key) as api:
            patched = await api.patch("/v1/organizations/nato", json={"acronym": "CURATED"})
            assert patched.status_code == 200, patched.text
    finally:
        app.state.engine.dispose()


def _defcoop(url: str, *args: str) -> tuple[int, str]:
    result = runner.invoke(cli, list(args), env={"DATABASE_URL": url})
    return result.exit_code, result.output


async def test_downgrade_past_curation_needs_force_and_the_seed_respects_it(
    fresh_url: str,
) -> None:
    await _curate(fresh_url)
    seeded_acronym = "NATO"

    # The documented relative form works, and stays above the curation revision: no question.
    assert _defcoop(fresh_url, "db", "downgrade", "-1") == (0, "database at -1\n")
    assert _defcoop(fresh_url, "db", "upgrade")[0] == 0

    for target in ("20906f8a79a1-1", "base", "51568650fd6e"):
        code, output = _defcoop(fresh_url, "db", "downgrade", target)
        assert code == 1, output
        assert "--force" in output and "backup" in output.lower() and "pg_dump" in output
    assert await _acronym(fresh_url) == "CURATED"  # refused: nothing happened

    code, output = _defcoop(fresh_url, "db", "downgrade", "51568650fd6e", "--force")
    assert code == 0, output
    assert _defcoop(fresh_url, "db", "upgrade")[0] == 0

    # `make run` seeds and imports on every start: both leave the curated data alone.
    code, output = _defcoop(fresh_url, "seed")
    assert code == 0, output
    assert "nothing loaded" in output and "--over-dropped-curation" in output
    assert await _acronym(fresh_url) == "CURATED"

    # Asked for, the seed loads over it (and the marker goes).
    assert _defcoop(fresh_url, "seed", "--over-dropped-curation")[0] == 0
    assert await _acronym(fresh_url) == seeded_acronym
    code, output = _defcoop(fresh_url, "seed")
    assert code == 0 and "nothing loaded" not in output


async def test_bad_downgrade_target_is_a_one_line_error(fresh_url: str) -> None:
    code, output = _defcoop(fresh_url, "db", "downgrade", "-99")
    assert code == 2
    assert output.startswith("error:") and output.count("\n") == 1
