"""Alembic environment: the same migrations on SQLite and PostgreSQL."""

from collections.abc import Collection, Mapping
from logging.config import fileConfig
from typing import Any

from alembic import context
from alembic.runtime.migration import MigrationContext, MigrationInfo
from sqlalchemy import event, text
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
    if isinstance(given, Engine):
        with given.connect() as connection:
            _migrate(connection)
        return
    engine = create_db_engine(Settings(database_url=_database_url()))
    crash_safe = engine.dialect.name == "sqlite"
    if crash_safe:
        _make_sqlite_ddl_transactional(engine)
    try:
        with engine.connect() as connection:
            _migrate(connection, foreign_keys_off_by_engine=crash_safe)
    finally:
        engine.dispose()


def _make_sqlite_ddl_transactional(engine: Engine) -> None:
    """Each revision all or nothing on SQLite, so that a migration killed half-way leaves the
    database at the last revision it completed and a rerun succeeds.

    SQLite rolls back DDL, but pysqlite opens no transaction before it (nor before a batch
    table rebuild): its DDL would commit statement by statement while `alembic_version` moves
    at the end. SQLAlchemy's pysqlite recipe: the driver stops managing transactions and every
    begin is an explicit BEGIN. Foreign keys are switched off as each connection opens (the
    pragma is ignored inside a transaction); this engine is disposed after the migration, so
    no connection goes back to the app with them off.
    """

    @event.listens_for(engine, "connect")
    def _manual_transactions(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        dbapi_connection.execute("PRAGMA foreign_keys=OFF")

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN")


def _migrate(connection: Connection, *, foreign_keys_off_by_engine: bool = False) -> None:
    is_sqlite = connection.dialect.name == "sqlite"
    # A caller's open transaction is theirs to end: never commit or roll it back here.
    ours = not connection.in_transaction()
    switch_foreign_keys = is_sqlite and not foreign_keys_off_by_engine
    if switch_foreign_keys:
        _set_sqlite_foreign_keys(connection, on=False, commit=ours)
    try:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=is_sqlite,
            compare_type=True,
            on_version_apply=_check_foreign_keys if is_sqlite else None,
            # One transaction per revision, its version stamp included (SQLite too, see above).
            transactional_ddl=True,
            transaction_per_migration=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    finally:
        # Also after a failure: a pooled connection must never go back with foreign keys off.
        if switch_foreign_keys:
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
