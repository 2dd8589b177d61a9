"""The migration history, with pytest-alembic, on every backend; and no data lost on the way.

pytest-alembic's four standard tests run on a fresh database per test and backend: one head,
upgrade from empty to head, the models match what the migrations build, and every revision
goes down and up again. They drive `migrations/env.py` with the app's own engine, passed in as
`config.attributes["connection"]`, so the SQLite pragmas are the ones the app uses.

On SQLite, batch mode rebuilds a table by copying it; with foreign keys on, dropping the old
parent cascades to its children (or fails under RESTRICT). env.py turns them off around the
migration. The tests below prove, on a seeded database, that every step down and up keeps the
rows of every table it keeps, that a rebuild of every table keeps every row, that a step
leaving orphan rows fails before it commits, and that foreign keys are on and consistent
afterwards, also after a migration that fails.
"""

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext as AlembicMigrationContext
from alembic.operations import Operations
from alembic.script import ScriptDirectory
from pytest_alembic import MigrationContext
from pytest_alembic.tests import (
    test_model_definitions_match_ddl,
    test_single_head_revision,
    test_up_down_consistency,
    test_upgrade,
)
from sqlalchemy import func, inspect, select, table
from sqlalchemy.engine import Engine

from app import cli
from app.core.config import PROJECT_ROOT, Settings
from app.core.db import create_db_engine

__all__ = [
    "test_model_definitions_match_ddl",
    "test_single_head_revision",
    "test_up_down_consistency",
    "test_upgrade",
]

SCRIPT = ScriptDirectory.from_config(cli.alembic_config(Settings()))
# Oldest first. Every revision but the first has a step down that leaves tables (and rows).
REVISIONS = [revision.revision for revision in reversed(list(SCRIPT.walk_revisions()))]
# Tables the seed fills whose rows hang off parents that batch mode would rebuild.
CHILD_TABLES = ("memberships", "participations", "ties", "citations", "agreement_parties")


# pytest-alembic's fixtures: the app's engine on a fresh, empty database per test and backend.


@pytest.fixture
def alembic_config(empty_url: str) -> Config:
    return cli.alembic_config(Settings(database_url=empty_url))


@pytest.fixture
def alembic_engine(empty_url: str) -> Iterator[Engine]:
    engine = create_db_engine(Settings(database_url=empty_url))
    yield engine
    engine.dispose()


def test_foreign_keys_are_on_after_migrating(
    alembic_runner: MigrationContext, alembic_engine: Engine
) -> None:
    """env.py turns them off on the connection it is given: it must turn them on again."""
    sqlite_only(alembic_engine)
    alembic_runner.migrate_up_to("heads")
    assert_foreign_keys_on_and_consistent(alembic_engine)


# Seeded databases, copied from one seeded template per backend (seeding takes seconds).


@pytest.fixture
def seeded_engine(fresh_url: str) -> Iterator[Engine]:
    engine = create_db_engine(Settings(database_url=fresh_url))
    yield engine
    engine.dispose()


def row_counts(engine: Engine) -> dict[str, int]:
    names = [name for name in inspect(engine).get_table_names() if name != "alembic_version"]
    with engine.connect() as connection:
        return {
            name: connection.scalar(select(func.count()).select_from(table(name))) or 0
            for name in names
        }


