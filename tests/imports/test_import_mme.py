"""`defcoop import mme`: through the command line and the HTTP API, on every backend.

Fixtures:
- tests/fixtures/mme_sample.csv: 21 rows copied unchanged from the bundled file (Cobra Gold
  82 and 83, two Readex rows of 1980, West and East Germany, USSR-era and later Russia,
  Czechoslovakia, Yugoslavia (2004) and Serbia (2000), the Humanitarian, Peacekeeping and
  Cyber flags, both rows of each of the shared MMEIDs mme3457 and mme3458, NATO as a
  participant, a row naming no state, and an end date before its start).
- tests/fixtures/mme_broken.csv: seven real rows, six altered on purpose: mme88 and mme3493
  name "Atlantis"; mme89 has no start date or year; mme92's dates are `-9` (its s.* columns
  are kept, its end keeps only e.year) and it names Nauru, which the alias table lacks but
  the countries' names resolve; Team Spirit 80 (mme93) has lost its MMEID; mme87 is there
  twice.
"""

import csv
import hashlib
from collections import Counter
from collections.abc import AsyncIterator
from datetime import date
from itertools import combinations
from pathlib import Path
from typing import Any, NamedTuple

import httpx
import pytest
import yaml
from typer.testing import CliRunner, Result

from app.cli import cli
from app.core.config import PROJECT_ROOT, Settings
from app.core.db import create_db_engine, session_factory
from app.core.periods import DatePrecision
from app.imports.base import file_checksum, run_import
from app.imports.mme import MmeAdapter, mme_date
from tests.imported import api_on, imported_file, outcome_counts, outcomes

pytestmark = pytest.mark.anyio

FIXTURES = Path(__file__).parents[1] / "fixtures"
SAMPLE = FIXTURES / "mme_sample.csv"
BROKEN = FIXTURES / "mme_broken.csv"
BUNDLED = PROJECT_ROOT / "seed" / "datasets" / "mme_v7.csv"
ALIASES = PROJECT_ROOT / "seed" / "data" / "country_aliases.yaml"


def import_mme(url: str, path: Path, *options: str) -> Result:
    return CliRunner().invoke(
        cli, ["import", "mme", str(path), *options], env={"DATABASE_URL": url}
    )


@pytest.fixture
async def fresh_api(fresh_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async for client in api_on(fresh_url):
        yield client


sample_import, sample_api = imported_file("mme", SAMPLE)
full_import, full_api = imported_file("mme", BUNDLED)


@pytest.fixture
def full_url(full_import: tuple[str, Result]) -> str:
    return full_import[0]


class DataState(NamedTuple):
    """What /v1/meta reports of the data: its version and the row counts."""

    version: int
    counts: dict[str, int]


async def data_state(api: httpx.AsyncClient) -> DataState:
    response = await api.get("/v1/meta")
    assert response.status_code == 200
    return DataState(response.json()["data_version"], response.json()["counts"])


async def editions_of(api: httpx.AsyncClient, series: str) -> dict[str, dict[str, Any]]:
    response = await api.get(f"/v1/exercises/{series}")
    assert response.status_code == 200, response.text
    return {edition["slug"]: edition for edition in response.json()["editions"]}


def codes(edition: dict[str, Any]) -> set[str]:
    return {p["country"]["iso3"] for p in edition["participants"]}


def locators(sources: list[dict[str, Any]], source_id: str = "mme-v7") -> set[str]:
    return {s["locator"] for s in sources if s["source_id"] == source_id}


# --- parsing the date forms (pure helper) --------------------------------------------------


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (("1/14/80", "1980", "1", "14"), (date(1980, 1, 14), DatePrecision.day)),
        (("12/31/09", "2009", "12", "31"), (date(2009, 12, 31), DatePrecision.day)),
        (("1980-01-xx", "1980", "1", "xx"), (date(1980, 1, 1), DatePrecision.month)),
        (("-9", "1980", "3", "14"), (date(1980, 3, 14), DatePrecision.day)),
        (("-9", "1980", "3", "xx"), (date(1980, 3, 1), DatePrecision.month)),
        (("-9", "1980", "-9", "-9"), (date(1980, 1, 1), DatePrecision.year)),
        (("-9", "-9", "-9", "-9"), None),
    ],
)
def test_every_date_form_parses_with_its_precision(
    cells: tuple[str, str, str, str], expected: tuple[date, DatePrecision] | None
) -> None:
    assert mme_date(*cells) == expected


