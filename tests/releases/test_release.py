"""`defcoop release` and `defcoop load-release`: a citable bundle of the whole database that
validates as a Frictionless data package and loads back into a new database with the same
answers."""

import csv
import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from frictionless import validate
from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner, Result

from app.cli import cli
from app.core.config import Settings
from app.core.db import Base, create_db_engine, session_factory
from app.main import create_app
from app.releases.bundle import write_release
from app.releases.tables import (
    DERIVED_TABLES,
    DESCRIBED_BY,
    PRIVATE_TABLES,
    UNDESCRIBED,
    public_tables,
)
from tests.conftest import client_for, make_key
from tests.databases import create_database, drop_database, migrate

pytestmark = pytest.mark.anyio
FIXTURES = Path(__file__).parent.parent / "fixtures"
# One country per channel at least: exercises (THA), arms transfers (the SIPRI sample's
# suppliers and recipients), peacekeeping contributors, ATOP and COW IGO members.
PARTNERS_OF = ["IDN", "USA", "THA", "AUS", "CHN"]
SECRET_NAME = "release-secret-keeper"


def run(url: str, *args: str) -> Result:
    return CliRunner().invoke(cli, list(args), env={"DATABASE_URL": url})


@pytest.fixture(scope="module")
def source_url(writable_url: str) -> str:
    """The seeded database with every dataset's sample imported, and an API key."""
    imports: list[tuple[str, Path, *tuple[str, ...]]] = [
        ("mme", FIXTURES / "mme_sample.csv"),
        ("dcad", FIXTURES / "dcad_sample.csv"),
        ("ipi-peacekeeping", FIXTURES / "ipi_sample"),
        ("cow-igo", FIXTURES / "cow_igo_sample.csv.gz"),
        ("atop", FIXTURES / "atop_sample"),
        ("sipri", FIXTURES / "sipri_trade_register.csv", "--skip-unresolved"),
    ]
    for dataset, path, *options in imports:
        result = run(writable_url, "import", dataset, str(path), *options)
        assert result.exit_code == 0, result.output
    make_key(writable_url, SECRET_NAME)
    return writable_url


