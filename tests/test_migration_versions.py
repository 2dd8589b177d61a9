"""The curation revision on a database with data: no child row is lost either way.

Downgrading drops `modified_in_version`, which SQLite does by rebuilding each parent table
in batch mode: with foreign keys on, that would cascade-delete every membership, citation,
participation... (see migrations/env.py).
"""

from alembic import command
from sqlalchemy import create_engine, inspect, text

from app.cli import alembic_config
from app.core.config import Settings
from tests.conftest import migrate, seed

INITIAL = "51568650fd6e"
CHILD_TABLES = [
    "memberships",
    "citations",
    "participations",
    "agreement_parties",
    "contributions",
    "organization_threats",
    "edition_threats",
    "ties",
    "exercise_editions",
]
VERSIONED = [
    "countries",
    "organizations",
    "exercise_series",
    "exercise_editions",
    "agreements",
    "operations",
    "threat_categories",
    "sources",
]


def _counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    with engine.connect() as connection:
        counts = {
            table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
            for table in CHILD_TABLES + VERSIONED
        }
    engine.dispose()
    return counts


def _columns(url: str, table: str) -> set[str]:
    engine = create_engine(url)
    try:
        return {column["name"] for column in inspect(engine).get_columns(table)}
    finally:
        engine.dispose()


def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_downgrade_and_upgrade_keep_every_child_row(empty_url: str) -> None:
    migrate(empty_url)
    seed(empty_url)
    seeded = _counts(empty_url)
    assert all(seeded[table] > 0 for table in CHILD_TABLES)

    command.downgrade(alembic_config(Settings(database_url=empty_url)), INITIAL)
    assert "modified_in_version" not in _columns(empty_url, "organizations")
    assert "api_keys" not in _tables(empty_url)
    assert _counts(empty_url) == seeded

    migrate(empty_url)
    assert _counts(empty_url) == seeded
    engine = create_engine(empty_url)
    with engine.connect() as connection:
        for table in VERSIONED:
            assert "modified_in_version" in _columns(empty_url, table)
            versions = connection.execute(
                text(f"SELECT DISTINCT modified_in_version FROM {table}")
            ).scalars()
            assert set(versions) == {0}, table
    engine.dispose()
