"""Network measures shared by the workers: two app instances on one database play two workers
(each engine keeps its own networks), and the computations are counted from the log."""

import asyncio
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import networkx as nx  # type: ignore[import-untyped]
import pytest
from fastapi import FastAPI
from sqlalchemy import create_engine, event
from sqlalchemy.orm import Session

from app.analytics import figures
from app.analytics.graph import (
    DEFAULT_RESOLUTION,
    DEFAULT_SEED,
    Centrality,
    NetworkFilters,
    Ranks,
    build_network,
    competition_ranks,
)
from app.analytics.models import NetworkFigures
from app.core.config import Settings
from app.main import create_app
from tests.conftest import client_for, make_key

pytestmark = pytest.mark.anyio

NO_CACHE = {"Cache-Control": "no-cache"}  # past the response cache, to the network
MEMBERSHIP = {
    "periods": [
        {
            "role": "member",
            "start_date": "2024-01-01",
            "sources": [{"source": "article", "locator": "shared figures"}],
        }
    ]
}


def computations(caplog: pytest.LogCaptureFixture, measure: str) -> int:
    return sum(
        1
        for record in caplog.records
        if record.name == figures.__name__ and f"computed {measure} " in record.getMessage()
    )


@dataclass(frozen=True)
class Fresh:
    """The default network's measures as the database holds it now, computed here with
    networkx as the API did before the measures were shared (and stored nowhere)."""

    fingerprint: str
    centrality: dict[str, Centrality]
    blocs: list[list[str]]


def fresh_default_network(url: str) -> Fresh:
    engine = create_engine(url)
    try:
        with Session(engine) as session:
            network = build_network(session, NetworkFilters())
    finally:
        engine.dispose()
    graph = network.graph
    betweenness = {
        node: round(value, 6)
        for node, value in nx.betweenness_centrality(
            graph, weight="distance", normalized=True
        ).items()
    }
    degree, weighted = dict(graph.degree()), dict(graph.degree(weight="weight"))
    ranks = [competition_ranks(values) for values in (degree, weighted, betweenness)]
    centrality = {
        node: Centrality(
            node,
            graph.nodes[node]["name"],
            degree[node],
            weighted[node],
            betweenness[node],
            Ranks(*(ranked[node] for ranked in ranks)),
        )
        for node in graph
    }
    found = nx.community.louvain_communities(
        graph, weight="weight", resolution=DEFAULT_RESOLUTION, seed=DEFAULT_SEED
    )
    blocs = sorted((sorted(bloc) for bloc in found), key=lambda bloc: (-len(bloc), bloc[0]))
    return Fresh(network.fingerprint, centrality, blocs)


def expected_centrality(network: Fresh) -> list[dict[str, Any]]:
    rows = sorted(network.centrality.values(), key=lambda row: (-row.degree, row.iso3))
    return [
        {
            "iso3": row.iso3,
            "degree": row.degree,
            "weighted_degree": row.weighted_degree,
            "betweenness": row.betweenness,
            "ranks": {
                "degree": row.ranks.degree,
                "weighted_degree": row.ranks.weighted_degree,
                "betweenness": row.ranks.betweenness,
            },
        }
        for row in rows
    ]


