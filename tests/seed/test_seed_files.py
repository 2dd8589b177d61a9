"""A seed file that does not fit the write API's schemas is refused, naming file, entry and
field, before anything is written."""

import shutil
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import Result

from app.core.config import Settings
from app.main import create_app
from tests.databases import migrate
from tests.imported import run

pytestmark = pytest.mark.anyio

ADDITION = Path(__file__).parent.parent / "fixtures" / "seed_addition"
FORUM = """- slug: test-forum
  name: Test Forum
  kind: defense_forum
  founded: "2020"
  sources: [test-addition]
  members:
    - {country: IDN, role: member, start: "2020"}
    - {country: BTN, role: member, start: "2020"}
"""


async def _get(url: str, *paths: str) -> list[httpx.Response]:
    """GET each of `paths` from the API on the database at `url`."""
    app = create_app(Settings(database_url=url))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as api:
        responses = [await api.get(path) for path in paths]
    app.state.engine.dispose()
    return responses


async def _state(url: str) -> tuple[dict[str, Any], int]:
    """/v1/meta, and the status of the organization the seed_addition files add."""
    meta, forum = await _get(url, "/v1/meta", "/v1/organizations/test-forum")
    counted = meta.json()
    return {"version": counted["data_version"], "counts": counted["counts"]}, forum.status_code


def _seed_files(tmp_path: Path, organizations: str, **others: str) -> Path:
    """The seed_addition files with organizations.yaml (and any other) replaced."""
    folder = tmp_path / "seed"
    shutil.copytree(ADDITION, folder)
    for name, text in {"organizations": organizations, **others}.items():
        (folder / f"{name}.yaml").write_text(text, encoding="utf-8")
    return folder


def _seed(url: str, folder: Path) -> Result:
    """`defcoop seed --data-dir FOLDER` on the database at `url`."""
    return run(url, "seed", "--data-dir", str(folder))


def _unused(tmp_path: Path) -> str:
    """A database URL for a seed refused before the loader touches a database."""
    return f"sqlite:///{tmp_path / 'unused.db'}"


@pytest.mark.parametrize(
    ("organizations", "problem"),
    [
        pytest.param(
            FORUM.replace("  kind:", "  acronymn: TF\n  kind:"),
            "organizations.yaml: organization test-forum: acronymn: unknown field",
            id="unknown-field",
        ),
        pytest.param(
            FORUM.replace("  kind:", "  universal: 'yes'\n  kind:"),
            "organizations.yaml: organization test-forum: universal: "
            "Input should be a valid boolean",
            id="wrong-type",
        ),
        pytest.param(
            FORUM.replace('BTN, role: member, start: "2020"', "BTN, role: member, sources: x"),
            "organizations.yaml: organization test-forum, members[1] (BTN): sources: "
            "Input should be a valid list",
            id="wrong-type-in-a-member",
        ),
        pytest.param(
            FORUM.replace('BTN, role: member, start: "2020"', 'BTN, role: member, start: "2020-3"'),
            "organizations.yaml: organization test-forum, members[1] (BTN): start: "
            "not a date of the form YYYY, YYYY-MM or YYYY-MM-DD: '2020-3'",
            id="bad-date-precision",
        ),
        pytest.param(
            FORUM.replace('founded: "2020"', 'founded: "2020"\n  ended: "2019"'),
            "organizations.yaml: organization test-forum: "
            "ended_date (2019-01-01) must be after founded_date (2020-01-01)",
            id="api-rule",
        ),
        pytest.param(
            FORUM + FORUM.replace("Test Forum", "Copied Forum"),
            "organizations.yaml: slug test-forum is listed twice",
            id="listed-twice",
        ),
        pytest.param(
            FORUM.replace("{country: BTN", "{country: XYZ"),
            "organizations.yaml: organization test-forum, member XYZ: unknown country code 'XYZ'",
            id="unknown-country",
        ),
    ],
)
async def test_a_wrong_seed_file_is_refused_naming_file_entry_and_field(
    writable_url: str, tmp_path: Path, organizations: str, problem: str
) -> None:
    before = await _state(writable_url)

    result = _seed(writable_url, _seed_files(tmp_path, organizations))

    assert result.exit_code == 2
    assert result.stderr == f"error: {problem}\n"
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert await _state(writable_url) == before
    assert before[1] == 404  # the valid parts of the files were not written either


def test_every_problem_of_every_file_is_listed_at_once(tmp_path: Path) -> None:
    folder = _seed_files(
        tmp_path,
        FORUM.replace("defense_forum", "club"),
        sources="- {id: test-addition, kind: reference, title: T, language: english}\n",
        exercises="- slug: drill\n  name: Drill\n  sources: [test-addition]\n  editions: []\n",
    )

    # No database is needed: the files are refused before the loader touches one.
    result = _seed(_unused(tmp_path), folder)

    assert result.exit_code == 2
    first, second, third = result.stderr.splitlines()
    assert first == (
        "error: sources.yaml: source test-addition: language: "
        "String should match pattern '^[a-z]{2,3}(-[A-Za-z0-9]{2,4})?$'"
    )
    assert second.startswith(
        "organizations.yaml: organization test-forum: kind: Input should be 'alliance', "
    )
    assert third == (
        "exercises.yaml: exercise drill: editions: "
        "List should have at least 1 item after validation, not 0"
    )


def test_a_missing_or_unreadable_file_is_named(tmp_path: Path) -> None:
    folder = _seed_files(tmp_path, "- slug: [unclosed\n")
    (folder / "threats.yaml").unlink()

    result = _seed(_unused(tmp_path), folder)

    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines[0] == "error: threats.yaml: cannot be read (No such file or directory)"
    assert lines[1].startswith("organizations.yaml: not valid YAML (")


async def test_an_entry_is_stored_as_the_api_would_take_it(empty_url: str, tmp_path: Path) -> None:
    exercises = """- slug: test-drill
  name: Test Drill
  sources: [test-addition]
  editions:
    - year: 2021
      start: "2021-03"
      domains: [sea, air]
      participants:
        - {country: IDN, is_host: true}
        - {country: BTN, role: observer, sources: [{source: test-addition, locator: p. 2}]}
"""
    migrate(empty_url)
    result = _seed(empty_url, _seed_files(tmp_path, FORUM, exercises=exercises))
    assert result.exit_code == 0, result.output

    (got,) = await _get(empty_url, "/v1/exercises/test-drill/editions/test-drill-2021")
    edition = got.json()
    assert edition["name"] == "Test Drill 2021"  # the API's defaults, declared once
    assert (edition["start_date"], edition["start_precision"]) == ("2021-03-01", "month")
    assert (edition["certainty"], edition["domains"]) == ("confirmed", ["air", "sea"])
    participants = {p["country"]["iso3"]: p for p in edition["participants"]}
    assert (participants["IDN"]["role"], participants["IDN"]["is_host"]) == (
        "full_participant",
        True,
    )
    assert (participants["BTN"]["role"], participants["BTN"]["is_host"]) == ("observer", False)
    assert [s["locator"] for s in participants["BTN"]["sources"]] == ["p. 2"]
    assert [s["locator"] for s in participants["IDN"]["sources"]] == [None]  # the series'
    assert [s["source_id"] for s in edition["sources"]] == ["test-addition"]
