"""`defcoop import sipri`: a user's own export of SIPRI's trade register, through the command
line and the HTTP API, on every backend.

SIPRI's data may not be redistributed: tests/fixtures/sipri_trade_register.csv is made up (no
row is SIPRI data), in the layout of the site's CSV export: a preamble, the header with its
three unnamed "?" columns, estimated values in parentheses, delivery years as "2005; 2006".
Its rows: two identical USA -> IDN orders (numbered locators); estimated numbers and flags;
IDN -> MYS and MYS -> IDN (both ways); a Soviet supplier; a deal cancelled before any delivery
(no tie) and one cancelled after four deliveries; one with nothing delivered yet (ongoing);
an unreadable delivery year; and six rows that cannot be transfers between states: a non-state
recipient (*), an organization (**), an unknown supplier, no order year, the same country on
both sides, and a name that resolves to nothing ("Atlantis").

The expectations are computed from the file with the csv module and the small table of the
fixture's names below, not from the importer.
"""

import csv
import re
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from typer.testing import CliRunner, Result

from app.cli import cli
from app.cooperation.models import Tie, TieChannel
from app.core.config import Settings
from app.core.db import create_db_engine, session_factory
from app.main import create_app
from tests.conftest import dyads_among
from tests.imported import get, import_counts, imported_file

pytestmark = pytest.mark.anyio

FIXTURE = Path(__file__).parents[1] / "fixtures" / "sipri_trade_register.csv"
# The fixture's state names, as the alias table and the countries' names read them.
STATES = {
    "Indonesia": "IDN",
    "United States": "USA",
    "France": "FRA",
    "Malaysia": "MYS",
    "Soviet Union": "SUN",
    "Thailand": "THA",
    "Germany": "DEU",
    "South Korea": "KOR",
    "Netherlands": "NLD",
}
# --- the file, read with the csv module ------------------------------------------------------


def fixture_rows() -> list[dict[str, str]]:
    """The data rows after the header line, by the header's named columns."""
    with FIXTURE.open(encoding="utf-8", newline="") as handle:
        lines = list(csv.reader(handle))
    start = next(i for i, cells in enumerate(lines) if cells[:2] == ["Recipient", "Supplier"])
    header = lines[start]
    return [dict(zip(header, cells, strict=True)) for cells in lines[start + 1 :] if any(cells)]


def _year(cell: str) -> int | None:
    text = cell.strip("()")
    return int(text) if text.isdigit() else None


def transfers() -> list[dict[str, Any]]:
    """The rows that are transfers between two different states: supplier, recipient, the
    years their tie covers (None: no tie, a deal cancelled before any delivery; last year
    None: ongoing)."""
    found = []
    for row in fixture_rows():
        supplier, recipient = STATES.get(row["Supplier"]), STATES.get(row["Recipient"])
        order = _year(row["Year of order"])
        if supplier is None or recipient is None or supplier == recipient or order is None:
            continue
        years = [int(y) for y in re.findall(r"\d{4}", row["Year(s) of delivery"])]
        cancelled = row["status"] == "Cancelled"
        delivered = row["Number delivered"].strip("()") == row["Number ordered"].strip("()")
        span: tuple[int, int | None] | None
        if cancelled and not years:
            span = None
        elif delivered or cancelled:
            span = (order, max([order, *years]))
        else:
            span = (order, None)
        found.append({"supplier": supplier, "recipient": recipient, "span": span})
    return found


def import_sipri(url: str, *options: str) -> Result:
    return CliRunner().invoke(
        cli, ["import", "sipri", str(FIXTURE), *options], env={"DATABASE_URL": url}
    )


# --- fixtures --------------------------------------------------------------------------------


imported, api = imported_file("sipri", FIXTURE, "--skip-unresolved")


# --- the import ------------------------------------------------------------------------------


