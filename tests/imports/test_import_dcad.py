"""`defcoop import dcad`: through the command line and the HTTP API, on every backend.

Fixture tests/fixtures/dcad_sample.csv: 31 rows copied unchanged from the bundled file, with
every special code of `span`, `renewType`, `renewYears` and `terminated`; two terminated rows
(one ending after 2010); entry into force known, unknown, before signature (DCADv1.0-0110)
and after 2010; signatures known to the day, the month and the year; the Soviet Union
(365 in 1984) and Russia (365 in 1997); 345 as Serbia and Montenegro (2005, 2006) and Serbia
(2010); West Germany (260, read as DEU); the Czech Republic's 316 on a Czechoslovak
agreement of 1991 (0803); Brunei's 835 in 1981, before COW lists it (1887); `KOR` and `ROK`
for 732; a row naming Bolivia twice (0297); the
Lombok Treaty (1906, curated) and the 1995 Agreement on Maintaining Security (1905).
"""

import csv
import shutil
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from typer.testing import CliRunner, Result

from app.agreements.models import TECHNOLOGY_TRANSFER_CATEGORIES, AgreementCategory
from app.cli import cli
from app.core.config import PROJECT_ROOT, Settings
from app.main import create_app
from tests.conftest import client_for, make_key
from tests.imported import api_on, get, import_again, imported_file, outcome_counts, run

pytestmark = pytest.mark.anyio

SAMPLE = Path(__file__).parents[1] / "fixtures" / "dcad_sample.csv"
BUNDLED = PROJECT_ROOT / "seed" / "datasets" / "dcad-1.0" / "DCAD-v1.0-main.csv"
CURATED = PROJECT_ROOT / "seed" / "data" / "agreements.yaml"
SOURCE = "dcad-v1"
INDONESIA = 850


