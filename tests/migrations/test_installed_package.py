"""`defcoop db upgrade` from an installed wheel: the migrations ship inside the package, and
the default database is made in the working directory, not beside site-packages."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from app.core.config import PROJECT_ROOT
from app.core.migrations import head_revision

pytestmark = pytest.mark.slow


def _run(*command: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [str(part) for part in command], cwd=cwd, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_db_upgrade_runs_from_an_installed_wheel(tmp_path: Path) -> None:
    wheels, site, elsewhere = tmp_path / "wheels", tmp_path / "site", tmp_path / "elsewhere"
    elsewhere.mkdir()
    pip = (sys.executable, "-m", "pip", "--disable-pip-version-check")
    # Offline: the build backend is the one the lock installed.
    _run(
        *pip, "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", wheels, PROJECT_ROOT
    )
    (wheel,) = wheels.glob("defcoop-*.whl")
    _run(*pip, "install", "--no-deps", "--no-index", "--target", site, wheel)

    env = {**os.environ, "PYTHONPATH": str(site)}
    env.pop("DATABASE_URL", None)
    cli = (
        sys.executable,
        "-c",
        "import app, sys; from app.cli import cli; print(app.__file__); cli()",
    )
    output = _run(*cli, "db", "upgrade", cwd=elsewhere, env=env)

    assert output.startswith(str(site / "app")), output  # the wheel's code, not the source tree
    database = elsewhere / "var" / "defcoop.db"
    with sqlite3.connect(database) as connection:
        (version,) = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    assert version == head_revision()
