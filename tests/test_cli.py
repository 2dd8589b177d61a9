"""The command line: export, seed from a folder, help, exit codes."""

import csv
import io
import json
from pathlib import Path
from typing import Any

import httpx
import networkx as nx  # type: ignore[import-untyped]
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from app.cli import cli
from app.core.config import Settings
from app.main import create_app
from tests.databases import migrate, seed
from tests.imported import run

runner = CliRunner()
FIXTURES = Path(__file__).parent / "fixtures"


def test_export_a_query_as_csv_to_a_file(seeded_url: str, tmp_path: Path) -> None:
    target = tmp_path / "partners.csv"
    result = run(
        seeded_url,
        "export",
        "/v1/countries/IDN/partners",
        "-p",
        "threat=terrorism",
        "-o",
        str(target),
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(target.read_text())))
    malaysia = next(row for row in rows if row["partner.iso3"] == "MYS")
    assert "terrorism" in malaysia["threats"].split(";")


def test_export_json_walks_every_page(seeded_url: str) -> None:
    result = run(seeded_url, "export", "/v1/countries", "-p", "limit=100", "-f", "json")
    assert result.exit_code == 0, result.output
    codes = [country["iso3"] for country in json.loads(result.stdout)["data"]]
    assert len(codes) == len(set(codes)) >= 257


def test_export_errors_have_exit_codes(seeded_url: str) -> None:
    env = {"DATABASE_URL": seeded_url}
    unknown = runner.invoke(cli, ["export", "/v1/countries/QQQ"], env=env)
    assert unknown.exit_code == 1
    assert "404" in unknown.stderr
    malformed = runner.invoke(cli, ["export", "/v1/countries", "-p", "limit"], env=env)
    assert malformed.exit_code == 2
    relative = runner.invoke(cli, ["export", "v1/countries"], env=env)
    assert relative.exit_code == 2


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["db", "upgrade"],
        ["db", "downgrade"],
        ["seed"],
        ["import", "mme"],
        ["export"],
        ["serve"],
    ],
)
def test_every_command_has_help_with_an_example(command: list[str]) -> None:
    result = runner.invoke(cli, [*command, "--help"])
    assert result.exit_code == 0
    if command:
        assert "Example" in result.output


@pytest.mark.anyio
async def test_a_change_to_the_facts_reaches_ties_and_caches_at_once(empty_url: str) -> None:
    migrate(empty_url)
    seed(empty_url)
    app = create_app(Settings(database_url=empty_url))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as api:
        before = await api.get("/v1/countries/IDN/partners/BTN")
        assert before.json()["data"] == []
        version = (await api.get("/v1/meta")).json()["data_version"]

        result = run(empty_url, "seed", "--data-dir", str(FIXTURES / "seed_addition"))
        assert result.exit_code == 0, result.output

        after = await api.get(
            "/v1/countries/IDN/partners/BTN", headers={"If-None-Match": before.headers["etag"]}
        )
        assert after.status_code == 200  # not a stale 304
        assert [t["initiative"]["slug"] for t in after.json()["data"]] == ["test-forum"]
        assert (await api.get("/v1/meta")).json()["data_version"] == version + 1
    app.state.engine.dispose()


def _api_items(client: TestClient, path: str, params: dict[str, str]) -> list[dict[str, Any]]:
    """Every item of a list, walked page by page through the HTTP API."""
    items: list[dict[str, Any]] = []
    next_url: str | None = path
    query: dict[str, str] | None = params
    while next_url:
        body = client.get(next_url, params=query).json()
        items += body["data"]
        next_url, query = body["links"]["next"], None
    return items


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/v1/exercises", {"limit": "4"}),
        ("/v1/countries/IDN/partners", {"limit": "3"}),
        ("/v1/countries", {"q": "no country is called this"}),
    ],
)
def test_export_is_every_item_the_api_lists(
    seeded_url: str, tmp_path: Path, path: str, params: dict[str, str]
) -> None:
    client = TestClient(create_app(Settings(database_url=seeded_url)))
    items = _api_items(client, path, params)
    flags = [flag for name, value in params.items() for flag in ("-p", f"{name}={value}")]
    env = {"DATABASE_URL": seeded_url}

    as_json = runner.invoke(cli, ["export", path, *flags, "-f", "json"], env=env)
    assert as_json.exit_code == 0, as_json.output
    assert as_json.stdout == json.dumps({"data": items}, ensure_ascii=False, indent=2) + "\n"

    target = tmp_path / "export.csv"
    as_csv = runner.invoke(cli, ["export", path, *flags, "-o", str(target)], env=env)
    assert as_csv.exit_code == 0, as_csv.output
    text = target.read_text(encoding="utf-8")
    # The same rows and header as the API's own CSV of the whole list.
    assert text == client.get(path, params={**params, "format": "csv"}).text
    reader = csv.DictReader(io.StringIO(text))
    assert len(list(reader)) == len(items)
    if items:
        assert reader.fieldnames is not None
        scalars = {key for key, value in items[0].items() if not isinstance(value, dict)}
        assert set(reader.fieldnames) >= scalars


def test_a_failed_export_leaves_no_file(seeded_url: str, tmp_path: Path) -> None:
    target = tmp_path / "missing.csv"
    result = run(seeded_url, "export", "/v1/countries/QQQ", "-o", str(target))
    assert result.exit_code == 1
    assert list(tmp_path.iterdir()) == []


def test_repeated_parameters_keep_every_value(seeded_url: str) -> None:
    env = {"DATABASE_URL": seeded_url}
    both = runner.invoke(cli, ["export", "/v1/countries/IDN/partners", "-p", "channel=exercise",
                               "-p", "channel=agreement", "-f", "json"], env=env)  # fmt: skip
    assert both.exit_code == 0, both.output
    channels = {
        channel for partner in json.loads(both.stdout)["data"] for channel in partner["channels"]
    }
    assert {"exercise", "agreement"} <= channels


def test_a_graphml_export_is_written_as_the_api_answers_it(seeded_url: str) -> None:
    result = run(seeded_url, "export", "/v1/network", "-p", "year=2010", "-p", "format=graphml")
    assert result.exit_code == 0, result.output
    graph = nx.parse_graphml(result.stdout)
    assert graph.number_of_nodes() > 0
    assert graph.number_of_edges() > 0


@pytest.mark.parametrize(
    "command",
    [["keys", "create", "--name", "ana"], ["keys", "list"], ["seed"], ["export", "/v1/countries"]],
)
def test_a_missing_database_is_one_line_and_creates_nothing(
    command: list[str], tmp_path: Path
) -> None:
    database = tmp_path / "var" / "missing.db"
    result = runner.invoke(cli, command, env={"DATABASE_URL": f"sqlite:///{database}"})
    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.stderr.strip().count("\n") == 0
    assert "defcoop db upgrade" in result.stderr
    assert not database.exists()
    assert not database.parent.exists()


def test_an_unmigrated_database_is_refused(tmp_path: Path) -> None:
    database = tmp_path / "empty.db"
    database.touch()
    result = runner.invoke(
        cli, ["keys", "create", "--name", "ana"], env={"DATABASE_URL": f"sqlite:///{database}"}
    )
    assert result.exit_code == 2
    assert "defcoop db upgrade" in result.stderr
    assert result.stderr.strip().count("\n") == 0