def rows_of(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


sample_import, sample_api = imported_file("dcad", SAMPLE)
full_import, full_api = imported_file("dcad", BUNDLED)


async def total(api: httpx.AsyncClient, **params: Any) -> int:
    body = await get(api, "/v1/agreements", limit=1, **params)
    count: int = body["meta"]["total"]
    return count


async def agreement_citing(api: httpx.AsyncClient, dcaid: str) -> dict[str, Any]:
    """The agreement whose sources cite the row (found through the list, then its detail)."""
    number = dcaid.rsplit("-", 1)[-1]
    listed = await get(api, "/v1/agreements", q=f"dcad{number}", limit=5)
    slugs = [item["slug"] for item in listed["data"]]
    if not slugs:  # a merged row keeps the curated agreement's slug
        listed = await get(api, "/v1/agreements", limit=500)
        slugs = [item["slug"] for item in listed["data"]]
    for slug in slugs:
        detail: dict[str, Any] = await get(api, f"/v1/agreements/{slug}")
        if any(s["source_id"] == SOURCE and s["locator"] == dcaid for s in detail["sources"]):
            return detail
    raise AssertionError(f"no agreement cites {dcaid}")


def _category_set(row: dict[str, str]) -> set[str]:
    return {row[c].strip().lower() for c in ("category1", "category2", "category3") if row[c]}


def _is_pair(row: dict[str, str]) -> bool:
    return row["ccode1"] != row["ccode2"]


# --- every row accounted for -------------------------------------------------------------


def test_every_row_of_the_bundled_file_is_accounted_for(
    full_import: tuple[str, Result],
) -> None:
    _, result = full_import
    assert result.exit_code == 0, result.stdout + result.stderr
    counts = outcome_counts(result)
    assert sum(counts.values()) == len(rows_of(BUNDLED))
    assert f"{len(rows_of(BUNDLED))} of {len(rows_of(BUNDLED))} rows accounted for" in (
        result.stdout
    )


def test_rows_naming_one_state_twice_are_rejected_with_a_reason(
    full_import: tuple[str, Result],
) -> None:
    same = [row["DCAid"] for row in rows_of(BUNDLED) if not _is_pair(row)]
    assert same
    line = next(line for line in full_import[1].stdout.splitlines() if "same state" in line)
    assert f"rejected ({len(same)})" in line
    assert all(dcaid in line for dcaid in same)


async def test_the_api_lists_each_imported_row_once_beside_the_curated_agreements(
    full_import: tuple[str, Result], full_api: httpx.AsyncClient
) -> None:
    counts = outcome_counts(full_import[1])
    curated = yaml.safe_load(CURATED.read_text(encoding="utf-8"))
    assert await total(full_api) == len(curated) + counts["created"]
    # Every agreement that came from a row has its categories: the curated ones have none
    # unless a row was merged into them.
    with_category = sum([await total(full_api, category=c.value) for c in AgreementCategory])
    by_file = sum(len(_category_set(row)) for row in rows_of(BUNDLED) if _is_pair(row))
    assert with_category <= by_file  # rows not imported (rejected) have categories too


# --- the independent check: Indonesia --------------------------------------------------------


async def test_indonesia_agreements_by_category_match_the_file(
    full_api: httpx.AsyncClient,
) -> None:
    rows = [
        row
        for row in rows_of(BUNDLED)
        if _is_pair(row) and str(INDONESIA) in (row["ccode1"], row["ccode2"])
    ]
    expected = Counter(category for row in rows for category in _category_set(row))
    for category in AgreementCategory:
        found = await total(full_api, party="IDN", category=category.value)
        assert found == expected[category.value], category


async def test_indonesia_technology_transfer_agreements_match_the_file(
    full_api: httpx.AsyncClient,
) -> None:
    transfer = {c.value for c in TECHNOLOGY_TRANSFER_CATEGORIES}
    from_file = sum(
        1
        for row in rows_of(BUNDLED)
        if _is_pair(row)
        and str(INDONESIA) in (row["ccode1"], row["ccode2"])
        and _category_set(row) & transfer
    )
    curated = sum(
        1
        for entry in yaml.safe_load(CURATED.read_text(encoding="utf-8"))
        if entry["kind"] == "technology_transfer"
        and any(party.get("country") == "IDN" for party in entry["parties"])
    )
    assert await total(full_api, party="IDN", technology_transfer="true") == from_file + curated


async def test_partners_count_an_agreement_once_whatever_its_categories(
    full_api: httpx.AsyncClient,
) -> None:
    partners = await get(full_api, "/v1/countries/IDN/partners", channel="agreement", limit=5)
    for partner in partners["data"]:
        code = partner["partner"]["iso3"]
        pair = await get(full_api, f"/v1/countries/IDN/partners/{code}", channel="agreement")
        slugs = {tie["initiative"]["slug"] for tie in pair["data"]}
        assert partner["channels"]["agreement"] == len(slugs) == pair["summary"]["ties"]
        assert sum(partner["channels"].values()) == partner["ties"]


async def test_partners_through_technology_transfer_are_those_agreements_and_transfers(
    full_api: httpx.AsyncClient,
) -> None:
    """`technology_transfer=true` keeps, of the agreement ties, the agreements the list calls
    technology transfer (one definition), and the arms transfers; `false` the other ties."""
    listed = await get(
        full_api, "/v1/agreements", party="IDN", technology_transfer="true", limit=500
    )
    expected: Counter[str] = Counter()
    slugs: dict[str, set[str]] = defaultdict(set)
    for agreement in listed["data"]:
        detail = await get(full_api, f"/v1/agreements/{agreement['slug']}")
        for party in detail["parties"]:
            if party["country"] and party["country"]["iso3"] != "IDN":
                expected[party["country"]["iso3"]] += 1
                slugs[party["country"]["iso3"]].add(agreement["slug"])
    assert expected
    path = "/v1/countries/IDN/partners"
    transfer = (await get(full_api, path, technology_transfer="true", limit=500))["data"]
    assert {p["partner"]["iso3"]: p["channels"].get("agreement", 0) for p in transfer} == {
        code: expected[code] for code in {p["partner"]["iso3"] for p in transfer}
    }
    assert {p["partner"]["iso3"] for p in transfer if "agreement" in p["channels"]} == set(expected)
    for partner in transfer:
        assert {c for c, n in partner["channels"].items() if n} <= {"agreement", "transfer"}
    other = (await get(full_api, path, technology_transfer="false", limit=500))["data"]
    every = (await get(full_api, path, channel="agreement", limit=500))["data"]
    counts = {p["partner"]["iso3"]: p["channels"].get("agreement", 0) for p in other}
    for partner in every:
        code = partner["partner"]["iso3"]
        assert partner["channels"]["agreement"] == counts.get(code, 0) + expected[code], code
    code, _ = expected.most_common(1)[0]
    pair = await get(full_api, f"{path}/{code}", technology_transfer="true", channel="agreement")
    assert {tie["initiative"]["slug"] for tie in pair["data"]} == slugs[code]


async def test_a_technology_transfer_filter_that_is_no_boolean_is_a_problem(
    full_api: httpx.AsyncClient,
) -> None:
    response = await full_api.get("/v1/countries/IDN/partners", params={"technology_transfer": "x"})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "technology_transfer" in response.text


# --- how rows are read ---------------------------------------------------------------------


def _sample_row(dcaid: str) -> dict[str, str]:
    return next(row for row in rows_of(SAMPLE) if row["DCAid"] == dcaid)


def _coded(text: str) -> tuple[int | None, int | None]:
    """(number, special code) as the file gives them."""
    if not text.strip():
        return None, None
    number = int(text)
    return (None, number) if number < 0 else (number, None)


async def test_special_codes_are_read_as_kinds_of_unknown_not_numbers(
    sample_import: tuple[str, Result], sample_api: httpx.AsyncClient
) -> None:
    checked = Counter[str]()
    for row in rows_of(SAMPLE):
        if not _is_pair(row):
            continue
        terms = (await agreement_citing(sample_api, row["DCAid"]))["terms"]
        for column, number_field, code_field in (
            ("span", "duration_years", "duration_code"),
            ("renewYears", "renewal_years", "renewal_years_code"),
        ):
            number, code = _coded(row[column])
            assert (terms[number_field], terms[code_field]) == (number, code), row["DCAid"]
            checked[column] += code is not None
        assert terms["renewal_code"] == _coded(row["renewType"])[1]
        terminated, code = _coded(row["terminated"])
        assert terms["terminated"] == (None if terminated is None else terminated == 1)
        assert terms["terminated_code"] == code
        checked["terminated"] += code is not None
    assert all(checked[column] for column in ("span", "renewYears", "terminated"))


async def test_a_tie_starts_at_entry_into_force(sample_api: httpx.AsyncClient) -> None:
    row = next(
        r for r in rows_of(SAMPLE) if r["EIFDay"] and r["ccode1"] == "2" and r["ccode2"] == "20"
    )
    agreement = await agreement_citing(sample_api, row["DCAid"])
    pair = await get(sample_api, "/v1/countries/USA/partners/CAN", channel="agreement")
    tie = next(t for t in pair["data"] if t["initiative"]["slug"] == agreement["slug"])
    eif = f"{int(row['EIFYear']):04d}-{int(row['EIFMonth']):02d}-{int(row['EIFDay']):02d}"
    assert (tie["start_date"], tie["start_inferred"]) == (eif, False)


async def test_a_tie_starts_at_signature_when_entry_into_force_is_unknown_and_says_so(
    sample_api: httpx.AsyncClient,
) -> None:
    row = next(
        r
        for r in rows_of(SAMPLE)
        if not r["EIFYear"] and not r["signMonth"] and (r["ccode1"], r["ccode2"]) == ("2", "20")
    )
    agreement = await agreement_citing(sample_api, row["DCAid"])
    assert (agreement["signed_date"], agreement["signed_precision"]) == (
        f"{row['signYear']}-01-01",
        "year",
    )
    pair = await get(sample_api, "/v1/countries/USA/partners/CAN", channel="agreement")
    tie = next(t for t in pair["data"] if t["initiative"]["slug"] == agreement["slug"])
    assert (tie["start_date"], tie["start_inferred"]) == (agreement["signed_date"], True)


async def test_a_terminated_agreement_ends_in_its_signature_year_plus_its_duration(
    sample_api: httpx.AsyncClient,
) -> None:
    rows = [r for r in rows_of(SAMPLE) if r["terminated"] == "1"]
    assert rows
    for row in rows:
        agreement = await agreement_citing(sample_api, row["DCAid"])
        year = int(row["signYear"]) + int(row["durationActual"])
        assert (agreement["ended_date"], agreement["ended_precision"]) == (f"{year}-01-01", "year")


async def test_an_agreement_not_terminated_is_ongoing(sample_api: httpx.AsyncClient) -> None:
    row = next(r for r in rows_of(SAMPLE) if r["terminated"] == "0" and _is_pair(r))
    agreement = await agreement_citing(sample_api, row["DCAid"])
    assert agreement["ended_date"] is None
    assert agreement["terms"]["terminated"] is False


async def test_cow_365_is_the_soviet_union_before_1992_and_russia_after(
    sample_api: httpx.AsyncClient,
) -> None:
    for row in rows_of(SAMPLE):
        if "365" not in (row["ccode1"], row["ccode2"]):
            continue
        agreement = await agreement_citing(sample_api, row["DCAid"])
        parties = {party["country"]["iso3"] for party in agreement["parties"]}
        start = int(row["EIFYear"] or row["signYear"])
        assert ("SUN" if start < 1992 else "RUS") in parties


@pytest.mark.parametrize(
    ("dcaid", "code", "state"),
    [
        ("DCADv1.0-0497", "260", "DEU"),  # 1988: the Federal Republic, continued by DEU
        ("DCADv1.0-0803", "316", "CSK"),  # 1991: Czechoslovakia signed it
        ("DCADv1.0-1887", "835", "BRN"),  # 1981: Brunei, before COW lists it (1984)
    ],
)
async def test_a_cow_code_is_read_as_the_state_that_signed(
    sample_api: httpx.AsyncClient, dcaid: str, code: str, state: str
) -> None:
    row = _sample_row(dcaid)
    assert code in (row["ccode1"], row["ccode2"])
    agreement = await agreement_citing(sample_api, dcaid)
    assert state in {party["country"]["iso3"] for party in agreement["parties"]}


async def test_a_party_is_the_state_bound_at_entry_into_force(
    sample_api: httpx.AsyncClient,
) -> None:
    """345 signed as Serbia and Montenegro (2006-04-05), in force in 2009: Serbia."""
    row = next(
        r
        for r in rows_of(SAMPLE)
        if "345" in (r["ccode1"], r["ccode2"])
        and int(r["signYear"]) <= 2006 < int(r["EIFYear"] or 0)
    )
    agreement = await agreement_citing(sample_api, row["DCAid"])
    assert "SRB" in {party["country"]["iso3"] for party in agreement["parties"]}
    assert (await get(sample_api, "/v1/countries/SRB/partners", channel="agreement"))["data"]


async def test_a_row_that_is_a_curated_agreement_is_merged_and_cites_both(
    sample_import: tuple[str, Result], sample_api: httpx.AsyncClient
) -> None:
    assert outcome_counts(sample_import[1])["merged"] == 1
    lombok = await get(sample_api, "/v1/agreements/lombok-treaty")
    sources = {source["source_id"] for source in lombok["sources"]}
    assert SOURCE in sources and len(sources) > 1
    assert lombok["categories"] == ["dca"]
    assert all(
        SOURCE in {source["source_id"] for source in party["sources"]}
        for party in lombok["parties"]
    )


def test_importing_again_changes_nothing(sample_import: tuple[str, Result]) -> None:
    first = outcome_counts(sample_import[1])
    counts = import_again(sample_import, "dcad", SAMPLE)
    assert counts["already_imported"] == first["created"] + first["merged"]


async def test_an_agreement_curators_deleted_is_not_brought_back(fresh_url: str) -> None:
    assert run(fresh_url, "import", "dcad", str(SAMPLE)).exit_code == 0
    key = make_key(fresh_url, "dcad-curator")
    app = create_app(Settings(database_url=fresh_url))
    async with client_for(app, key=key) as api:
        gone = await agreement_citing(api, "DCADv1.0-0002")
        response = await api.delete(f"/v1/agreements/{gone['slug']}")
        assert response.status_code == 204, response.text
    again = run(fresh_url, "import", "dcad", str(SAMPLE))
    assert outcome_counts(again)["left_to_curators"] == 1
    async with client_for(create_app(Settings(database_url=fresh_url))) as api:
        assert (await api.get(f"/v1/agreements/{gone['slug']}")).status_code == 404


# --- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("parameter", "value"), [("category", "arms"), ("technology_transfer", "perhaps")]
)
async def test_a_bad_filter_is_a_problem_naming_it(
    sample_api: httpx.AsyncClient, parameter: str, value: str
) -> None:
    response = await sample_api.get("/v1/agreements", params={parameter: value})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["errors"][0]["pointer"].startswith(f"/query/{parameter}")