def assert_foreign_keys_on_and_consistent(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []


def run_alembic(engine: Engine, verb: str, revision: str, config: Config | None = None) -> None:
    """`alembic upgrade|downgrade` through env.py, on the app's engine."""
    url = engine.url.render_as_string(hide_password=False)
    config = config or cli.alembic_config(Settings(database_url=url))
    config.attributes["connection"] = engine
    getattr(command, verb)(config, revision)


def assert_rows_kept(before: dict[str, int], after: dict[str, int], step: str) -> None:
    lost = {name: (before[name], count) for name, count in after.items() if count != before[name]}
    assert lost == {}, f"{step} changed row counts (before, after): {lost}"


@pytest.mark.parametrize("revision", REVISIONS[1:])
def test_a_step_down_and_up_keeps_every_row(seeded_engine: Engine, revision: str) -> None:
    """Down to just before `revision` and back to head: tables that stay keep all their rows."""
    before = row_counts(seeded_engine)
    assert all(before[name] > 0 for name in CHILD_TABLES), before
    down_revision = SCRIPT.get_revision(revision).down_revision
    assert isinstance(down_revision, str), "a merge revision: step down each parent"

    run_alembic(seeded_engine, "downgrade", down_revision)
    kept = row_counts(seeded_engine)
    assert_rows_kept(before, kept, f"downgrade to {down_revision}")
    assert_foreign_keys_on_and_consistent(seeded_engine)

    run_alembic(seeded_engine, "upgrade", "head")
    after = row_counts(seeded_engine)
    assert_rows_kept(before, {name: after[name] for name in kept}, f"upgrade from {down_revision}")
    assert_foreign_keys_on_and_consistent(seeded_engine)


# A batch migration that rebuilds every table, on top of the real history (SQLite only).

EXTRA_REVISION = '''"""An extra revision on top of the real history, written by a test."""

import sqlalchemy as sa
from alembic import op

revision = "ffffffffffff"
down_revision = "{head}"


def _change() -> None:
    {body}


def upgrade() -> None:
    _change()


def downgrade() -> None:
    _change()
'''
REBUILD_EVERY_TABLE = """for name in sa.inspect(op.get_bind()).get_table_names():
        if name != "alembic_version":
            with op.batch_alter_table(name, recreate="always"):
                pass"""
FAIL = 'raise RuntimeError("this migration fails")'
ORPHAN_INDONESIAS_ROWS = """op.execute("DELETE FROM countries WHERE iso3 = 'IDN'")"""


def config_with_extra_revision(engine: Engine, directory: Path, *body: str) -> Config:
    """The real history plus one revision doing `body`, in a copy of migrations/."""
    scripts = directory / "migrations"
    shutil.copytree(
        PROJECT_ROOT / "migrations", scripts, ignore=shutil.ignore_patterns("__pycache__")
    )
    head = SCRIPT.get_current_head()
    (scripts / "versions" / "9999_extra_revision.py").write_text(
        EXTRA_REVISION.format(head=head, body="\n    ".join(body))
    )
    url = engine.url.render_as_string(hide_password=False)
    config = cli.alembic_config(Settings(database_url=url))
    config.set_main_option("script_location", str(scripts))
    return config


def sqlite_only(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("batch rebuilds copy tables on SQLite only")


def test_a_batch_rebuild_of_every_table_keeps_every_row(
    seeded_engine: Engine, tmp_path: Path
) -> None:
    sqlite_only(seeded_engine)
    before = row_counts(seeded_engine)
    assert all(before[name] > 0 for name in CHILD_TABLES), before
    config = config_with_extra_revision(seeded_engine, tmp_path, REBUILD_EVERY_TABLE)

    run_alembic(seeded_engine, "upgrade", "ffffffffffff", config)
    assert_rows_kept(before, row_counts(seeded_engine), "a batch rebuild of every table")
    assert_foreign_keys_on_and_consistent(seeded_engine)

    run_alembic(seeded_engine, "downgrade", SCRIPT.get_current_head() or "", config)
    assert_rows_kept(before, row_counts(seeded_engine), "its downgrade")
    assert_foreign_keys_on_and_consistent(seeded_engine)


def test_foreign_keys_are_on_again_after_a_failed_migration(
    seeded_engine: Engine, tmp_path: Path
) -> None:
    sqlite_only(seeded_engine)
    config = config_with_extra_revision(seeded_engine, tmp_path, REBUILD_EVERY_TABLE, FAIL)
    with pytest.raises(RuntimeError, match="this migration fails"):
        run_alembic(seeded_engine, "upgrade", "ffffffffffff", config)
    assert_foreign_keys_on_and_consistent(seeded_engine)


def test_a_migration_that_leaves_orphans_fails_before_commit(
    seeded_engine: Engine, tmp_path: Path
) -> None:
    """Foreign keys are off while migrating, so env.py checks them after each step itself."""
    sqlite_only(seeded_engine)
    before = row_counts(seeded_engine)
    config = config_with_extra_revision(seeded_engine, tmp_path, ORPHAN_INDONESIAS_ROWS)
    with pytest.raises(RuntimeError, match="upgrade ffffffffffff broke foreign keys"):
        run_alembic(seeded_engine, "upgrade", "ffffffffffff", config)
    assert_rows_kept(before, row_counts(seeded_engine), "a failed migration")
    with seeded_engine.connect() as connection:
        version = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    assert version == SCRIPT.get_current_head()
    assert_foreign_keys_on_and_consistent(seeded_engine)


def test_without_the_pragma_a_rebuild_deletes_child_rows(seeded_engine: Engine) -> None:
    """The trap the tests above guard against is real: with foreign keys on, rebuilding a
    parent in batch mode silently deletes its children (ON DELETE CASCADE)."""
    sqlite_only(seeded_engine)
    before = row_counts(seeded_engine)
    with seeded_engine.begin() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        operations = Operations(AlembicMigrationContext.configure(connection))
        with operations.batch_alter_table("exercise_editions", recreate="always"):
            pass
    after = row_counts(seeded_engine)
    assert after["exercise_editions"] == before["exercise_editions"] > 0
    assert after["participations"] == 0 < before["participations"]
    assert after["edition_threats"] == 0 < before["edition_threats"]
