"""`defcoop import cow-igo`: the security IGOs of COW IGO v3, through the CLI and the HTTP API.

The bundled file is imported once per module and backend; every expected figure is computed
here straight from the gzip CSV (and the COW state list) with the csv and gzip modules.

tests/fixtures/cow_igo_sample.csv.gz: 17 rows copied unchanged from the bundled file: the
Inter-American Defense Board 2004-2010 (no data for 2006-2008), the Warsaw Pact 1989-1991
(its last year), the CIS 1991-1993 (founded at the end of 1991, with associates), the OAS
1947-1948 (before and from 1948), the UN 2000 (left out) and ACPEU 1984 (not security).
"""

import csv
import gzip
import hashlib
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from typer.testing import Result

from app.core.config import PROJECT_ROOT
from tests.imported import import_again, import_counts, imported_file, run

pytestmark = pytest.mark.anyio

BUNDLED = PROJECT_ROOT / "seed" / "datasets" / "cow-igo-3" / "igo_year_format3.csv.gz"
SAMPLE = Path(__file__).parents[1] / "fixtures" / "cow_igo_sample.csv.gz"
STATES = PROJECT_ROOT / "seed" / "datasets" / "cow-states-2016" / "states2016.csv"
MAPPING = PROJECT_ROOT / "seed" / "data" / "cow_igo_security.yaml"

# --- straight from the files -----------------------------------------------------------------