def test_a_file_that_is_not_dcad_is_refused_and_nothing_is_written(
    sample_import: tuple[str, Result], tmp_path: Path
) -> None:
    other = tmp_path / "other.csv"
    other.write_text("MMEID,Ex_Name\nmme1,Something\n", encoding="utf-8")
    result = run(sample_import[0], "import", "dcad", str(other))
    assert result.exit_code == 1
    assert "is not DCAD 1.0" in result.stderr


async def test_the_dataset_record_says_terminations_are_covered_to_2010(
    full_import: tuple[str, Result], full_api: httpx.AsyncClient
) -> None:
    record = await get(full_api, f"/v1/datasets/{SOURCE}")
    (coverage,) = [c for c in record["coverage"] if c["channel"] == "agreement"]
    signed = [int(row["signYear"]) for row in rows_of(BUNDLED)]
    assert (coverage["starts"], coverage["ends"]) == (
        f"{min(signed)}-01-01",
        f"{max(signed)}-12-31",
    )
    assert "terminations" in coverage["what"] and "2010" in coverage["what"]
    assert record["last_import"]["rows_read"] == len(rows_of(BUNDLED))
    meta = await get(full_api, "/v1/meta")
    (channel,) = [c for c in meta["coverage"] if c["channel"] == "agreement"]
    assert SOURCE in [d["dataset"] for d in channel["datasets"]]


