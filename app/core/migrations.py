"""The Alembic configuration, found in the installed package as well as in a source tree.

The migrations ship inside the package as `app/migrations` (in the repository a link to the
top-level `migrations/` folder), so `defcoop db upgrade` works from a wheel, in any directory.
"""

from importlib.resources import files

from alembic.config import Config
from alembic.script import ScriptDirectory

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