@pytest.fixture(scope="module")
def release(source_url: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("releases")
    result = run(source_url, "release", str(out))
    assert result.exit_code == 0, result.output
    (folder,) = out.iterdir()
    return folder


@pytest.fixture(scope="module")
def reloaded_url(
    source_url: str, release: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A new database of the same backend, migrated, with the release loaded into it."""
    backend = make_url(source_url).get_backend_name()
    url = create_database(backend, tmp_path_factory.mktemp("reloaded"))
    migrate(url)
    result = run(url, "load-release", str(release))
    assert result.exit_code == 0, result.output
    yield url
    drop_database(url)


async def get_json(url: str, path: str) -> dict[str, object]:
    async with client_for(create_app(Settings(database_url=url))) as client:
        response = await client.get(path)
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


async def test_the_release_validates_as_a_frictionless_data_package(release: Path) -> None:
    report = validate(str(release / "datapackage.json"))
    assert report.valid, report.flatten(["resourceName", "rowNumber", "fieldName", "note"])[:10]
    package = json.loads((release / "datapackage.json").read_text())
    dyads = next(r for r in package["resources"] if r["name"] == "dyad_years")
    assert dyads["schema"]["primaryKey"] == ["country_a", "country_b", "year"]
    memberships = next(r for r in package["resources"] if r["name"] == "memberships")
    assert {"fields": ["country_id"], "reference": {"resource": "countries", "fields": ["id"]}} in (
        memberships["schema"]["foreignKeys"]
    )


async def test_the_release_is_named_by_data_version_and_date(
    source_url: str, release: Path
) -> None:
    meta = await get_json(source_url, "/v1/meta")
    assert re.fullmatch(rf"defcoop-v{meta['data_version']}-\d{{4}}-\d{{2}}-\d{{2}}", release.name)


async def test_a_damaged_release_is_refused_and_loads_nothing(
    release: Path, tmp_path: Path, source_url: str
) -> None:
    damaged = tmp_path / release.name
    damaged.mkdir()
    for path in release.rglob("*"):
        if path.is_file():
            target = damaged / path.relative_to(release)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
    with (damaged / "data" / "countries.csv").open("a") as countries:
        countries.write("9999,XXX,,,,Nowhere,Nowhere,,iso,,,,,\n")
    url = create_database(make_url(source_url).get_backend_name(), tmp_path)
    try:
        migrate(url)
        result = run(url, "load-release", str(damaged))
        assert result.exit_code == 1
        assert "data/countries.csv does not match its checksum" in result.stderr
        meta = await get_json(url, "/v1/meta")
        assert meta["counts"]["countries"] == 0  # type: ignore[index]
    finally:
        drop_database(url)


def test_a_release_loads_only_into_an_empty_database(release: Path, source_url: str) -> None:
    result = run(source_url, "load-release", str(release))
    assert result.exit_code == 1
    assert "not empty" in result.stderr


def test_no_private_table_or_key_is_published(release: Path) -> None:
    names = {path.stem for path in (release / "data").iterdir()}
    assert not names & PRIVATE_TABLES.keys()
    assert {"countries", "memberships", "participations", "transfers", "alliances"} <= names
    for path in release.rglob("*"):
        if path.is_file():
            assert SECRET_NAME not in path.read_text(encoding="utf-8"), path


def test_the_codebook_lists_every_column_with_its_codes(release: Path) -> None:
    codebook = (release / "codebook.md").read_text()
    for path in (release / "data").iterdir():
        with path.open(newline="") as data:
            header = next(csv.reader(data))
        section = codebook.split(f"\n## {path.stem}\n", 1)[1].split("\n## ", 1)[0]
        for column in header:
            assert f"| `{column}` |" in section, (path.stem, column)
    memberships = codebook.split("\n## memberships\n", 1)[1].split("\n## ", 1)[0]
    role = next(line for line in memberships.splitlines() if line.startswith("| `role` |"))
    assert "`member`" in role and "`observer`" in role


def test_every_published_column_has_a_meaning(release: Path) -> None:
    """A citable release says what each table and column means: in the data package and the
    codebook."""
    package = json.loads((release / "datapackage.json").read_text())
    assert not [r["name"] for r in package["resources"] if not r.get("description")]
    fields = [
        (resource["name"], field)
        for resource in package["resources"]
        for field in resource["schema"]["fields"]
    ]
    assert {name for name, _ in fields} >= {"countries", "contribution_months", "dyad_years"}
    assert not [f"{name}.{field['name']}" for name, field in fields if not field.get("description")]
    codebook = (release / "codebook.md").read_text()
    rows = [line for line in codebook.splitlines() if line.startswith("| `")]
    assert len(rows) == len(fields)
    assert not [row.split(" |", 1)[0] for row in rows if UNDESCRIBED in row]
    assert f"{len(fields)} of {len(fields)} columns have a description" in codebook


async def test_the_citation_names_defcoop_and_the_datasets_it_carries(
    source_url: str, release: Path
) -> None:
    meta = await get_json(source_url, "/v1/meta")
    citation = meta["citation"]
    assert isinstance(citation, dict)
    assert f"Data version {meta['data_version']}" in citation["defcoop"]
    carried = {d["id"]: d for d in citation["datasets"] if d["in_data"]}
    assert {"mme-v7", "atop-v5-1", "sipri-arms-transfers", "cow-states-2016"} <= carried.keys()
    mme = await get_json(source_url, "/v1/datasets/mme-v7")
    assert carried["mme-v7"]["citation"] == mme["citation"]

    cff = yaml.safe_load((release / "CITATION.cff").read_text())
    assert cff["cff-version"] == "1.2.0"
    assert cff["title"] and cff["authors"] and cff["message"]
    assert f"data version {meta['data_version']}" == cff["version"]
    assert {reference["title"] for reference in cff["references"]} == {
        dataset["name"] for dataset in carried.values()
    }
    readme = (release / "README.md").read_text()
    assert citation["defcoop"] in readme
    assert all(dataset["citation"] in readme for dataset in carried.values())


def test_the_checksums_cover_every_file(release: Path) -> None:
    listed = {line.split("  ", 1)[1] for line in (release / "SHA256SUMS").read_text().splitlines()}
    files = {p.relative_to(release).as_posix() for p in release.rglob("*") if p.is_file()}
    assert listed == files - {"SHA256SUMS"}


@pytest.mark.parametrize("code", PARTNERS_OF)
async def test_a_loaded_release_gives_the_same_partners(
    source_url: str, reloaded_url: str, code: str
) -> None:
    path = f"/v1/countries/{code}/partners?limit=500"
    original, reloaded = await get_json(source_url, path), await get_json(reloaded_url, path)
    assert original["data"], f"{code} has no partners: the comparison would prove nothing"
    assert reloaded["data"] == original["data"]
    assert reloaded["meta"] == original["meta"]


async def test_a_loaded_release_has_the_same_records_and_data_version(
    source_url: str, reloaded_url: str
) -> None:
    original, reloaded = (
        await get_json(source_url, "/v1/meta"),
        await get_json(reloaded_url, "/v1/meta"),
    )
    for key in ("data_version", "counts", "coverage", "sources"):
        assert reloaded[key] == original[key], key


async def test_a_loaded_release_gives_the_same_dyad_years(
    source_url: str, reloaded_url: str
) -> None:
    path = "/v1/dyad-years?country=THA&country=USA&within=true&year_gte=1950&year_lte=2024"
    path += "&format=csv"
    async with client_for(create_app(Settings(database_url=source_url))) as client:
        original = await client.get(path)
    async with client_for(create_app(Settings(database_url=reloaded_url))) as client:
        reloaded = await client.get(path)
    assert original.status_code == reloaded.status_code == 200
    assert len(original.text.splitlines()) > 1
    assert reloaded.text == original.text


async def test_a_loaded_release_takes_new_records(
    source_url: str, release: Path, tmp_path: Path
) -> None:
    """New rows get ids after the loaded ones (PostgreSQL's sequences follow the load)."""
    url = create_database(make_url(source_url).get_backend_name(), tmp_path)
    try:
        migrate(url)
        assert run(url, "load-release", str(release)).exit_code == 0
        key = make_key(url, "curator")
        body = {
            "slug": "test-pact",
            "name": "Test Pact",
            "kind": "alliance",
            "sources": [{"source": "article", "locator": "section 2"}],
        }
        async with client_for(create_app(Settings(database_url=url)), key=key) as client:
            created = await client.post("/v1/organizations", json=body)
        assert created.status_code == 201, created.text
    finally:
        drop_database(url)


async def test_the_readme_cites_every_dataset_as_its_record_does(source_url: str) -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    listed = readme.split("<!-- dataset citations: start -->", 1)[1].split("<!-- dataset", 1)[0]
    meta = await get_json(source_url, "/v1/meta")
    citation = meta["citation"]
    assert isinstance(citation, dict)
    for dataset in citation["datasets"]:
        assert " ".join(dataset["citation"].split()) in listed, dataset["id"]


def test_every_table_is_declared_public_private_or_derived() -> None:
    """A new table is a decision: published with the schemas that describe it, or left out
    with a reason."""
    tables = set(Base.metadata.tables)
    public = {table.name for table in public_tables()}
    assert public == DESCRIBED_BY.keys()
    assert tables == public | PRIVATE_TABLES.keys() | DERIVED_TABLES.keys()


def test_a_release_is_never_written_over(source_url: str, release: Path) -> None:
    before = (release / "SHA256SUMS").read_bytes()
    result = run(source_url, "release", str(release.parent))
    assert result.exit_code == 1
    assert "exists already" in result.stderr
    assert (release / "SHA256SUMS").read_bytes() == before
    assert [path.name for path in release.parent.iterdir()] == [release.name]


def test_a_release_reads_one_snapshot(fresh_url: str, tmp_path: Path) -> None:
    """A write committed while the release is being read is in none of it."""
    engine = create_db_engine(Settings(database_url=fresh_url))
    writer = create_db_engine(Settings(database_url=fresh_url))
    written: list[str] = []

    def write_meanwhile(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if not written and "FROM countries" in statement:
            with writer.begin() as connection:
                connection.execute(
                    text(
                        "INSERT INTO sources (id, kind, title, modified_in_version) "
                        "VALUES ('written-meanwhile', 'reference', 'Written meanwhile', 0)"
                    )
                )
            written.append(statement)

    event.listen(engine, "before_cursor_execute", write_meanwhile)
    try:
        with session_factory(engine)() as session:
            release = write_release(session, tmp_path, date.today())
    finally:
        engine.dispose()
        writer.dispose()
    assert written, "the write never happened: the test proves nothing"
    assert "written-meanwhile" not in (release.folder / "data" / "sources.csv").read_text()