async def test_a_disagreement_with_a_curated_agreement_is_a_note_and_the_curated_date_stays(
    empty_url: str, tmp_path: Path
) -> None:
    """A curated USA-Canada agreement signed the day DCADv1.0-0002 was, in force later."""
    row = _sample_row("DCADv1.0-0002")
    signed = f"{row['signYear']}-{int(row['signMonth']):02d}-{int(row['signDay']):02d}"
    data = tmp_path / "seed" / "data"
    shutil.copytree(PROJECT_ROOT / "seed" / "data", data)
    # The seed reads the COW state list from the datasets beside its data.
    (tmp_path / "seed" / "datasets").symlink_to(PROJECT_ROOT / "seed" / "datasets")
    curated = yaml.safe_load((data / "agreements.yaml").read_text(encoding="utf-8"))
    curated.append(
        {
            "slug": "usa-canada-defense-cooperation",
            "name": "United States-Canada defense cooperation agreement",
            "kind": "defense_treaty",
            "signed": signed,
            "in_force": f"{int(row['signYear']) + 1}-01-01",
            "sources": ["article"],
            "parties": [{"country": "USA"}, {"country": "CAN"}],
        }
    )
    (data / "agreements.yaml").write_text(yaml.safe_dump(curated), encoding="utf-8")
    env = {"DATABASE_URL": empty_url}
    assert CliRunner().invoke(cli, ["db", "upgrade"], env=env).exit_code == 0
    seeded = CliRunner().invoke(cli, ["seed", "--data-dir", str(data)], env=env)
    assert seeded.exit_code == 0, seeded.output
    result = run(empty_url, "import", "dcad", str(SAMPLE))
    assert outcome_counts(result)["merged"] == 2  # this one and the Lombok Treaty
    assert "differs from the curated agreement" in result.stdout
    async for api in api_on(empty_url):
        agreement = await get(api, "/v1/agreements/usa-canada-defense-cooperation")
        assert agreement["in_force_date"] == f"{int(row['signYear']) + 1}-01-01"
        (citation,) = [s for s in agreement["sources"] if s["source_id"] == SOURCE]
        assert citation["locator"].startswith("DCADv1.0-0002; the dataset gives entry into force")
    again = run(empty_url, "import", "dcad", str(SAMPLE))
    assert outcome_counts(again)["created"] == 0 and "nothing changed" in again.stdout
