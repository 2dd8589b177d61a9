"""`defcoop import ipi-peacekeeping`: through the command line and the HTTP API, on every
backend. Expected figures are computed here from the files with the csv and json modules.

Fixture tests/fixtures/ipi_sample/: rows copied unchanged from the bundled files. Missions
UNIFIL, UNISFA, UNMISS, MONUC, MONUSCO, UNOCI, ONUCI, UNTSO and UNMC (0, 0 coordinates) with
all their mission months (UNMISS's include the `South Sudan'` rows); contributions: every
Indonesian row in UNIFIL, UNISFA (a gap: 2012-05..2013-07, then 2014-01..2014-02), MONUC,
MONUSCO and UNMISS, every UNIFIL row of 2012-07, Belarus in UNMISS in 2014-01 (every figure 0)
and MKD's row named `The former Yugoslav Republic o`.
"""

import csv
import itertools
import json
import re
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from sqlalchemy import text
from typer.testing import Result

from app.core.config import PROJECT_ROOT, Settings
from app.core.db import create_db_engine
from tests.imported import api_on, import_again, imported_file, outcome_counts, run

pytestmark = pytest.mark.anyio

SAMPLE = Path(__file__).parents[1] / "fixtures" / "ipi_sample"
BUNDLED = PROJECT_ROOT / "seed" / "datasets" / "ipi-peacekeeping"
CONTRIBUTIONS = "contributions_2009_2014.csv"
MISSION_MONTHS = "mission_months_1990_2017.csv"
MISSIONS = "missions.json"
MONTH = "2012-07"  # the month of the independent check