def test_every_row_is_accounted_for_and_bad_rows_are_rejected_with_reasons(
    imported: tuple[str, Result],
) -> None:
    _, result = imported
    assert result.exit_code == 0, result.output
    rows = fixture_rows()
    expected_created = len(transfers())
    counts = import_counts(result)
    assert counts["read"] == counts["accounted"] == len(rows)
    assert counts["created"] == expected_created
    assert counts["rejected"] == len(rows) - expected_created
    for reason in (
        "no year of order (1 row: Netherlands to Indonesia, ?, Gannet)",
        "the recipient 'Atlantis' resolves to no country",
        "the recipient is a non-state actor (SIPRI's * mark), not a state",
        "the recipient is an international organization (SIPRI's ** mark), not a state",
        "the supplier and the recipient are the same country",
        "the supplier is not a state: SIPRI could not identify the supplier",
    ):
        assert f"rejected (1): {reason}" in result.stdout
    assert "delivery years not read as years" in result.stdout
    # Each transfer writes its two parties, and each side of a tie is a row of its own.
    ties = sum(2 for transfer in transfers() if transfer["span"] is not None)
    assert f"{2 * expected_created} transfer_parties" in result.stdout
    assert f"{ties} ties" in result.stdout


def test_unresolved_names_stop_the_import_without_the_option(fresh_url: str) -> None:
    result = import_sipri(fresh_url)
    assert result.exit_code == 1
    assert "'Atlantis' (1 row: France to Atlantis, 2013, Moray-3)" in result.output
    assert "nothing was imported" in result.output
    engine = create_db_engine(Settings(database_url=fresh_url))
    with session_factory(engine)() as session:
        assert session.scalars(select(Tie).where(Tie.channel == TieChannel.transfer)).all() == []
    engine.dispose()


def test_reimport_changes_nothing(imported: tuple[str, Result]) -> None:
    url, first = imported
    again = import_sipri(url, "--skip-unresolved")
    assert again.exit_code == 0, again.output
    counts = import_counts(again)
    assert (counts["created"], counts["already_imported"]) == (0, import_counts(first)["created"])
    assert "nothing changed" in again.stdout
    version = re.search(r"data version (\d+)", first.stdout)
    assert version is not None and f"data version {version.group(1)}" in again.stdout


def test_a_transfer_tie_goes_both_ways_with_the_roles_swapped(
    imported: tuple[str, Result],
) -> None:
    engine = create_db_engine(Settings(database_url=imported[0]))
    with session_factory(engine)() as session:
        rows = set(
            session.execute(
                select(Tie.country_id, Tie.partner_id, Tie.initiative_id, Tie.country_role).where(
                    Tie.channel == TieChannel.transfer
                )
            )
        )
    engine.dispose()
    assert rows
    swapped = {"supplier": "recipient", "recipient": "supplier"}
    assert {(b, a, i, swapped[role]) for a, b, i, role in rows} == rows


# --- reads -----------------------------------------------------------------------------------


async def test_partners_of_a_supplier_say_who_supplied_whom(api: httpx.AsyncClient) -> None:
    expected: Counter[tuple[str, str]] = Counter(
        (t["supplier"], t["recipient"]) for t in transfers() if t["span"] is not None
    )
    for code in ("USA", "IDN", "MYS"):
        body = await get(api, f"/v1/countries/{code}/partners", channel="transfer")
        directions = {row["partner"]["iso3"]: row["directions"]["transfer"] for row in body["data"]}
        partners = {b if a == code else a for a, b in expected if code in (a, b)}
        assert directions == {
            partner: {
                "to_partner": expected[(code, partner)],
                "from_partner": expected[(partner, code)],
            }
            for partner in partners
        }
        assert all(row["channels"]["transfer"] == row["ties"] for row in body["data"])
    # Without a channel filter too, and symmetric channels carry no directions.
    body = await get(api, "/v1/countries/USA/partners")
    by_code = {row["partner"]["iso3"]: row for row in body["data"]}
    assert by_code["IDN"]["directions"] == {"transfer": {"to_partner": 2, "from_partner": 0}}
    assert all(set(row["directions"]) <= {"transfer"} for row in body["data"])


