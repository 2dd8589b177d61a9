"""Fixtures of the outside-in tests: a seeded template database per backend, and copies of it."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import BACKENDS, _create_database, _drop_database, migrate, seed
from tests.outside_in.support import copy_database, drop_database


@pytest.fixture(scope="session", params=BACKENDS)
def template_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """Migrated and seeded once per backend; never opened by an app (it is copied)."""
    url = _create_database(request.param, tmp_path_factory.mktemp("template"))
    migrate(url)
    seed(url)
    yield url
    _drop_database(url)


@pytest.fixture
def fresh_url(template_url: str, tmp_path: Path) -> Iterator[str]:
    """A fresh migrated and seeded database of its own."""
    url = copy_database(template_url, tmp_path)
    yield url
    drop_database(url)