async def centrality(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    """Every row of GET /v1/network/centrality, page after page."""
    rows: list[dict[str, Any]] = []
    url: str | None = "/v1/network/centrality?limit=100"
    while url is not None:
        response = await client.get(url, headers=NO_CACHE)
        assert response.status_code == 200, response.text
        page = response.json()
        rows += [
            {"iso3": row["country"]["iso3"]}
            | {k: row[k] for k in ("degree", "weighted_degree")}
            | {"betweenness": row["betweenness"], "ranks": row["ranks"]}
            for row in page["data"]
        ]
        url = page["links"]["next"]
    return rows


def stored(url: str, fingerprint: str, measure: str) -> NetworkFigures | None:
    engine = create_engine(url)
    try:
        with Session(engine) as session:
            return session.get(NetworkFigures, (fingerprint, measure))
    finally:
        engine.dispose()


def store_reads(app: FastAPI) -> list[str]:
    """The statements `app` runs on the figures table, from now on."""
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if "network_figures" in statement:
            statements.append(statement)

    event.listen(app.state.engine, "before_cursor_execute", record)
    return statements


async def test_a_second_worker_serves_the_stored_centrality_without_computing(
    fresh_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=figures.__name__)
    first = create_app(Settings(database_url=fresh_url))
    second = create_app(Settings(database_url=fresh_url))
    network = fresh_default_network(fresh_url)
    async with client_for(first) as a, client_for(second) as b:
        from_first = await centrality(a)
        assert computations(caplog, "centrality") == 1
        row = stored(fresh_url, network.fingerprint, "centrality")
        assert row is not None and row.figures is not None

        second_reads = store_reads(second)
        from_second = await centrality(b)
        usa = (await b.get("/v1/countries/USA", headers=NO_CACHE)).json()["network"]
        assert computations(caplog, "centrality") == 1  # the second worker read the row
        assert second_reads, "the second worker has networks of its own: it read the store"

    assert from_first == from_second == expected_centrality(network)
    usa_expected = network.centrality["USA"]
    assert (usa["degree"], usa["betweenness"]) == (usa_expected.degree, usa_expected.betweenness)
    assert usa["ranks"]["betweenness"] == usa_expected.ranks.betweenness


async def wait_for_stored(url: str, fingerprint: str, measure: str) -> NetworkFigures:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        row = stored(url, fingerprint, measure)
        if row is not None and row.figures is not None:
            return row
        await asyncio.sleep(0.05)
    raise AssertionError(f"{measure} of {fingerprint} was never stored")


async def test_a_tie_changing_write_computes_the_new_figures_once_at_commit(
    fresh_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=figures.__name__)
    key = make_key(fresh_url, "shared figures")
    writer = create_app(Settings(database_url=fresh_url))
    reader = create_app(Settings(database_url=fresh_url))
    async with client_for(writer, key=key) as a, client_for(reader) as b:
        before = await centrality(b)
        assert computations(caplog, "centrality") == 1

        # ASEAN is a party to agreements: a new member gains ties through both channels.
        written = await a.put("/v1/organizations/asean/members/PNG", json=MEMBERSHIP)
        assert written.status_code == 200, written.text
        network = fresh_default_network(fresh_url)
        # The writer's worker computes them after the commit, in the background.
        row = await wait_for_stored(fresh_url, network.fingerprint, "centrality")
        blocs_measure = f"blocs {DEFAULT_RESOLUTION!r} {DEFAULT_SEED}"
        await wait_for_stored(fresh_url, network.fingerprint, blocs_measure)
        version = int((await b.get("/v1/meta", headers=NO_CACHE)).json()["data_version"])
        assert row.data_version == version

        after = await centrality(b)
        png = (await b.get("/v1/countries/PNG", headers=NO_CACHE)).json()["network"]
        communities = await b.get("/v1/network/communities?limit=100", headers=NO_CACHE)
        # Once before the write, once after it: the reader computed nothing after the write.
        assert computations(caplog, "centrality") == 2
        assert computations(caplog, "blocs") == 1

    assert after == expected_centrality(network) != before
    assert png["data_version"] == version
    assert (png["degree"], png["betweenness"]) == (
        network.centrality["PNG"].degree,
        network.centrality["PNG"].betweenness,
    )
    members = [
        sorted(country["iso3"] for country in bloc["members"])
        for bloc in communities.json()["data"]
    ]
    assert members == network.blocs[: len(members)]


def claim(url: str, fingerprint: str, claimed_at: datetime) -> None:
    """A claim on the centrality that its worker will never complete."""
    engine = create_engine(url)
    try:
        with Session(engine) as session:
            session.add(
                NetworkFigures(
                    fingerprint=fingerprint,
                    measure="centrality",
                    data_version=0,
                    claim="a worker that died",
                    claimed_at=claimed_at,
                )
            )
            session.commit()
    finally:
        engine.dispose()


async def test_a_stale_claim_is_taken_over(
    fresh_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=figures.__name__)
    network = fresh_default_network(fresh_url)
    claim(fresh_url, network.fingerprint, datetime.now(UTC) - timedelta(hours=1))
    async with client_for(create_app(Settings(database_url=fresh_url))) as client:
        assert await centrality(client) == expected_centrality(network)
    assert computations(caplog, "centrality") == 1
    row = stored(fresh_url, network.fingerprint, "centrality")
    assert row is not None and row.figures is not None and row.claim != "a worker that died"


async def test_readers_wait_for_a_live_claim_until_it_expires(
    fresh_url: str, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    caplog.set_level(logging.INFO, logger=figures.__name__)
    monkeypatch.setattr(figures, "CLAIM_EXPIRES_AFTER", timedelta(seconds=1))
    network = fresh_default_network(fresh_url)
    async with client_for(create_app(Settings(database_url=fresh_url))) as client:
        started = time.monotonic()
        claim(fresh_url, network.fingerprint, datetime.now(UTC))
        response = await client.get("/v1/countries/FRA", headers=NO_CACHE)
        waited = time.monotonic() - started
    assert response.status_code == 200
    assert response.json()["network"]["betweenness"] == network.centrality["FRA"].betweenness
    assert 1 <= waited < 30  # it waited for the claimant, then computed itself
    assert computations(caplog, "centrality") == 1
    assert any("took over a stale claim" in record.getMessage() for record in caplog.records)


async def test_a_locked_sqlite_store_does_not_hold_a_reader(
    fresh_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """SQLite: while a write holds the lock, a reader that finds no figures computes them
    itself (after a short wait, not the busy timeout of requests), and answers the same."""
    if not fresh_url.startswith("sqlite"):
        pytest.skip("one writer at a time is SQLite's")
    caplog.set_level(logging.INFO, logger=figures.__name__)
    network = fresh_default_network(fresh_url)
    app = create_app(Settings(database_url=fresh_url, sqlite_busy_timeout_ms=20_000))
    holder = create_engine(fresh_url)
    async with client_for(app) as client:
        with holder.connect() as writer:
            writer.exec_driver_sql("BEGIN EXCLUSIVE")
            started = time.monotonic()
            rows = await centrality(client)
            waited = time.monotonic() - started
            writer.rollback()
    holder.dispose()
    assert rows == expected_centrality(network)
    assert waited < 10  # not the 20 s busy timeout
    assert computations(caplog, "centrality") == 1
    assert any("store unavailable" in record.getMessage() for record in caplog.records)
    assert stored(fresh_url, network.fingerprint, "centrality") is None