# --- the sample of real rows --------------------------------------------------------------


async def test_sample_rows_are_created_merged_and_reported(
    sample_import: tuple[str, Result], sample_api: httpx.AsyncClient
) -> None:
    _, result = sample_import

    assert result.exit_code == 0, result.output
    assert "21 rows read" in result.stdout
    assert outcome_counts(result) == outcomes(created=20, merged=1)
    assert "EndDate before StartDate: end left empty (1 row: mme395)" in result.stdout
    assert "participant 'NATO' not imported" in result.stdout
    assert (
        "no country named: an edition without participants "
        "(2 rows: mme3458 (StartDate 2007-05-xx), mme3457 (StartDate 2007-05-xx))"
    ) in result.stdout
    readex = await editions_of(sample_api, "readex")
    assert set(readex) == {"readex-1980", "readex-1980-mme112"}


async def test_sample_rows_keep_dates_places_flags_and_notes(
    sample_api: httpx.AsyncClient,
) -> None:

    readex = (await editions_of(sample_api, "readex"))["readex-1980"]
    assert (readex["start_date"], readex["start_precision"]) == ("1980-01-14", "day")
    assert (readex["end_date"], readex["end_precision"]) == ("1980-01-21", "day")
    assert (readex["location"], readex["latitude"]) == ("Vieques", 18.1262854)
    assert readex["domains"] == ["amphibious", "sea"]
    assert codes(readex) == {"NLD", "GBR", "USA"}
    assert locators(readex["sources"]) == {"mme87"}
    assert all(locators(p["sources"]) == {"mme87"} for p in readex["participants"])

    skies = (await editions_of(sample_api, "saudi-arabian-skies"))["saudi-arabian-skies"]
    assert (skies["start_date"], skies["start_precision"]) == ("1980-01-01", "month")
    assert skies["description"] == "anticipation of possible joint military cooperation"

    humanitarian = await editions_of(sample_api, "mme-unnamed")
    hospital_ship = humanitarian["unnamed-exercise-mme395"]
    assert hospital_ship["end_date"] is None
    assert set(hospital_ship["activities"]) == {"humanitarian_assistance", "disaster_response"}
    assert {t["slug"] for t in hospital_ship["threats"]} == {
        "humanitarian-crises",
        "natural-disasters",
    }

    baltic_circle = (await editions_of(sample_api, "baltic-circle"))["baltic-circle"]
    assert baltic_circle["activities"] == ["peacekeeping"]
    assert locators(baltic_circle["sources"]) == {"mme3457 (StartDate 9/30/96)"}

    cyber = (await editions_of(sample_api, "cyber-storm-2010"))["cyber-storm-2010"]
    assert cyber["domains"] == ["command_post", "cyber"]
    assert "cyber_defense" in cyber["activities"]
    assert (cyber["latitude"], cyber["longitude"]) == (None, None)

    kindred = (await editions_of(sample_api, "kindred-sword"))["kindred-sword"]
    assert kindred["participants"] == []
    assert "Forces from 17 NATO nations" in kindred["note"]

    cope = (await editions_of(sample_api, "cope-thunder"))["cope-thunder-2006"]
    assert "NATO" in cope["note"]


