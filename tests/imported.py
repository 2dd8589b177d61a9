"""What the dataset-import tests share: running `defcoop import`, reading its counts, and the
databases with a file imported.

A full dataset file takes seconds to import on SQLite and longer on PostgreSQL, so each file is
imported once per backend and test session (the `imports` fixture, a plugin of tests/conftest.py)
into a copy of the seeded template, and the tests that only read it share that database, in
tests/imports/ and elsewhere: a module declares its fixtures with `imported_file`.
"""

import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner, Result

from app.cli import cli
from app.core.config import Settings
from app.main import create_app
from tests.conftest import client_for
from tests.databases import copy_database, drop_database

_COUNTS = re.compile(
    r"(\d+) rows read in .*\n  created (\d+), merged into curated records (\d+), "
    r"already imported (\d+), left as curators made them (\d+), rejected (\d+): "
    r"(\d+) of \d+ rows accounted for"
)
_OUTCOMES = ("created", "merged", "already_imported", "left_to_curators", "rejected")


def run(url: str, *args: str) -> Result:
    """`defcoop ARGS` on the database at `url`."""
    return CliRunner().invoke(cli, list(args), env={"DATABASE_URL": url})


def import_counts(result: Result) -> dict[str, int]:
    """The rows an import read, what became of them, and how many it accounted for."""
    match = _COUNTS.search(result.stdout)
    assert match, result.output
    keys = ("read", *_OUTCOMES, "accounted")
    return dict(zip(keys, map(int, match.groups()), strict=True))


def outcome_counts(result: Result) -> dict[str, int]:
    """What became of the rows an import read: created, merged, ..., rejected."""
    counts = import_counts(result)
    return {outcome: counts[outcome] for outcome in _OUTCOMES}


def outcomes(**counts: int) -> dict[str, int]:
    """What `outcome_counts` reads when the outcomes named have these counts and the others
    none: `outcomes(created=20, merged=1)`."""
    assert set(counts) <= set(_OUTCOMES), counts
    return {outcome: counts.get(outcome, 0) for outcome in _OUTCOMES}


def import_again(imported: tuple[str, Result], *command: str | Path) -> dict[str, int]:
    """`defcoop import COMMAND` once more on an imported database: it must create and merge
    nothing and say so; the counts of its outcomes."""
    again = run(imported[0], "import", *map(str, command))
    assert again.exit_code == 0, again.output
    counts = import_counts(again)
    assert counts["created"] == counts["merged"] == 0
    assert "nothing changed" in again.stdout
    return counts


async def api_on(url: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client of a new app on the database at `url` (iterate it once). The app's lifespan
    runs, so that its connections are closed after: the database stays for the session."""
    app = create_app(Settings(database_url=url))
    async with app.router.lifespan_context(app), client_for(app) as client:
        yield client


async def get(api: httpx.AsyncClient, path: str, **params: Any) -> Any:
    """The JSON body of a GET that must succeed."""
    response = await api.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


class Imports:
    """Seeded databases with a dataset imported, each made at its first use and kept for the
    session: `imports("mme", path)` is a database where `defcoop import mme path` ran once."""

    def __init__(self, template_url: str, tmp_path_factory: pytest.TempPathFactory) -> None:
        self._template = template_url
        self._directories = tmp_path_factory
        self._made: dict[tuple[str, ...], tuple[str, Result]] = {}

    def __call__(self, *command: str | Path) -> tuple[str, Result]:
        """The database's URL and the output of the import that made it."""
        key = tuple(map(str, command))
        if key not in self._made:
            url = copy_database(self._template, self._directories.mktemp("imported"))
            self._made[key] = (url, run(url, "import", *key))
        return self._made[key]

    def drop(self) -> None:
        for url, _ in self._made.values():
            drop_database(url)


def imported_file(*command: str | Path) -> tuple[Any, Any]:
    """Two fixtures for a module: the shared database where `defcoop import COMMAND` ran (its URL
    and the import's output), and a client of an app on it."""

    @pytest.fixture
    def imported(imports: Imports) -> tuple[str, Result]:
        return imports(*command)

    @pytest.fixture
    async def api(imports: Imports) -> AsyncIterator[httpx.AsyncClient]:
        async for client in api_on(imports(*command)[0]):
            yield client

    return imported, api


@pytest.fixture(scope="session")
def imports(template_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Imports]:
    """The session's imported databases of a backend, dropped at its end."""
    made = Imports(template_url, tmp_path_factory)
    yield made
    made.drop()