async def test_technology_transfer_partners_keep_every_arms_transfer(
    api: httpx.AsyncClient,
) -> None:
    """Arms transfers move technology: the filter keeps them, and `false` drops them."""
    transfer = await get(api, "/v1/countries/USA/partners", channel="transfer", limit=500)
    kept = await get(api, "/v1/countries/USA/partners", technology_transfer="true", limit=500)
    assert transfer["data"]
    by_code = {row["partner"]["iso3"]: row["channels"] for row in kept["data"]}
    for row in transfer["data"]:
        assert by_code[row["partner"]["iso3"]]["transfer"] == row["channels"]["transfer"]
    dropped = await get(api, "/v1/countries/USA/partners", technology_transfer="false", limit=500)
    assert all(row["channels"]["transfer"] == 0 for row in dropped["data"])


async def test_a_cancelled_deal_with_no_delivery_makes_no_tie(api: httpx.AsyncClient) -> None:
    assert [t for t in transfers() if t["span"] is None and t["recipient"] == "THA"]
    body = await get(api, "/v1/countries/THA/partners", channel="transfer")
    assert body["data"] == []


async def test_pair_evidence_gives_each_transfer_its_direction_period_and_source(
    api: httpx.AsyncClient,
) -> None:
    expected = sorted(
        (t["span"], t["supplier"])
        for t in transfers()
        if {t["supplier"], t["recipient"]} == {"IDN", "MYS"}
    )
    body = await get(api, "/v1/countries/IDN/partners/MYS", channel="transfer")
    ties = sorted(body["data"], key=lambda tie: tie["start_date"])
    assert [((t["first_year"], t["last_year"]), t["direction"]["source"]) for t in ties] == (
        expected
    )
    for tie in ties:
        source = tie["direction"]["source"]
        assert tie["direction"]["target"] == ({"IDN", "MYS"} - {source}).pop()
        assert tie["roles"] == {source: "supplier", tie["direction"]["target"]: "recipient"}
        assert tie["initiative"]["kind"] == "transfer"
        assert {s["source_id"] for s in tie["sources"]} == {"sipri-arms-transfers"}
    assert body["summary"]["directions"] == {"transfer": {"to_partner": 1, "from_partner": 1}}
    # An ongoing deal has no end; a cancelled one ends with its last delivery.
    korea = await get(api, "/v1/countries/IDN/partners/KOR", channel="transfer")
    assert [(t["first_year"], t["end_date"]) for t in korea["data"]] == [(2021, None)]
    germany = await get(api, "/v1/countries/IDN/partners/DEU", channel="transfer")
    assert [(t["first_year"], t["last_year"]) for t in germany["data"]] == [(2011, 2014)]


async def test_a_directed_network_points_from_supplier_to_recipient(
    api: httpx.AsyncClient,
) -> None:
    expected = Counter(
        (t["supplier"], t["recipient"]) for t in transfers() if t["span"] is not None
    )
    body = await get(api, "/v1/network", channel="transfer", directed="true")
    assert body["meta"]["directed"] is True
    edges = {(e["source"], e["target"]): e["weight"] for e in body["edges"]}
    assert edges == dict(expected)
    undirected = await get(api, "/v1/network", channel="transfer")
    assert undirected["meta"]["directed"] is False
    assert len(undirected["edges"]) == len({tuple(sorted(pair)) for pair in expected})
    degrees = {node["iso3"]: node["degree"] for node in body["nodes"]}
    assert degrees["IDN"] == sum(1 for pair in expected if "IDN" in pair)