async def test_sample_names_resolve_to_the_states_of_their_time(
    sample_api: httpx.AsyncClient,
) -> None:

    brotherhood = await editions_of(sample_api, "brotherhood-in-arms-80")
    assert codes(brotherhood["brotherhood-in-arms-80"]) == {
        "BGR", "CSK", "DDR", "HUN", "POL", "SUN",
    }  # fmt: skip
    certain_encounter = await editions_of(sample_api, "certain-encounter")
    assert codes(certain_encounter["certain-encounter"]) == {"DEU", "GBR", "USA"}
    barents = await editions_of(sample_api, "mme-unnamed")
    assert codes(barents["unnamed-exercise-mme942"]) == {"SUN", "GBR"}  # August 1991
    baltops = await editions_of(sample_api, "baltops")
    assert {"DEU", "RUS"} <= codes(baltops["baltops-1994"])
    blue_road = await editions_of(sample_api, "blue-road-2004")
    assert codes(blue_road["blue-road-2004"]) == {"ROU", "SCG"}
    bosnia = await editions_of(sample_api, "mme-unnamed")
    assert codes(bosnia["unnamed-exercise-mme1845"]) == {"BIH", "HRV", "YUG"}  # Serbia, 2000
    tradewinds = await editions_of(sample_api, "tradewinds")
    assert len(tradewinds["tradewinds-1992"]["participants"]) == 13  # st. christopher = KNA
    talisman = await editions_of(sample_api, "talisman-sabre")  # "Talisman Saber" in MME
    assert codes(talisman["talisman-sabre-2005"]) == {"AUS", "USA"}


# --- the bundled file ---------------------------------------------------------------------


def test_full_file_accounts_for_every_row(full_import: tuple[str, Result]) -> None:
    _, result = full_import

    assert result.exit_code == 0, result.output
    counts = outcome_counts(result)
    assert "3707 rows read" in result.stdout
    assert counts["created"] + counts["merged"] + counts["rejected"] == 3707
    assert "3707 of 3707 rows accounted for" in result.stdout
    assert counts == outcomes(created=3706, merged=1)


async def test_reimporting_the_full_file_changes_nothing(
    full_url: str, full_api: httpx.AsyncClient
) -> None:
    before = await data_state(full_api)

    result = import_mme(full_url, BUNDLED)

    assert result.exit_code == 0, result.output
    assert outcome_counts(result) == outcomes(already_imported=3707)
    assert "nothing changed" in result.stdout
    assert await data_state(full_api) == before


async def test_the_dataset_record_has_the_file_and_the_import_that_loaded_it(
    full_url: str, full_api: httpx.AsyncClient
) -> None:
    with BUNDLED.open(newline="", encoding="utf-8") as handle:
        rows = sum(1 for _ in csv.DictReader(handle))

    record = (await full_api.get("/v1/datasets/mme-v7")).json()

    assert record["last_import"]["file_sha256"] == hashlib.sha256(BUNDLED.read_bytes()).hexdigest()
    figures = record["last_import"]
    assert figures["rows_read"] == rows
    accounted = ("imported", "merged", "already_imported", "left_to_curators", "rejected")
    assert sum(figures[key] for key in accounted) == rows
    # Re-importing (the test above) kept the figures of the import that loaded the data.
    assert (figures["imported"], figures["merged"]) == (rows - 1, 1)
    # Every row's edition cites its row; curated editions cite MME rows of their own too.
    assert record["cited_by"]["exercise_editions"] >= rows
    # Imported, MME covers its years; before and after them only curated editions stand.
    meta = (await full_api.get("/v1/meta")).json()
    (exercise,) = [c for c in meta["coverage"] if c["channel"] == "exercise"]
    assert [(d["dataset"], d["first_year"], d["last_year"]) for d in exercise["datasets"]] == [
        ("mme-v7", 1980, 2010)
    ]
    assert "2011-" in exercise["note"] and "unknown, not zero" in exercise["note"]


async def test_cobra_gold_1982_is_one_edition_citing_curated_sources_and_mme243(
    full_api: httpx.AsyncClient,
) -> None:
    editions = await editions_of(full_api, "cobra-gold")

    of_1982 = [e for e in editions.values() if e["year"] == 1982]
    assert [e["slug"] for e in of_1982] == ["cobra-gold-1982"]
    sources = of_1982[0]["sources"]
    assert {"ap-cobra-gold", "jme-v3"} <= {s["source_id"] for s in sources}
    assert "mme243" in locators(sources)
    assert codes(of_1982[0]) == {"THA", "USA"}
    assert codes(editions["cobra-gold-2010"]) == {"IDN", "JPN", "KOR", "SGP", "THA", "USA"}
    assert len([e for e in editions.values() if 1982 <= e["year"] <= 2010]) == 28


