"""Cooperation analytics: the network, centrality, blocs, paths and dyad-years.

First on a hand-made fixture network (tests/fixtures/network, described in its README) whose
right answers are worked out below, then on the seeded data, with answers a reader can check
against seed/data. The seeded checks use 2024/2025, where the MME import has no rows, so that
they hold with or without it.

The fixture network in 2020: two cliques joined by one exercise.

    West (west-pact): USA, GBR, CAN, AUS    East (east-forum): IDN, MYS, SGP, THA
    AUS - SGP: bridge-drill 2020
    USA - GBR: also the atlantic-accord (in force 2015-06-01) and atlantic-drill 2020

so 6 + 6 + 1 = 13 edges, all of weight 1 but USA-GBR (3). Outside 2020: CAN-IDN in old-drill
2005, THA-MYS in shared-mission 2010-2012; IDN is only an observer of west-pact (no tie).
"""

import csv
import io
import shutil
from collections.abc import AsyncIterator, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import networkx as nx  # type: ignore[import-untyped]
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from app.analytics.representations import country_figures
from app.core.config import Settings
from app.core.db import create_db_engine, session_factory
from app.countries.models import Country
from app.main import create_app
from app.system.models import DataState
from seed.loader import SeedLoader
from tests.databases import BACKENDS, create_database, drop_database, migrate

pytestmark = pytest.mark.anyio

FIXTURE = Path(__file__).parents[1] / "fixtures" / "network"
WEST = ["AUS", "CAN", "GBR", "USA"]
EAST = ["IDN", "MYS", "SGP", "THA"]
ASEAN = ["BRN", "IDN", "KHM", "LAO", "MMR", "MYS", "PHL", "SGP", "THA", "TLS", "VNM"]
PROBLEM = "application/problem+json"


def load(url: str, data_dir: Path) -> None:
    engine = create_db_engine(Settings(database_url=url))
    with session_factory(engine).begin() as session:
        SeedLoader(session, data_dir=data_dir).load()
    engine.dispose()


@pytest.fixture(scope="module", params=BACKENDS)
def network_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    url = create_database(request.param, tmp_path_factory.mktemp("network"))
    migrate(url)
    load(url, FIXTURE)
    yield url
    drop_database(url)


@pytest.fixture(scope="module")
def network_app(network_url: str) -> Iterator[FastAPI]:
    app = create_app(Settings(database_url=network_url))
    yield app
    app.state.engine.dispose()


async def _client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