async def test_a_directed_network_needs_directed_channels(api: httpx.AsyncClient) -> None:
    for params in ({"directed": "true"}, {"directed": "true", "channel": "exercise"}):
        response = await api.get("/v1/network", params=params)
        assert response.status_code == 422, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["errors"][0]["pointer"] == "/query/directed"


async def test_dyad_years_count_transfers_per_direction(api: httpx.AsyncClient) -> None:
    expected: dict[int, list[int]] = {}
    for t in transfers():
        if {t["supplier"], t["recipient"]} == {"IDN", "MYS"} and t["span"] is not None:
            first, last = t["span"]
            for year in range(first, last + 1):
                expected.setdefault(year, [0, 0])[0 if t["supplier"] == "IDN" else 1] += 1
    body = await get(
        api, "/v1/dyad-years", **dyads_among(["IDN", "MYS"], 2000, 2021, channel="transfer")
    )
    rows = {row["year"]: [row["transfers_a_to_b"], row["transfers_b_to_a"]] for row in body["data"]}
    assert all(row["country_a"]["iso3"] == "IDN" for row in body["data"])
    assert rows == expected
    assert all(row["transfers"] == row["ties"] == sum(rows[row["year"]]) for row in body["data"])
    response = await api.get(
        "/v1/dyad-years", params=dyads_among(["IDN", "MYS"], 2000, 2021, format="csv")
    )
    table = list(csv.DictReader(response.text.splitlines()))
    assert {
        int(r["year"]): [int(r["transfers_a_to_b"]), int(r["transfers_b_to_a"])]
        for r in table
        if int(r["transfers"])
    } == expected


async def test_transfers_are_served_with_what_the_register_says(api: httpx.AsyncClient) -> None:
    rows = {
        (row["Supplier"], row["Recipient"], row["Weapon designation"]): row
        for row in fixture_rows()
    }
    listed = await get(api, "/v1/transfers", limit=100)
    assert listed["meta"]["total"] == len(transfers())
    french = await get(api, "/v1/transfers", supplier="FRA", recipient="IDN")
    [summary] = french["data"]
    row = rows[("France", "Indonesia", summary["weapon_designation"])]
    detail = await get(api, f"/v1/transfers/{summary['slug']}")
    assert (detail["supplier"]["iso3"], detail["recipient"]["iso3"]) == ("FRA", "IDN")
    assert detail["order_year"] == int(row["Year of order"])
    assert detail["number_ordered"] == int(row["Number ordered"].strip("()"))
    assert detail["number_ordered_estimated"] is True
    assert detail["order_year_estimated"] is True  # the "?" in the unnamed column after it
    assert detail["delivery_years"] == row["Year(s) of delivery"]
    assert detail["delivery_status"] == "ongoing"
    assert detail["tiv_total_order"] == float(row["SIPRI TIV for total order"])
    assert detail["comments"] == row["Comments"]
    locator = f"France to Indonesia, {row['Year of order']}, {row['Weapon designation']}"
    assert [(s["source_id"], s["locator"]) for s in detail["sources"]] == [
        ("sipri-arms-transfers", locator)
    ]
    assert {p["role"]: p["country"]["iso3"] for p in detail["parties"]} == {
        "supplier": "FRA",
        "recipient": "IDN",
    }
    cancelled = await get(api, "/v1/transfers", delivery_status="cancelled")
    assert {t["recipient"]["iso3"] for t in cancelled["data"]} == {"THA", "IDN"}


async def test_an_unknown_transfer_is_a_404_problem(api: httpx.AsyncClient) -> None:
    response = await api.get("/v1/transfers/no-such-transfer")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert "GET /v1/transfers" in response.json()["detail"]