def bundled_rows() -> list[dict[str, str]]:
    with BUNDLED.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _named(cell: str) -> bool:
    return cell.strip() not in ("", "-9")


async def test_garuda_shield_editions_are_one_series(full_api: httpx.AsyncClient) -> None:
    # Every row that says Garuda Shield, in Series_Name or (mme3241: "Garuda Shield 2009",
    # with no Series_Name) in Ex_Name alone.
    rows = [
        row["MMEID"]
        for row in bundled_rows()
        if "garuda shield" in (row["Series_Name"] + " " + row["Ex_Name"]).casefold()
    ]
    assert "mme3241" in rows

    editions = await editions_of(full_api, "garuda-shield")

    cited = {locator for e in editions.values() for locator in locators(e["sources"])}
    assert set(rows) <= cited
    assert (await full_api.get("/v1/exercises/garuda-shield-2009")).status_code == 404


async def test_unnamed_rows_are_one_series_that_says_what_it_is(
    full_api: httpx.AsyncClient,
) -> None:
    unnamed = [
        row["MMEID"]
        for row in bundled_rows()
        if not _named(row["Series_Name"]) and not _named(row["Ex_Name"])
    ]

    series = (await full_api.get("/v1/exercises/mme-unnamed")).json()
    listed = await full_api.get("/v1/exercises", params={"q": "unnamed"})

    assert series["edition_count"] == len(unnamed) == 1033
    # A shared MMEID is cited with its StartDate: "mme3460 (StartDate 7/7/05)".
    cited = [m.split()[0] for e in series["editions"] for m in locators(e["sources"])]
    assert sorted(cited) == sorted(unnamed)
    assert "neither a Series_Name nor an Ex_Name" in series["description"]
    assert "unnamed-exercise-mme395" in {e["slug"] for e in series["editions"]}
    # No series of one unnamed edition is left beside it.
    assert [s["slug"] for s in listed.json()["data"]] == ["mme-unnamed"]


async def test_pair_shows_mme243_as_evidence(full_api: httpx.AsyncClient) -> None:
    response = await full_api.get("/v1/countries/THA/partners/USA?channel=exercise")

    assert response.status_code == 200
    ties = response.json()["data"]
    cobra_gold_82 = [t for t in ties if t["initiative"]["slug"] == "cobra-gold-1982"]
    assert len(cobra_gold_82) == 1
    assert "mme243" in locators(cobra_gold_82[0]["sources"])


def _alias_resolver() -> Any:
    """The alias table read with yaml alone, as a reviewer would read it by hand."""
    table = yaml.safe_load(ALIASES.read_text(encoding="utf-8"))
    names = {name.casefold(): value for name, value in table["names"].items()}
    skipped = {name.casefold() for name in table["not_countries"]} | {
        str(marker) for marker in table["missing"]
    }

    def resolve(name: str, on: date) -> str | None:
        key = name.strip().casefold()
        if not key or key in skipped:
            return None
        value = names[key]
        if isinstance(value, str):
            return value
        code: str = next(
            p["code"] for p in value if "before" not in p or on < date.fromisoformat(p["before"])
        )
        return code

    return resolve


def expected_exercise_ties(country: str, first: int, last: int) -> Counter[str]:
    """Editions shared with each partner, counted straight from the CSV: one row, one edition."""
    resolve = _alias_resolver()
    ties: Counter[str] = Counter()
    with BUNDLED.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            year = int(row["s.year"])
            if not first <= year <= last:
                continue
            month, day = (int(v) if v.isdigit() else 1 for v in (row["s.month"], row["s.day"]))
            on = date(year, month, day)
            states = {
                code
                for column, name in row.items()
                if column.startswith("State") and (code := resolve(name, on))
            }
            for a, b in combinations(sorted(states), 2):
                if country in (a, b):
                    ties[b if a == country else a] += 1
    return ties