def read_rows(folder: Path, name: str) -> list[dict[str, str]]:
    with (folder / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def missions(folder: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((folder / MISSIONS).read_text(encoding="utf-8"))
    return data


sample_import, sample_api = imported_file("ipi-peacekeeping", SAMPLE)
full_import, full_api = imported_file("ipi-peacekeeping", BUNDLED)


async def every_item(
    api: httpx.AsyncClient, path: str, limit: int = 500, **params: Any
) -> list[dict[str, Any]]:
    """Every item of a list, page by page through `links.next`."""
    response = await api.get(path, params={**params, "limit": limit})
    items: list[dict[str, Any]] = []
    while True:
        assert response.status_code == 200, response.text
        body = response.json()
        items.extend(body["data"])
        if body["links"]["next"] is None:
            return items
        response = await api.get(body["links"]["next"])


def zero_rows(folder: Path) -> list[dict[str, str]]:
    return [row for row in read_rows(folder, CONTRIBUTIONS) if row["Total Total"] == "0"]


# --- every row accounted for ---------------------------------------------------------------


def test_every_row_of_the_three_files_is_accounted_for(
    full_import: tuple[str, Result],
) -> None:
    _, result = full_import
    assert result.exit_code == 0, result.output
    rows = (
        len(missions(BUNDLED))
        + len(read_rows(BUNDLED, MISSION_MONTHS))
        + len(read_rows(BUNDLED, CONTRIBUTIONS))
    )
    assert f"{rows} rows read" in result.stdout
    assert f"{rows} of {rows} rows accounted for" in result.stdout
    assert outcome_counts(result)["rejected"] == len(zero_rows(BUNDLED))


async def test_every_contribution_row_with_personnel_is_a_month_in_the_api(
    full_import: tuple[str, Result], full_api: httpx.AsyncClient
) -> None:
    expected: defaultdict[str, int] = defaultdict(int)
    for row in read_rows(BUNDLED, CONTRIBUTIONS):
        if row["Total Total"] != "0":
            expected[row["Contributor ISO-3"]] += 1
    for iso3 in ("IDN", "BGD", "FJI"):
        response = await full_api.get(f"/v1/countries/{iso3}/peacekeeping", params={"limit": 1})
        assert response.json()["meta"]["total"] == expected[iso3]


async def test_every_mission_is_an_operation_with_its_host_and_headquarters(
    full_import: tuple[str, Result], full_api: httpx.AsyncClient
) -> None:
    slugs = {"MONUC": "monusco", "ONUCI": "unoci"}  # seed/data/ipi_mapping.yaml
    for acronym, entry in missions(BUNDLED).items():
        slug = slugs.get(acronym, acronym.lower().replace(" ", "-"))
        response = await full_api.get(f"/v1/operations/{slug}")
        assert response.status_code == 200, acronym
        body = response.json()
        assert any(
            (s["locator"] or "").startswith(f"missions.json {acronym};") for s in body["sources"]
        )
        if slug != "unisfa":  # curated without a host (Abyei is disputed): kept
            assert body["host_country"]["iso3"] == entry["country_id"]
        assert body["headquarters"] == (entry["hq"] or None)


async def test_an_operation_is_named_by_the_mapping_or_says_its_acronym_is_a_label(
    full_api: httpx.AsyncClient,
) -> None:
    names = yaml.safe_load((PROJECT_ROOT / "seed/data/ipi_mapping.yaml").read_text())["names"]
    curated = {
        entry["slug"]: entry["name"]
        for entry in yaml.safe_load((PROJECT_ROOT / "seed/data/operations.yaml").read_text())
    }
    listed = {o["slug"]: o for o in await every_item(full_api, "/v1/operations")}
    labels = 0
    for acronym in missions(BUNDLED):
        slug = acronym.lower().replace(" ", "-")
        if slug not in listed:  # a mission the mapping merges into another slug
            continue
        operation = listed[slug]
        expected = curated.get(slug) or names.get(acronym, acronym)
        assert operation["name"] == expected, acronym
        assert operation["name_is_label"] is (expected == acronym), acronym
        labels += expected == acronym
    assert 0 < labels < len(names)


async def test_a_re_import_names_an_operation_an_earlier_one_named_by_its_acronym(
    fresh_url: str,
) -> None:
    assert run(fresh_url, "import", "ipi-peacekeeping", str(SAMPLE)).exit_code == 0
    engine = create_db_engine(Settings(database_url=fresh_url))
    with engine.begin() as connection:  # as an import before the mapping had the name
        connection.execute(text("UPDATE operations SET name = 'UNTSO' WHERE slug = 'untso'"))
    engine.dispose()
    again = run(fresh_url, "import", "ipi-peacekeeping", str(SAMPLE))
    assert again.exit_code == 0, again.output
    async for api in api_on(fresh_url):
        body = (await api.get("/v1/operations/untso")).json()
        assert (body["name"], body["name_is_label"]) == (
            "United Nations Truce Supervision Organization",
            False,
        )
        unmc = (await api.get("/v1/operations/unmc")).json()
        assert (unmc["name"], unmc["name_is_label"]) == ("UNMC", True)


async def test_the_dataset_record_gives_the_import_counts_and_coverage(
    full_import: tuple[str, Result], full_api: httpx.AsyncClient
) -> None:
    record = (await full_api.get("/v1/datasets/ipi-peacekeeping")).json()
    contributions = read_rows(BUNDLED, CONTRIBUTIONS)
    rows = len(missions(BUNDLED)) + len(read_rows(BUNDLED, MISSION_MONTHS)) + len(contributions)
    last = record["last_import"]
    assert last["rows_read"] == rows
    assert last["rejected"] == len(zero_rows(BUNDLED))
    months = sorted(row["Date"] for row in contributions)
    assert [(c["channel"], c["starts"][:7], c["ends"][:7]) for c in record["coverage"]] == [
        ("operation", months[0][:7], months[-1][:7])
    ]


# --- the independent check: who serves beside Indonesia in UNIFIL ---------------------------


async def test_contributors_beside_indonesia_in_unifil_match_the_file(
    full_import: tuple[str, Result], full_api: httpx.AsyncClient
) -> None:
    expected = {
        row["Contributor ISO-3"]: (int(row["Troops Total"]), int(row["Total Total"]))
        for row in read_rows(BUNDLED, CONTRIBUTIONS)
        if row["Mission"] == "UNIFIL" and row["Date"].startswith(MONTH)
    }
    assert "IDN" in expected
    items = await every_item(
        full_api, "/v1/operations/unifil/months", month_gte=MONTH, month_lte=MONTH
    )
    served = {i["country"]["iso3"]: (i["troops"]["total"], i["total"]["total"]) for i in items}
    assert served == expected


async def test_indonesia_is_tied_in_that_year_to_every_unifil_contributor_of_that_month(
    full_import: tuple[str, Result], full_api: httpx.AsyncClient
) -> None:
    beside = {
        row["Contributor ISO-3"]
        for row in read_rows(BUNDLED, CONTRIBUTIONS)
        if row["Mission"] == "UNIFIL" and row["Date"].startswith(MONTH)
    } - {"IDN"}
    # Not the curated contributors: their ties to Indonesia come from the curated facts.
    curated = yaml.safe_load((PROJECT_ROOT / "seed" / "data" / "operations.yaml").read_text())
    (unifil,) = [entry for entry in curated if entry["slug"] == "unifil"]
    beside -= {contributor["country"] for contributor in unifil["contributors"]}
    for iso3 in sorted(beside)[:5]:
        response = await full_api.get(
            f"/v1/countries/IDN/partners/{iso3}", params={"channel": "operation", "year": 2012}
        )
        assert response.status_code == 200
        assert any(tie["initiative"]["slug"] == "unifil" for tie in response.json()["data"])


# --- spells ----------------------------------------------------------------------------------


def _months(rows: list[dict[str, str]]) -> list[date]:
    return sorted(date.fromisoformat(row["Date"]).replace(day=1) for row in rows)


async def test_a_gap_in_the_months_starts_a_new_spell(sample_api: httpx.AsyncClient) -> None:
    rows = [
        row
        for row in read_rows(SAMPLE, CONTRIBUTIONS)
        if row["Contributor ISO-3"] == "IDN" and row["Mission"] == "UNISFA"
    ]
    months = _months(rows)
    # Where the month after one row is not the next row's month, a spell ends.
    breaks = [
        later
        for earlier, later in itertools.pairwise(months)
        if (later.year * 12 + later.month) - (earlier.year * 12 + earlier.month) != 1
    ]
    assert breaks, "the fixture has a gap"
    response = await sample_api.get("/v1/operations/unisfa")
    spells = [
        c
        for c in response.json()["contributors"]
        if c["country"]["iso3"] == "IDN" and c["monthly"] is not None
    ]
    starts = [months[0], *breaks]
    assert [s["start_date"] for s in spells] == [d.isoformat() for d in starts]
    assert sum(s["monthly"]["months"] for s in spells) == len(rows)


async def test_a_spell_is_summarized_from_its_months(sample_api: httpx.AsyncClient) -> None:
    totals = [
        int(row["Total Total"])
        for row in sorted(read_rows(SAMPLE, CONTRIBUTIONS), key=lambda r: r["Date"])
        if row["Contributor ISO-3"] == "IDN" and row["Mission"] == "UNIFIL"
    ]
    response = await sample_api.get("/v1/operations/unifil")
    (spell,) = [
        c for c in response.json()["contributors"] if c["country"]["iso3"] == "IDN" and c["monthly"]
    ]
    assert spell["monthly"]["months"] == len(totals)
    assert spell["monthly"]["peak_total"] == max(totals)
    assert spell["monthly"]["mean_total"] == round(sum(totals) / len(totals), 1)
    assert spell["personnel"] == totals[-1]


async def test_months_across_the_monuc_rename_are_one_spell(sample_api: httpx.AsyncClient) -> None:
    rows = [
        row
        for row in read_rows(SAMPLE, CONTRIBUTIONS)
        if row["Contributor ISO-3"] == "IDN" and row["Mission"] in ("MONUC", "MONUSCO")
    ]
    response = await sample_api.get("/v1/operations/monusco")
    spells = [
        c
        for c in response.json()["contributors"]
        if c["country"]["iso3"] == "IDN" and c["monthly"] is not None
    ]
    assert [s["monthly"]["months"] for s in spells] == [len(rows)]


# --- coverage: unknown, not zero -------------------------------------------------------------


async def test_months_outside_the_contributor_data_are_unknown_not_zero(
    sample_api: httpx.AsyncClient,
) -> None:
    response = await sample_api.get(
        "/v1/countries/IDN/peacekeeping", params={"month_gte": "2015-01", "month_lte": "2015-12"}
    )
    body = response.json()
    assert body["data"] == []
    assert body["meta"]["unknown"] == [{"from_month": "2015-01", "until_month": "2015-12"}]
    months = _months(read_rows(SAMPLE, CONTRIBUTIONS))
    (coverage,) = body["meta"]["coverage"]
    assert (coverage["first_month"], coverage["last_month"]) == (
        f"{months[0]:%Y-%m}",
        f"{months[-1]:%Y-%m}",
    )


async def test_a_month_inside_the_coverage_without_a_row_is_known_and_not_unknown(
    sample_api: httpx.AsyncClient,
) -> None:
    response = await sample_api.get(
        "/v1/operations/unisfa/months",
        params={"country": "IDN", "month_gte": "2013-09", "month_lte": "2013-09"},
    )
    body = response.json()
    assert (body["data"], body["meta"]["unknown"]) == ([], [])


async def test_curated_operation_keeps_its_dates_and_cites_both(
    sample_api: httpx.AsyncClient,
) -> None:
    body = (await sample_api.get("/v1/operations/unifil")).json()
    assert body["start_date"] == "1978-03-19"
    sources = {s["source_id"] for s in body["sources"]}
    assert "ipi-peacekeeping" in sources and len(sources) > 1
    curated = [
        c for c in body["contributors"] if c["country"]["iso3"] == "IDN" and not c["monthly"]
    ]
    assert [c["personnel"] for c in curated] == [1230]


async def test_new_operations_address_the_mapped_threats(sample_api: httpx.AsyncClient) -> None:
    body = (await sample_api.get("/v1/operations/untso")).json()
    assert [t["slug"] for t in body["threats"]] == ["armed-conflict", "humanitarian-crises"]
    assert body["start_date"] is None  # already there in the file's first month


async def test_months_as_csv_are_the_json_items(sample_api: httpx.AsyncClient) -> None:
    params = {"month_gte": MONTH, "month_lte": MONTH}
    items = await every_item(
        sample_api, "/v1/operations/unifil/months", month_gte=MONTH, month_lte=MONTH
    )
    response = await sample_api.get(
        "/v1/operations/unifil/months", params={**params, "format": "csv"}
    )
    rows = list(csv.DictReader(response.text.splitlines()))
    assert [(r["country.iso3"], int(r["total.total"])) for r in rows] == [
        (i["country"]["iso3"], i["total"]["total"]) for i in items
    ]


@pytest.mark.parametrize("path", ["/v1/operations/unifil/months", "/v1/countries/IDN/peacekeeping"])
async def test_months_as_csv_link_to_the_coverage_of_their_years(
    sample_api: httpx.AsyncClient, path: str
) -> None:
    """The CSV has no `meta`: it points to the operation channel's notes for its years, which
    say the years outside the contributor data are unknown, as the JSON's `unknown` does."""
    window = {"month_gte": "2007-06", "month_lte": "2016-03"}
    csv_answer = await sample_api.get(path, params={**window, "format": "csv"})
    assert csv_answer.status_code == 200
    links = re.findall(r'<([^>]+)>; rel="describedby"', csv_answer.headers.get("link", ""))
    assert len(links) == 1
    url = httpx.URL(links[0])
    assert url.path == "/v1/coverage"
    assert dict(url.params) == {"channel": "operation", "year_gte": "2007", "year_lte": "2016"}
    followed = await sample_api.get(f"{url.path}?{url.query.decode()}")
    assert followed.status_code == 200
    notes = followed.json()["coverage"]
    assert [n["channel"] for n in notes] == ["operation"]
    flagged = {
        year
        for span in notes[0]["partial_years"] + notes[0]["years_without_data"]
        for year in range(span["first_year"], span["last_year"] + 1)
    }
    months = _months(read_rows(SAMPLE, CONTRIBUTIONS))
    assert {2007, 2016} <= flagged
    assert not flagged & set(range(months[0].year, months[-1].year + 1))
    json_answer = await sample_api.get(path, params=window)
    assert 'rel="describedby"' not in json_answer.headers.get("link", "")
    assert json_answer.json()["meta"]["unknown"]


async def test_a_countrys_months_page_by_page_are_its_rows_by_month(
    sample_api: httpx.AsyncClient,
) -> None:
    expected = sorted(
        (row["Date"][:7], row["Mission"], int(row["Total Total"]))
        for row in read_rows(SAMPLE, CONTRIBUTIONS)
        if row["Contributor ISO-3"] == "IDN"
    )
    items = await every_item(sample_api, "/v1/countries/IDN/peacekeeping", limit=7)
    slugs = {"unifil": "UNIFIL", "unisfa": "UNISFA", "unmiss": "UNMISS"}
    months = [i["month"] for i in items]
    assert months == sorted(months)
    # MONUC's and MONUSCO's rows are all monusco's: compare them by month and total.
    assert sorted(
        (i["month"], slugs.get(i["operation"]["slug"], "MONUC/MONUSCO"), i["total"]["total"])
        for i in items
    ) == sorted(
        (month, mission if mission in slugs.values() else "MONUC/MONUSCO", total)
        for month, mission, total in expected
    )


# --- the rows the import reads otherwise --------------------------------------------------


def test_rows_without_personnel_are_rejected_with_their_reason(
    sample_import: tuple[str, Result],
) -> None:
    _, result = sample_import
    locators = [f"contributions_2009_2014.csv row {row['']}" for row in zero_rows(SAMPLE)]
    assert locators
    line = next(line for line in result.stdout.splitlines() if "every figure is 0" in line)
    assert all(locator in line for locator in locators)


def test_the_stray_quote_in_a_host_name_is_reported(sample_import: tuple[str, Result]) -> None:
    _, result = sample_import
    quoted = [
        row for row in read_rows(SAMPLE, MISSION_MONTHS) if row["Country of Mission"].endswith("'")
    ]
    assert quoted
    assert f"stray quote): read by its ISO3 SSD ({len(quoted)} rows" in result.stdout


def test_a_second_import_changes_nothing(sample_import: tuple[str, Result]) -> None:
    import_again(sample_import, "ipi-peacekeeping", SAMPLE)


def test_a_folder_without_the_files_is_refused(
    sample_import: tuple[str, Result], tmp_path: Path
) -> None:
    url, _ = sample_import
    (tmp_path / MISSIONS).write_text("{}", encoding="utf-8")
    result = run(url, "import", "ipi-peacekeeping", str(tmp_path))
    assert result.exit_code == 1
    assert "lacks mission_months_1990_2017.csv, contributions_2009_2014.csv" in result.output


async def test_bad_month_and_unknown_operation_are_client_errors(
    sample_api: httpx.AsyncClient,
) -> None:
    bad = await sample_api.get("/v1/operations/unifil/months", params={"month_gte": "2012-13"})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["pointer"] == "/query/month_gte"
    unknown = await sample_api.get("/v1/countries/IDN/peacekeeping", params={"operation": "nope"})
    assert unknown.status_code == 422
    missing = await sample_api.get("/v1/operations/nope/months")
    assert missing.status_code == 404
