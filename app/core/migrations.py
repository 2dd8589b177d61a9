"""The Alembic configuration, found in the installed package as well as in a source tree.

The migrations ship inside the package as `app/migrations` (in the repository a link to the
top-level `migrations/` folder), so `defcoop db upgrade` works from a wheel, in any directory.
"""

from importlib.resources import files
from pathlib import Path

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from app.core.config import Settings
from app.core.db import create_db_engine

SCRIPT_LOCATION = files("app") / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(SCRIPT_LOCATION))
    config.set_main_option("path_separator", "os")
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def head_revision() -> str | None:
    """The newest revision the code knows: a database at it is fully migrated."""
    return ScriptDirectory.from_config(alembic_config("")).get_current_head()


# The revision that adds the API keys, the audit trail and curators' versions: undoing it drops
# them (and leaves a marker the seed respects), so `defcoop db downgrade` asks for --force.
CURATION_REVISION = "20906f8a79a1"


def revisions_undone(database_url: str, current: tuple[str, ...], target: str) -> list[str]:
    """The revisions a downgrade from `current` to `target` (`-1`, `base`, an id) reverts."""
    script = ScriptDirectory.from_config(alembic_config(database_url))
    undone = script.iterate_revisions(current, target, select_for_downgrade=True)
    return [revision.revision for revision in undone if revision is not None]


class DatabaseNotReady(Exception):
    """The database a command was pointed at is missing or not at the code's revision."""


def check_database(settings: Settings, migrated: bool = True) -> None:
    """Refuse, in one sentence that says what to run, a database that does not exist (without
    creating an empty SQLite file) or, when `migrated`, one not at the latest revision."""
    url = make_url(settings.database_url)
    upgrade = "run `defcoop db upgrade` (then `defcoop seed`)"
    on_disk = url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:")
    if on_disk and not Path(str(url.database)).is_file():
        raise DatabaseNotReady(f"no database at {url.database}: {upgrade}")
    engine = create_db_engine(settings)
    try:
        with engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_heads()
    except OperationalError as error:
        reason = str(error.orig).strip().splitlines()[0]
        raise DatabaseNotReady(f"cannot open the database: {reason}") from None
    finally:
        engine.dispose()
    head = head_revision()
    if migrated and current != (head,):
        at = ", ".join(current) or "no revision (an empty database)"
        raise DatabaseNotReady(f"the database is at {at}, not {head}: {upgrade}")