@cache
def igo_rows() -> list[dict[str, str]]:
    with gzip.open(BUNDLED, "rt", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@cache
def cow_codes() -> dict[str, int]:
    with STATES.open(encoding="utf-8", newline="") as handle:
        return {row["state"]: int(row["ccode"]) for row in csv.DictReader(handle)}


@cache
def mapping() -> dict[str, Any]:
    with MAPPING.open(encoding="utf-8") as handle:
        data: dict[str, Any] = yaml.safe_load(handle)
    return data


def year_of(row: dict[str, str]) -> int:
    return int(float(row["year"]))


def row_of(ioname: str, year: int) -> dict[str, str]:
    return next(r for r in igo_rows() if r["ioname"] == ioname and year_of(r) == year)


def codes_in(ioname: str, year: int, value: str) -> set[int]:
    """COW codes of the states whose cell in that IGO-year row is `value` ("1.0", "2.0"...)."""
    row = row_of(ioname, year)
    return {code for column, code in cow_codes().items() if row.get(column) == value}


def security_rows() -> int:
    """Rows of the listed IGOs from their `from_year` on: the rows the import takes."""
    first_year = {e["ioname"]: e.get("from_year") or 0 for e in mapping()["organizations"]}
    return sum(
        1 for r in igo_rows() if r["ioname"] in first_year and year_of(r) >= first_year[r["ioname"]]
    )


# --- the import, once per backend and session ---------------------------------------------


imported, api = imported_file("cow-igo", BUNDLED)
sample_imported, sample_api = imported_file("cow-igo", SAMPLE)


async def members(
    api: httpx.AsyncClient, slug: str, as_of: str, role: str = "member"
) -> list[dict[str, Any]]:
    response = await api.get(
        f"/v1/organizations/{slug}/members", params={"as_of": as_of, "role": role}
    )
    assert response.status_code == 200, response.text
    data: list[dict[str, Any]] = response.json()["data"]
    return data


async def member_cow_codes(api: httpx.AsyncClient, slug: str, as_of: str) -> set[int]:
    found = set()
    for member in await members(api, slug, as_of):
        country = await api.get(f"/v1/countries/{member['country']['iso3']}")
        found.add(country.json()["cow_code"])
    return found


def cow_sources(item: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for s in item["sources"] if s["source_id"] == "cow-igo-3"]


# --- every row accounted for ------------------------------------------------------------------


def test_every_row_of_the_file_is_accounted_for(imported: tuple[str, Result]) -> None:
    result = imported[1]
    assert result.exit_code == 0, result.stdout + result.stderr
    found = import_counts(result)
    assert found["read"] == found["accounted"] == len(igo_rows())
    assert found["created"] + found["merged"] == security_rows()
    assert found["rejected"] == len(igo_rows()) - security_rows()


def test_rows_of_other_igos_are_rejected_as_not_security(imported: tuple[str, Result]) -> None:
    listed = {e["ioname"] for e in mapping()["organizations"]} | set(mapping()["left_out"])
    others = sum(1 for r in igo_rows() if r["ioname"] not in listed)
    assert f"rejected ({others}): not a security IGO" in imported[1].stdout


def test_reimport_changes_nothing(imported: tuple[str, Result]) -> None:
    assert import_again(imported, "cow-igo", BUNDLED)["already_imported"] == security_rows()


# --- the sample of real rows ---------------------------------------------------------------------


def test_the_samples_rows_are_imported_or_rejected_with_their_reason(
    sample_imported: tuple[str, Result],
) -> None:
    with gzip.open(SAMPLE, "rt", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    taken = [r for r in rows if r["ioname"] in {"IADefB", "WPact", "CIS"}]
    taken += [r for r in rows if r["ioname"] == "OAS" and year_of(r) >= 1948]
    result = sample_imported[1]
    assert result.exit_code == 0, result.stdout + result.stderr
    found = import_counts(result)
    assert (found["created"], found["rejected"]) == (len(taken), len(rows) - len(taken))
    assert "rejected (1): before 1948 the COW IGO is the Pan American Union" in result.stdout
    assert "rejected (1): left out: universal body" in result.stdout
    assert "rejected (1): not a security IGO" in result.stdout


async def test_a_code_is_read_at_the_years_end_but_at_the_start_of_the_last_year(
    sample_api: httpx.AsyncClient,
) -> None:
    # 365 in the CIS's 1991 row is Russia (the USSR ended on 26 December); in the Warsaw
    # Pact's 1991 row, its last, it is the Soviet Union.
    assert "RUS" in {m["country"]["iso3"] for m in await members(sample_api, "cis", "1991-06-30")}
    pact = {m["country"]["iso3"] for m in await members(sample_api, "warsaw-pact", "1990-06-30")}
    assert "SUN" in pact
    assert "RUS" not in pact


async def test_years_without_data_continue_the_samples_membership(
    sample_api: httpx.AsyncClient,
) -> None:
    board = await members(sample_api, "inter-american-defense-board", "2007-06-30")
    usa = next(m for m in board if m["country"]["iso3"] == "USA")
    # The sample stops in 2010, before the file's last year: the spell ends after 2010.
    assert (usa["start_date"], usa["end_date"]) == ("2004-01-01", "2011-01-01")
    assert "no data (-9) for 2006-2008: read as continuing" in usa["note"]


# --- independent checks against the API ---------------------------------------------------------


async def test_warsaw_pact_members_in_1980_are_the_files(api: httpx.AsyncClient) -> None:
    expected = codes_in("WPact", 1980, "1.0")
    assert len(expected) == 7
    assert await member_cow_codes(api, "warsaw-pact", "1980-01-01") == expected


async def test_oas_members_in_2000_are_the_files(api: httpx.AsyncClient) -> None:
    expected = codes_in("OAS", 2000, "1.0")
    assert await member_cow_codes(api, "oas", "2000-06-30") == expected


async def test_cis_associates_are_the_files(api: httpx.AsyncClient) -> None:
    expected = codes_in("CIS", 2010, "2.0")
    assert expected
    found = set()
    for member in await members(api, "cis", "2010-06-30", role="associate"):
        country = await api.get(f"/v1/countries/{member['country']['iso3']}")
        found.add(country.json()["cow_code"])
    assert found == expected


async def test_nato_keeps_its_curated_dates(api: httpx.AsyncClient) -> None:
    # COW IGO lists Poland, Hungary and the Czech Republic from 1999 (year precision); the
    # curated accession day stands.
    assert len(await members(api, "nato", "1999-03-11")) == 16
    assert len(await members(api, "nato", "1999-03-12")) == 19


async def test_nato_has_no_duplicate_memberships(api: httpx.AsyncClient) -> None:
    data = await members(api, "nato", "2014-06-30")
    codes = [m["country"]["iso3"] for m in data]
    assert len(codes) == len(set(codes)) == len(codes_in("NATO", 2014, "1.0"))


async def test_a_curated_membership_cites_cow_with_locator(api: httpx.AsyncClient) -> None:
    usa = next(m for m in await members(api, "nato", "1980-01-01") if m["country"]["iso3"] == "USA")
    assert [s["locator"] for s in cow_sources(usa)] == ["NATO: usa 1949-2014"]
    assert cow_sources(usa)[0]["note"] is None  # COW agrees with the curated dates


async def test_a_disagreement_is_a_note_and_the_curated_date_stands(
    api: httpx.AsyncClient,
) -> None:
    first_year = min(
        year_of(r) for r in igo_rows() if r["ioname"] == "SEATO" and r["france"] == "1.0"
    )
    france = next(
        m for m in await members(api, "seato", "1960-01-01") if m["country"]["iso3"] == "FRA"
    )
    assert france["start_date"] == "1954-09-08"
    (cited,) = cow_sources(france)
    assert cited["locator"].startswith(f"SEATO: france {first_year}-")
    assert f"starts in {first_year}" in cited["note"]


async def test_a_membership_only_cow_lists_is_imported_and_noted(
    api: httpx.AsyncClient, imported: tuple[str, Result]
) -> None:
    years = [
        year_of(r) for r in igo_rows() if r["ioname"] == "ASEAN" and r["papuanewguinea"] == "3.0"
    ]
    observers = await members(api, "asean", f"{years[0]}-06-30", role="observer")
    png = next(m for m in observers if m["country"]["iso3"] == "PNG")
    assert png["start_date"] == f"{years[0]}-01-01"
    assert "not in the curated list" in png["note"]
    assert "ASEAN: papuanewguinea" in imported[1].stdout


async def test_missing_years_continue_a_membership(api: httpx.AsyncClient) -> None:
    missing = [year_of(r) for r in igo_rows() if r["ioname"] == "IADefB" and r["usa"] == "-9.0"]
    assert missing
    for year in (missing[0] - 1, missing[0], missing[-1] + 1):
        board = await members(api, "inter-american-defense-board", f"{year}-06-30")
        assert "USA" in {m["country"]["iso3"] for m in board}, year
    usa = next(
        m
        for m in await members(api, "inter-american-defense-board", f"{missing[0]}-06-30")
        if m["country"]["iso3"] == "USA"
    )
    assert f"no data (-9) for {missing[0]}-{missing[-1]}" in usa["note"]


async def test_a_new_organization_has_its_period_and_threat(api: httpx.AsyncClient) -> None:
    rows = [r for r in igo_rows() if r["ioname"] == "WPact"]
    detail = (await api.get("/v1/organizations/warsaw-pact")).json()
    assert detail["founded_date"] == f"{min(map(year_of, rows))}-01-01"
    assert detail["founded_precision"] == "year"
    assert detail["ended_date"] == f"{int(float(rows[0]['deaddate']))}-01-01"
    assert [t["slug"] for t in detail["threats"]] == ["armed-conflict"]
    assert [s["locator"] for s in cow_sources(detail)] == ["WPact"]


async def test_the_un_stays_without_members(api: httpx.AsyncClient) -> None:
    assert await members(api, "un", "2000-01-01", role="any") == []


# --- bad input ----------------------------------------------------------------------------------


def test_a_file_that_is_not_gzip_is_refused(imported: tuple[str, Result], tmp_path: Path) -> None:
    path = tmp_path / "igo.csv.gz"
    path.write_text("ioname,year\nNATO,1950\n")
    result = run(imported[0], "import", "cow-igo", str(path))
    assert result.exit_code == 1
    assert "cannot be read as gzip CSV" in result.stderr


def test_a_file_without_the_columns_is_refused(
    imported: tuple[str, Result], tmp_path: Path
) -> None:
    path = tmp_path / "igo.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write("ioname,year\nNATO,1950\n")
    result = run(imported[0], "import", "cow-igo", str(path))
    assert result.exit_code == 1
    assert "is not COW IGO v3" in result.stderr


async def test_the_dataset_record_has_the_files_checksum_and_counts(
    api: httpx.AsyncClient,
) -> None:
    record = (await api.get("/v1/datasets/cow-igo-3")).json()
    last = record["last_import"]
    assert last["file_sha256"] == hashlib.sha256(BUNDLED.read_bytes()).hexdigest()
    assert last["rows_read"] == len(igo_rows())
    assert last["rejected"] == len(igo_rows()) - security_rows()
    assert last["imported"] + last["merged"] + last["already_imported"] == security_rows()
    assert [c["channel"] for c in record["coverage"]] == ["organization"]