@pytest.mark.parametrize("country", ["USA", "IDN", "THA", "DEU", "SUN"])
async def test_partners_agree_with_a_count_straight_from_the_csv(
    full_api: httpx.AsyncClient, country: str
) -> None:
    expected = expected_exercise_ties(country, 1980, 2010)

    response = await full_api.get(
        f"/v1/countries/{country}/partners",
        params={"channel": "exercise", "year_gte": 1980, "year_lte": 2010, "limit": 500},
    )

    assert response.status_code == 200
    body = response.json()
    assert body["links"]["next"] is None
    actual = {p["partner"]["iso3"]: p["channels"]["exercise"] for p in body["data"]}
    assert actual == dict(expected)
    assert all(p["ties"] == p["channels"]["exercise"] for p in body["data"])


# --- failures -------------------------------------------------------------------------------


async def test_unresolved_names_fail_the_import_and_write_nothing(
    fresh_url: str, fresh_api: httpx.AsyncClient
) -> None:
    before = await data_state(fresh_api)

    result = import_mme(fresh_url, BROKEN)

    assert result.exit_code == 1
    assert "nothing was imported" in result.stderr
    assert "'Atlantis' (2 rows: mme88, mme3493)" in result.stderr
    assert await data_state(fresh_api) == before


async def test_skip_unresolved_imports_the_rest_and_says_what_was_skipped(
    fresh_url: str, fresh_api: httpx.AsyncClient
) -> None:
    before = await data_state(fresh_api)

    result = import_mme(fresh_url, BROKEN, "--skip-unresolved")

    assert result.exit_code == 0, result.output
    assert outcome_counts(result) == outcomes(created=4, rejected=3)
    assert "rejected (1): no MMEID (1 row: line 7)" in result.stdout
    assert "rejected (1): no start year: StartDate and s.year are unreadable (1 row: mme89)" in (
        result.stdout
    )
    assert "rejected (1): repeats the locator of an earlier row" in result.stdout
    assert "participants skipped, names not resolved" in result.stdout
    assert "'Atlantis' (2 rows: mme88, mme3493)" in result.stdout
    assert (await data_state(fresh_api)).version == before.version + 1
    skies = (await editions_of(fresh_api, "saudi-arabian-skies"))["saudi-arabian-skies"]
    assert codes(skies) == {"EGY", "USA"}
    assert "Atlantis" in skies["note"]
    anorak = (await editions_of(fresh_api, "anorak-express-80"))["anorak-express-80"]
    assert (anorak["start_date"], anorak["start_precision"]) == ("1980-03-14", "day")
    assert (anorak["end_date"], anorak["end_precision"]) == ("1980-01-01", "year")
    assert "NRU" in codes(anorak)


def test_a_file_that_is_not_mme_is_refused(empty_url: str, tmp_path: Path) -> None:
    not_mme = tmp_path / "other.csv"
    not_mme.write_text("id,name\n1,x\n", encoding="utf-8")

    result = import_mme(empty_url, not_mme)  # refused on reading, before the database

    assert result.exit_code == 1
    assert "is not MME v7" in result.stderr


def test_an_import_while_another_runs_is_refused_in_one_line(fresh_url: str) -> None:
    """An import is under way (its transaction open, rows written): a second one says so in one
    line and writes nothing, instead of failing on the first one's rows with a traceback."""
    engine = create_db_engine(Settings(database_url=fresh_url))
    running = session_factory(engine)()
    try:
        adapter = MmeAdapter()
        run_import(running, adapter, adapter.read(SAMPLE), checksum=file_checksum(SAMPLE))
        result = CliRunner().invoke(
            cli,
            ["import", "mme", str(SAMPLE)],
            env={"DATABASE_URL": fresh_url, "SQLITE_BUSY_TIMEOUT_MS": "200"},
        )
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.output
        errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
        expected = "another import is running" if "postgresql" in fresh_url else "locked"
        assert len(errors) == 1 and expected in errors[0], result.stderr
    finally:
        running.rollback()
        running.close()
        engine.dispose()
    # Once it has finished, the import runs.
    assert import_mme(fresh_url, SAMPLE).exit_code == 0