async def test_a_newer_export_updates_the_deals_imported_before(
    fresh_url: str, tmp_path: Path
) -> None:
    assert import_sipri(fresh_url, "--skip-unresolved").exit_code == 0
    newer = tmp_path / "newer.csv"
    text = FIXTURE.read_text(encoding="utf-8")
    # The submarines of 2021 were delivered since the first export.
    before = "Indonesia,South Korea,2021,,2,,Heron-S,submarine,0,,,New"
    assert before in text
    newer.write_text(
        text.replace(before, "Indonesia,South Korea,2021,,2,,Heron-S,submarine,2,,2024,New"),
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        cli,
        ["import", "sipri", str(newer), "--skip-unresolved"],
        env={"DATABASE_URL": fresh_url},
    )
    assert result.exit_code == 0, result.output
    assert import_counts(result)["created"] == 0
    assert "1 transfers (updated)" in result.stdout
    app = create_app(Settings(database_url=fresh_url))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        korea = await get(client, "/v1/countries/IDN/partners/KOR", channel="transfer")
    app.state.engine.dispose()
    assert [(t["first_year"], t["last_year"]) for t in korea["data"]] == [(2021, 2024)]


async def test_directed_paths_and_graphml_follow_the_arrows(api: httpx.AsyncClient) -> None:
    supplied = {(t["supplier"], t["recipient"]) for t in transfers() if t["span"] is not None}
    assert ("USA", "IDN") in supplied and ("IDN", "MYS") in supplied
    assert ("MYS", "USA") not in supplied and ("IDN", "USA") not in supplied
    params = {"channel": "transfer", "directed": "true"}
    forward = await get(api, "/v1/countries/USA/paths/MYS", **params)
    assert [c["iso3"] for c in forward["data"][0]["countries"]] == ["USA", "IDN", "MYS"]
    assert all(
        tie["initiative"]["slug"].startswith(f"{hop['source']['iso3'].lower()}-")
        for hop in forward["data"][0]["hops"]
        for tie in hop["ties"]
    )
    backward = await get(api, "/v1/countries/MYS/paths/USA", **params)
    assert backward["length"] is None  # nothing flows from Malaysia to the United States
    graphml = await api.get("/v1/network", params={**params, "format": "graphml"})
    assert 'edgedefault="directed"' in graphml.text


async def test_directed_dyad_years_swap_the_directions(api: httpx.AsyncClient) -> None:
    params = dyads_among(["IDN", "MYS"], 2008, 2017, channel="transfer")
    one_way = await get(api, "/v1/dyad-years", **params)
    both = await get(api, "/v1/dyad-years", **params, directed="true")
    flows = {
        (r["country_a"]["iso3"], r["year"]): (r["transfers_a_to_b"], r["transfers_b_to_a"])
        for r in both["data"]
    }
    for row in one_way["data"]:
        a_to_b, b_to_a = row["transfers_a_to_b"], row["transfers_b_to_a"]
        assert flows[("IDN", row["year"])] == (a_to_b, b_to_a)
        assert flows[("MYS", row["year"])] == (b_to_a, a_to_b)


def test_a_year_range_export_is_read_and_noted(fresh_url: str, tmp_path: Path) -> None:
    ranged = tmp_path / "ranged.csv"
    text = FIXTURE.read_text(encoding="utf-8")
    ranged.write_text(
        text.replace("Number delivered", "Deliveries in the Year Range"), encoding="utf-8"
    )
    result = CliRunner().invoke(
        cli,
        ["import", "sipri", str(ranged), "--skip-unresolved"],
        env={"DATABASE_URL": fresh_url},
    )
    assert result.exit_code == 0, result.output
    assert import_counts(result)["created"] == len(transfers())
    assert "delivered: only the deliveries in the export's year range" in result.stdout


def test_a_file_that_is_not_a_trade_register_is_refused(fresh_url: str, tmp_path: Path) -> None:
    other = tmp_path / "other.csv"
    other.write_text("MMEID,Ex_Name\nmme1,Readex\n", encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["import", "sipri", str(other)], env={"DATABASE_URL": fresh_url}
    )
    assert result.exit_code == 1
    assert "is not a SIPRI trade register" in result.output
    assert "nothing was imported" in result.output
