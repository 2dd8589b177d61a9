"""The schema from empty to head and back, and the seed loader run twice."""

import httpx
import pytest
from sqlalchemy import create_engine, inspect
from typer.testing import CliRunner

from app.cli import cli
from app.core.config import Settings
from app.main import create_app
from tests.databases import migrate

pytestmark = pytest.mark.anyio
runner = CliRunner()


def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_migrations_upgrade_downgrade_upgrade(empty_url: str) -> None:
    migrate(empty_url)
    assert {"countries", "memberships", "citations", "data_state"} <= _tables(empty_url)
    result = runner.invoke(cli, ["db", "downgrade", "base"], env={"DATABASE_URL": empty_url})
    assert result.exit_code == 0, result.output
    assert _tables(empty_url) <= {"alembic_version"}
    migrate(empty_url)
    assert "countries" in _tables(empty_url)


async def test_seeding_twice_changes_nothing(empty_url: str) -> None:
    env = {"DATABASE_URL": empty_url}
    assert runner.invoke(cli, ["db", "upgrade"], env=env).exit_code == 0
    first = runner.invoke(cli, ["seed"], env=env)
    assert first.exit_code == 0, first.output
    # Every row the curated seed makes; change it only with the seed data itself.
    assert (
        "seeded: created 45 agreement_parties, 21 agreement_threats, 21 agreements, "
        "1297 citations, 52 contributions, 273 countries, 248 country_cow_codes, "
        "2 dataset_coverage, 2 datasets, "
        "31 edition_activities, "
        "30 edition_threats, 18 exercise_editions, 11 exercise_series, 138 memberships, "
        "17 operation_threats, 10 operations, 27 organization_threats, 18 organizations, "
        "246 participations, 25 response_threats, 163 sources, 8 threat_categories, "
        "13 threat_responses; updated nothing\n"
    ) in first.output

    app = create_app(Settings(database_url=empty_url))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as api:
        before = (await api.get("/v1/meta")).json()
        second = runner.invoke(cli, ["seed"], env=env)
        assert second.exit_code == 0, second.output
        assert "nothing changed" in second.output
        after = (await api.get("/v1/meta")).json()
    app.state.engine.dispose()
    assert after["counts"] == before["counts"]
    assert after["data_version"] == before["data_version"] == 1


async def test_ready_is_503_before_migrations(empty_url: str) -> None:
    app = create_app(Settings(database_url=empty_url))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as api:
        response = await api.get("/ready")
    app.state.engine.dispose()
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