@pytest.fixture
async def net(network_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async for client in _client(network_app):
        yield client


async def _json(client: httpx.AsyncClient, path: str, **params: Any) -> Any:
    response = await client.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def _edges(network: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(edge["source"], edge["target"]): edge for edge in network["edges"]}


def _iso3s(items: list[dict[str, Any]]) -> list[str]:
    return [item["iso3"] for item in items]


# --- the network ---------------------------------------------------------------------------


async def test_network_nodes_edges_and_weights(net: httpx.AsyncClient) -> None:
    network = await _json(net, "/v1/network", year=2020)
    assert _iso3s(network["nodes"]) == sorted(WEST + EAST)
    edges = _edges(network)
    assert len(edges) == network["meta"]["edges"] == 13
    # USA-GBR: west-pact, atlantic-drill 2020 and the atlantic-accord.
    assert edges[("GBR", "USA")]["weight"] == 3
    assert edges[("GBR", "USA")]["channels"] == {
        "organization": 1,
        "exercise": 1,
        "agreement": 1,
        "operation": 0,
        "transfer": 0,
    }
    assert edges[("GBR", "USA")]["threats"] == {"armed-conflict": 2, "cyber-warfare": 1}
    assert edges[("AUS", "SGP")]["channels"]["exercise"] == 1
    assert edges[("AUS", "SGP")]["threats"] == {"natural-disasters": 1}
    # An observer has no tie.
    assert ("IDN", "USA") not in edges
    nodes = {node["iso3"]: node for node in network["nodes"]}
    assert (nodes["USA"]["degree"], nodes["USA"]["weighted_degree"]) == (3, 5)
    assert (nodes["AUS"]["degree"], nodes["AUS"]["weighted_degree"]) == (4, 4)
    assert {t["slug"] for t in network["threats"]} == {
        "armed-conflict",
        "cyber-warfare",
        "natural-disasters",
        "terrorism",
    }


async def test_network_over_all_years(net: httpx.AsyncClient) -> None:
    edges = _edges(await _json(net, "/v1/network"))
    # 13 edges of 2020 plus old-drill 2005 (CAN-IDN); shared-mission adds to MYS-THA.
    assert len(edges) == 14
    assert edges[("CAN", "IDN")]["channels"]["exercise"] == 1
    assert edges[("MYS", "THA")]["weight"] == 2
    assert edges[("MYS", "THA")]["threats"] == {"humanitarian-crises": 1, "terrorism": 1}


async def test_network_filters(net: httpx.AsyncClient) -> None:
    by_channel = _edges(await _json(net, "/v1/network", year=2020, channel="organization"))
    assert len(by_channel) == 12 and ("AUS", "SGP") not in by_channel
    assert by_channel[("GBR", "USA")]["weight"] == 1
    by_threat = await _json(net, "/v1/network", year=2020, threat="terrorism")
    assert _iso3s(by_threat["nodes"]) == EAST and len(by_threat["edges"]) == 6
    ranged = _edges(await _json(net, "/v1/network", year_gte=2004, year_lte=2006))
    assert ("CAN", "IDN") in ranged and ("AUS", "SGP") not in ranged
    region = await _json(net, "/v1/network", year=2020, region="south-eastern asia")
    assert _iso3s(region["nodes"]) == EAST and len(region["edges"]) == 6
    # Members only: not the observer IDN, and not SGP, so not the AUS-SGP edge either.
    members = await _json(net, "/v1/network", year=2020, organization="west-pact")
    assert _iso3s(members["nodes"]) == WEST and len(members["edges"]) == 6
    # In 2005 CAN is not an east-forum member: the old-drill edge CAN-IDN is out.
    east_2005 = await _json(net, "/v1/network", year=2005, organization="east-forum")
    assert _iso3s(east_2005["nodes"]) == EAST and len(east_2005["edges"]) == 6
    before = await _json(net, "/v1/network", year=1999, organization="west-pact")
    assert before["nodes"] == [] and before["meta"]["nodes"] == 0


async def test_network_as_csv_edge_list(net: httpx.AsyncClient) -> None:
    response = await net.get("/v1/network", params={"year": 2020, "format": "csv"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert response.text.splitlines()[0] == (
        "source,target,source_name,target_name,weight,organization,exercise,agreement,"
        "operation,transfer,threat_armed_conflict,threat_cyber_warfare,threat_natural_disasters,"
        "threat_terrorism"
    )
    assert len(rows) == 13
    pair = next(row for row in rows if (row["source"], row["target"]) == ("GBR", "USA"))
    assert pair["weight"] == "3" and pair["agreement"] == "1"
    assert pair["threat_armed_conflict"] == "2" and pair["threat_terrorism"] == "0"
    accepted = await net.get("/v1/network", params={"year": 2020}, headers={"Accept": "text/csv"})
    assert accepted.text == response.text


async def test_network_as_graphml(net: httpx.AsyncClient) -> None:
    response = await net.get("/v1/network", params={"year": 2020, "format": "graphml"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/graphml+xml")
    graph = nx.parse_graphml(response.text)
    assert sorted(graph.nodes) == sorted(WEST + EAST)
    assert graph.number_of_edges() == 13
    assert graph.nodes["IDN"]["name"] == "Indonesia"
    assert graph.edges["GBR", "USA"]["weight"] == 3
    assert graph.edges["GBR", "USA"]["threat_cyber_warfare"] == 1


# --- centrality ----------------------------------------------------------------------------


async def test_centrality_orders(net: httpx.AsyncClient) -> None:
    # Every West-East shortest path runs AUS-SGP (no detour is shorter, even weighted: the
    # USA-GBR edge has length 1/3, USA-GBR-AUS 4/3 > 1). AUS lies on 3 x 4 = 12 of the
    # 7 * 6 / 2 = 21 pairs of other countries, SGP on 4 x 3 = 12: 12/21 = 0.571429.
    body = await _json(net, "/v1/network/centrality", year=2020, sort="-betweenness")
    rows = body["data"]
    assert [row["country"]["iso3"] for row in rows] == [
        "AUS",
        "SGP",
        "CAN",
        "GBR",
        "IDN",
        "MYS",
        "THA",
        "USA",
    ]
    assert [row["betweenness"] for row in rows[:3]] == [0.571429, 0.571429, 0.0]
    assert [row["ranks"]["betweenness"] for row in rows] == [1, 1, 3, 3, 3, 3, 3, 3]
    assert body["meta"]["total"] == 8
    weighted = await _json(net, "/v1/network/centrality", year=2020, sort="-weighted_degree")
    # GBR and USA 1 + 1 + 3 = 5; AUS and SGP 4 (bridge); the rest 3.
    assert [row["country"]["iso3"] for row in weighted["data"]] == [
        "GBR",
        "USA",
        "AUS",
        "SGP",
        "CAN",
        "IDN",
        "MYS",
        "THA",
    ]
    assert [row["weighted_degree"] for row in weighted["data"]] == [5, 5, 4, 4, 3, 3, 3, 3]
    assert [row["ranks"]["weighted_degree"] for row in weighted["data"]] == [1, 1, 3, 3, 5, 5, 5, 5]
    by_degree = await _json(net, "/v1/network/centrality", year=2020)
    assert [row["degree"] for row in by_degree["data"]][:3] == [4, 4, 3]


async def test_centrality_pages(net: httpx.AsyncClient) -> None:
    seen: list[str] = []
    url: str | None = "/v1/network/centrality?year=2020&sort=-betweenness&limit=3"
    while url:
        response = await net.get(url)
        body = response.json()
        seen += [row["country"]["iso3"] for row in body["data"]]
        url = body["links"]["next"]
        if url:
            assert 'rel="next"' in response.headers["link"]
    assert seen == ["AUS", "SGP", "CAN", "GBR", "IDN", "MYS", "THA", "USA"]


async def test_country_figures(net: httpx.AsyncClient, network_app: FastAPI) -> None:
    with network_app.state.session_factory() as session:
        version = session.scalar(select(DataState.version)) or 0
        ids = dict(session.execute(select(Country.iso3, Country.id)).all())
        aus = country_figures(session, ids["AUS"], version)
        france = country_figures(session, ids["FRA"], version)
    everything = await _json(net, "/v1/network/centrality")
    row = next(r for r in everything["data"] if r["country"]["iso3"] == "AUS")
    assert aus.network_size == 8
    assert (aus.degree, aus.weighted_degree, aus.betweenness) == (4, 4, row["betweenness"])
    assert aus.ranks is not None and aus.ranks.model_dump() == row["ranks"]
    assert (france.degree, france.ranks) == (0, None)


# --- blocs ---------------------------------------------------------------------------------


async def test_communities_find_the_two_cliques(net: httpx.AsyncClient) -> None:
    body = await _json(net, "/v1/network/communities", year=2020)
    blocs = body["data"]
    assert [_iso3s(bloc["members"]) for bloc in blocs] == [WEST, EAST]
    assert [bloc["id"] for bloc in blocs] == [1, 2]
    west, east = blocs
    # Six west-pact pairs, plus two more initiatives for USA-GBR.
    assert west["internal_weight"] == 8
    assert [(t["slug"], t["ties"]) for t in west["threats"]] == [
        ("armed-conflict", 7),
        ("cyber-warfare", 1),
    ]
    assert east["internal_weight"] == 6
    assert [(t["slug"], t["ties"]) for t in east["threats"]] == [("terrorism", 6)]
    again = await _json(net, "/v1/network/communities", year=2020)
    assert again["data"] == blocs
    reseeded = await _json(net, "/v1/network/communities", year=2020, seed=7)
    assert [_iso3s(bloc["members"]) for bloc in reseeded["data"]] == [WEST, EAST]


# --- paths ---------------------------------------------------------------------------------


async def test_path_through_the_bridge(net: httpx.AsyncClient) -> None:
    body = await _json(net, "/v1/countries/usa/paths/ID", year=2020)
    assert body["country"]["iso3"] == "USA" and body["other"]["iso3"] == "IDN"
    assert (body["length"], body["total"], body["truncated"]) == (3, 1, False)
    (path,) = body["data"]
    assert _iso3s(path["countries"]) == ["USA", "AUS", "SGP", "IDN"]
    assert path["strength"] == 3
    assert [
        [(tie["channel"], tie["initiative"]["slug"]) for tie in hop["ties"]] for hop in path["hops"]
    ] == [
        [("organization", "west-pact")],
        [("exercise", "bridge-drill-2020")],
        [("organization", "east-forum")],
    ]
    assert path["hops"][1]["ties"][0]["initiative"]["kind"] == "exercise_edition"


async def test_all_shortest_paths_strongest_first(net: httpx.AsyncClient) -> None:
    # Over all years old-drill 2005 makes a second bridge: GBR-AUS-SGP-MYS and
    # GBR-CAN-IDN-MYS, both of strength 3, so in ISO3 order.
    body = await _json(net, "/v1/countries/GBR/paths/MYS")
    assert (body["length"], body["total"]) == (3, 2)
    assert [_iso3s(path["countries"]) for path in body["data"]] == [
        ["GBR", "AUS", "SGP", "MYS"],
        ["GBR", "CAN", "IDN", "MYS"],
    ]
    limited = await _json(net, "/v1/countries/GBR/paths/MYS", limit=1)
    assert len(limited["data"]) == 1 and limited["total"] == 2
    # Neighbours: one hop, made of every initiative they share, by channel.
    direct = await _json(net, "/v1/countries/USA/paths/GBR", year=2020)
    assert direct["length"] == 1
    assert [t["initiative"]["slug"] for t in direct["data"][0]["hops"][0]["ties"]] == [
        "west-pact",
        "atlantic-drill-2020",
        "atlantic-accord",
    ]


async def test_no_path_is_an_empty_answer(net: httpx.AsyncClient) -> None:
    # Without the exercise channel nothing joins the two cliques.
    split = await _json(net, "/v1/countries/USA/paths/IDN", year=2020, channel="organization")
    assert (split["length"], split["total"], split["data"]) == (None, 0, [])
    # France has no tie at all in the fixture.
    absent = await _json(net, "/v1/countries/FRA/paths/IDN")
    assert absent["length"] is None and absent["data"] == []


# --- dyad-years ----------------------------------------------------------------------------


async def _dyads(client: httpx.AsyncClient, **params: Any) -> list[dict[str, Any]]:
    body = await _json(client, "/v1/dyad-years", limit=500, **params)
    assert body["meta"]["total"] == len(body["data"])
    return body["data"]  # type: ignore[no-any-return]


async def test_dyad_year_row(net: httpx.AsyncClient) -> None:
    (row,) = await _dyads(net, year_gte=2020, year_lte=2020, country=["USA", "GBR"], within=True)
    assert row == {
        "year": 2020,
        "country_a": {"iso3": "GBR", "name": "United Kingdom"},
        "country_b": {"iso3": "USA", "name": "United States"},
        "cow_a": 200,
        "cow_b": 2,
        "organizations": 1,
        "exercises": 1,
        "agreements": 1,
        "operations": 0,
        "transfers": 0,
        "transfers_a_to_b": 0,
        "transfers_b_to_a": 0,
        "ties": 3,
        "threats": ["armed-conflict", "cyber-warfare"],
    }


async def test_dyad_years_periods(net: httpx.AsyncClient) -> None:
    this_year = date.today().year
    rows = await _dyads(
        net, year_gte=1990, year_lte=this_year + 1, country=["THA", "MYS"], within=True
    )
    # MYS and THA joined east-forum at unknown dates: their tie starts with the forum (2000),
    # not before (issue 15); the membership is open: up to this year, not the next.
    assert [row["year"] for row in rows] == list(range(2000, this_year + 1))
    by_year = {row["year"]: row for row in rows}
    assert (by_year[2011]["organizations"], by_year[2011]["operations"]) == (1, 1)
    assert by_year[2011]["threats"] == ["humanitarian-crises", "terrorism"]
    # shared-mission ends 2013-01-01, exclusive: 2012 is its last year.
    assert by_year[2012]["operations"] == 1 and by_year[2013]["operations"] == 0
    # IDN joined in 2000: its pair with MYS starts then.
    idn = await _dyads(net, year_gte=1995, year_lte=2001, country=["IDN", "MYS"], within=True)
    assert [row["year"] for row in idn] == [2000, 2001]


async def test_dyad_years_filters(net: httpx.AsyncClient) -> None:
    thailand = await _dyads(net, year_gte=2020, year_lte=2020, country="THA")
    assert [(r["country_a"]["iso3"], r["country_b"]["iso3"]) for r in thailand] == [
        ("IDN", "THA"),
        ("MYS", "THA"),
        ("SGP", "THA"),
    ]
    directed = await _dyads(net, year_gte=2020, year_lte=2020, country="THA", directed=True)
    assert len(directed) == 6
    assert {(r["country_a"]["iso3"], r["country_b"]["iso3"]) for r in directed} >= {
        ("THA", "MYS"),
        ("MYS", "THA"),
    }
    exercises = await _dyads(net, year_gte=2020, year_lte=2020, channel="exercise")
    assert [(r["country_a"]["iso3"], r["country_b"]["iso3"]) for r in exercises] == [
        ("AUS", "SGP"),
        ("GBR", "USA"),
    ]
    cyber = await _dyads(net, year_gte=2014, year_lte=2016, threat="cyber-warfare")
    assert [(r["year"], r["agreements"], r["organizations"]) for r in cyber] == [
        (2015, 1, 0),
        (2016, 1, 0),
    ]


async def test_dyad_years_pages_and_csv(net: httpx.AsyncClient) -> None:
    everything = await _dyads(net, year_gte=2004, year_lte=2021)
    seen: list[dict[str, Any]] = []
    url: str | None = "/v1/dyad-years?year_gte=2004&year_lte=2021&limit=7"
    while url:
        body = (await net.get(url)).json()
        seen += body["data"]
        url = body["links"]["next"]
    assert seen == everything
    response = await net.get(
        "/v1/dyad-years", params={"year_gte": 2004, "year_lte": 2021, "format": "csv"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert list(rows[0]) == [
        "year",
        "country_a",
        "country_b",
        "cow_a",
        "cow_b",
        "organizations",
        "exercises",
        "agreements",
        "operations",
        "transfers",
        "transfers_a_to_b",
        "transfers_b_to_a",
        "ties",
        "threats",
    ]
    assert len(rows) == len(everything)
    usa_gbr = next(
        r for r in rows if (r["country_a"], r["country_b"], r["year"]) == ("GBR", "USA", "2020")
    )
    assert usa_gbr["ties"] == "3" and usa_gbr["threats"] == "armed-conflict;cyber-warfare"


# --- a change to the data reaches the graph at once ----------------------------------------


async def test_changed_data_is_never_served_from_the_cache(empty_url: str, tmp_path: Path) -> None:
    migrate(empty_url)
    load(empty_url, FIXTURE)
    app = create_app(Settings(database_url=empty_url))
    try:
        async for client in _client(app):
            before = await _json(client, "/v1/network", year=2020)
            path = await _json(client, "/v1/countries/USA/paths/IDN", year=2020)
            assert (len(before["edges"]), path["length"]) == (13, 3)
            # The same facts plus one exercise of USA and IDN in 2020, loaded while the app runs.
            changed = tmp_path / "changed"
            shutil.copytree(FIXTURE, changed)
            with (changed / "exercises.yaml").open("a", encoding="utf-8") as handle:
                handle.write(
                    "\n- slug: pacific-drill\n  name: Pacific Drill\n  sources: [fixture]\n"
                    "  editions:\n    - year: 2020\n      participants:\n"
                    "        - {country: USA}\n        - {country: IDN}\n"
                )
            load(empty_url, changed)
            after = await _json(client, "/v1/network", year=2020)
            assert after["meta"]["data_version"] > before["meta"]["data_version"]
            assert len(after["edges"]) == 14
            assert ("IDN", "USA") in _edges(after)
            path = await _json(client, "/v1/countries/USA/paths/IDN", year=2020)
            assert path["length"] == 1
    finally:
        app.state.engine.dispose()


# --- errors --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "params", "status", "pointer"),
    [
        ("/v1/network", {"organization": "no-such-pact"}, 404, None),
        ("/v1/network", {"region": "Atlantis"}, 422, "/query/region"),
        ("/v1/network", {"threat": "boredom"}, 422, "/query/threat"),
        ("/v1/network", {"year": 2020, "year_gte": 2019}, 422, "/query/year"),
        ("/v1/network", {"year_gte": 2021, "year_lte": 2020}, 422, "/query/year_gte"),
        ("/v1/network", {"format": "pdf"}, 422, "/query/format"),
        ("/v1/network", {"channel": "carrier-pigeon"}, 422, "/query/channel/0"),
        ("/v1/network/centrality", {"sort": "name"}, 422, "/query/sort"),
        ("/v1/network/centrality", {"limit": 501}, 422, "/query/limit"),
        ("/v1/network/centrality", {"cursor": "bm9wZQ"}, 422, "/query/cursor"),
        ("/v1/network/communities", {"resolution": 0}, 422, "/query/resolution"),
        ("/v1/countries/QQQ/paths/IDN", {}, 404, None),
        ("/v1/countries/IDN/paths/QQQ", {}, 404, None),
        ("/v1/countries/IDN/paths/ID", {}, 422, "/path/other"),
        ("/v1/countries/IDN/paths/USA", {"limit": 101}, 422, "/query/limit"),
        ("/v1/dyad-years", {"year_gte": 2000}, 422, "/query/year_lte"),
        ("/v1/dyad-years", {"year_gte": 1900, "year_lte": 2000}, 422, "/query/year_lte"),
        ("/v1/dyad-years", {"year_gte": 2001, "year_lte": 2000}, 422, "/query/year_gte"),
        ("/v1/dyad-years", {"year_gte": 2000, "year_lte": 2001, "country": "QQ"}, 422, None),
        (
            "/v1/dyad-years",
            {"year_gte": 2000, "year_lte": 2001, "country": "IDN", "within": True},
            422,
            "/query/within",
        ),
        ("/v1/dyad-years", {"year_gte": 2000, "year_lte": 2001, "format": "graphml"}, 422, None),
        ("/v1/dyad-years", {"year_gte": 2000, "year_lte": 2001, "cursor": "e30"}, 422, None),
    ],
)
async def test_errors_are_problems(
    net: httpx.AsyncClient, path: str, params: dict[str, Any], status: int, pointer: str | None
) -> None:
    response = await net.get(path, params=params)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    problem = response.json()
    assert problem["status"] == status and problem["detail"]
    if pointer is not None:
        assert pointer in [error["pointer"] for error in problem["errors"]]


async def test_openapi_declares_the_analytics_routes(net: httpx.AsyncClient) -> None:
    spec = (await net.get("/openapi.json")).json()
    operations = {
        operation["operationId"]: operation
        for item in spec["paths"].values()
        for operation in item.values()
    }
    for name in (
        "get_network",
        "list_network_centrality",
        "list_network_communities",
        "get_country_paths",
        "list_dyad_years",
    ):
        assert operations[name]["tags"] == ["analytics"]
        for parameter in operations[name]["parameters"]:
            assert parameter.get("description"), (name, parameter["name"])
            assert "examples" in parameter or "examples" in parameter["schema"], (
                name,
                parameter["name"],
            )
        assert "422" in operations[name]["responses"], name
    # An unknown country or organization: 404 (a country in the dyad-year filter is a 422).
    for name in ("get_network", "list_network_centrality", "get_country_paths"):
        assert "404" in operations[name]["responses"], name
    network_content = operations["get_network"]["responses"]["200"]["content"]
    assert {"application/json", "text/csv", "application/graphml+xml"} <= set(network_content)


# --- the seeded data -----------------------------------------------------------------------


async def test_seeded_centrality_2024_organizations(api: httpx.AsyncClient) -> None:
    # In 2024, by organizations only, the USA has the most partners: 31 in NATO (32 with
    # Sweden) and 17 in ADMM-Plus (18 members), 48 in all (AUS, NZL, JPN, IND, GBR, CAN are
    # among them); weighted, 48 + Five Eyes 4 + ANZUS 1 (AUS) + AUKUS 2 + Quad 3 = 58.
    body = await _json(
        api, "/v1/network/centrality", year=2024, channel="organization", sort="-degree"
    )
    top = body["data"][0]
    assert top["country"]["iso3"] == "USA"
    assert (top["degree"], top["weighted_degree"]) == (48, 58)
    assert top["ranks"] == {"degree": 1, "weighted_degree": 1, "betweenness": 1}


async def test_seeded_paths_2024_organizations(api: httpx.AsyncClient) -> None:
    # France (NATO) reaches Indonesia (ASEAN, ADMM, ADMM-Plus) only through the United
    # States, the one NATO member in ADMM-Plus.
    body = await _json(api, "/v1/countries/FRA/paths/IDN", year=2024, channel="organization")
    assert (body["length"], body["total"]) == (2, 1)
    (path,) = body["data"]
    assert _iso3s(path["countries"]) == ["FRA", "USA", "IDN"]
    assert [[t["initiative"]["slug"] for t in hop["ties"]] for hop in path["hops"]] == [
        ["nato"],
        ["admm-plus"],
    ]
    # New Zealand reaches France through its Five Eyes partners in NATO: the UK (Five Eyes
    # and the FPDA: strength 2 + 1) and the USA (Five Eyes and ADMM-Plus: 2 + 1) first, then
    # Canada (1 + 1).
    body = await _json(api, "/v1/countries/NZL/paths/FRA", year=2024, channel="organization")
    assert [_iso3s(path["countries"]) for path in body["data"]] == [
        ["NZL", "GBR", "FRA"],
        ["NZL", "USA", "FRA"],
        ["NZL", "CAN", "FRA"],
    ]
    assert [path["strength"] for path in body["data"]] == [3, 3, 2]
    assert [t["initiative"]["slug"] for t in body["data"][0]["hops"][0]["ties"]] == [
        "five-eyes",
        "fpda",
    ]
    assert [t["initiative"]["slug"] for t in body["data"][1]["hops"][0]["ties"]] == [
        "admm-plus",
        "five-eyes",
    ]


async def test_seeded_blocs_2025(api: httpx.AsyncClient) -> None:
    # In 2025 the eleven ASEAN members (Timor-Leste from October) form one bloc: they share
    # ASEAN, ADMM and ADMM-Plus, where their other partners share only ADMM-Plus.
    body = await _json(api, "/v1/network/communities", year=2025, limit=500)
    (asean,) = [bloc for bloc in body["data"] if "IDN" in _iso3s(bloc["members"])]
    assert _iso3s(asean["members"]) == ASEAN
    assert "cybercrime" in {threat["slug"] for threat in asean["threats"]}


async def test_seeded_dyad_year_indonesia_malaysia_2024(api: httpx.AsyncClient) -> None:
    # IDN-MYS in 2024: six organizations (ASEAN, ADMM, ADMM-Plus, the Malacca Straits Patrol,
    # the Sulu Sea arrangement, Our Eyes), one operation (UNIFIL).
    (row,) = await _dyads(api, year_gte=2024, year_lte=2024, country=["IDN", "MYS"], within=True)
    assert (row["organizations"], row["operations"]) == (6, 1)
    assert row["ties"] == (
        row["organizations"]
        + row["exercises"]
        + row["agreements"]
        + row["operations"]
        + row["transfers"]
    )
    assert {"cybercrime", "terrorism"} <= set(row["threats"])


async def test_seeded_network_formats_agree(api: httpx.AsyncClient) -> None:
    params: dict[str, Any] = {"year": 2024, "channel": "organization"}
    network = await _json(api, "/v1/network", **params)
    assert _edges(network)[("FRA", "USA")]["channels"]["organization"] == 1
    graphml = await api.get("/v1/network", params={**params, "format": "graphml"})
    graph = nx.parse_graphml(graphml.text)
    assert graph.number_of_nodes() == network["meta"]["nodes"]
    assert graph.number_of_edges() == network["meta"]["edges"]
    edge_list = await api.get("/v1/network", params={**params, "format": "csv"})
    assert len(edge_list.text.splitlines()) == network["meta"]["edges"] + 1
