"""Alembic environment: the same migrations on SQLite and PostgreSQL."""

from collections.abc import Collection, Mapping
from logging.config import fileConfig
from typing import Any

from alembic import context
from alembic.runtime.migration import MigrationContext, MigrationInfo
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

import app.models  # noqa: F401  (registers every table on the metadata)
from app.core.config import Settings
from app.core.db import Base, create_db_engine

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata


def _database_url() -> str:
    return config.get_main_option("sqlalchemy.url") or Settings().database_url


def run_migrations_offline() -> None:
    context.configure(
        url=_database_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Migrate through the engine or connection a caller passes in, or through our own engine.

    A caller (pytest-alembic, a test) passes one as `config.attributes["connection"]`.
    """
    given = config.attributes.get("connection")
    if isinstance(given, Connection):
        _migrate(given)
        return
    engine = given if isinstance(given, Engine) else None
    own_engine = engine is None
    if engine is None:
        engine = create_db_engine(Settings(database_url=_database_url()))
    try:
        with engine.connect() as connection:
            _migrate(connection)
    finally:
        if own_engine:
            engine.dispose()


def _migrate(connection: Connection) -> None:
    is_sqlite = connection.dialect.name == "sqlite"
    # A caller's open transaction is theirs to end: never commit or roll it back here.
    ours = not connection.in_transaction()
    if is_sqlite:
        _set_sqlite_foreign_keys(connection, on=False, commit=ours)
    try:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=is_sqlite,
            compare_type=True,
            on_version_apply=_check_foreign_keys if is_sqlite else None,
        )
        with context.begin_transaction():
            context.run_migrations()
    finally:
        # Also after a failure: a pooled connection must never go back with foreign keys off.
        if is_sqlite:
            if ours and connection.in_transaction():
                connection.rollback()
            _set_sqlite_foreign_keys(connection, on=True, commit=ours)


def _check_foreign_keys(
    ctx: MigrationContext, step: MigrationInfo, heads: Collection[Any], run_args: Mapping[str, Any]
) -> None:
    """With foreign keys off, SQLite checks nothing: check after each step, before its commit,
    so that a step leaving orphans is rolled back and named."""
    connection = ctx.connection
    assert connection is not None
    violations = connection.execute(text("PRAGMA foreign_key_check")).fetchall()
    if violations:
        direction = "upgrade" if step.is_upgrade else "downgrade"
        where = f"{direction} {step.up_revision_id}"
        raise RuntimeError(f"{where} broke foreign keys (not committed): {violations[:5]}")


def _set_sqlite_foreign_keys(connection: Connection, *, on: bool, commit: bool) -> None:
    """Batch mode rebuilds tables; with foreign keys on, SQLite would cascade-delete every child
    row of a rebuilt parent (or refuse under RESTRICT). The pragma is ignored inside a
    transaction, so it is read back to be sure it took.
    """
    connection.exec_driver_sql(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")
    state = bool(connection.exec_driver_sql("PRAGMA foreign_keys").scalar())
    if commit:
        connection.commit()
    if state != on:
        raise RuntimeError("could not switch SQLite foreign keys: a transaction is open")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
