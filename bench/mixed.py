"""Reads under writes (issue 18): read-only throughput against the same reads with writers.

    python bench/mixed.py [--postgres URL] [--duration 20] [--readers 8] [--scale 0]

On each backend (SQLite, and PostgreSQL when a URL is given): a fresh database migrated and
seeded (`--scale N`: plus the synthetic data of bench/run.py at N), `uvicorn
app.main:create_app` with 2 workers, then two phases of `--duration` seconds each. Readers
loop over country detail, partners, a pair, centrality and a dyad-year CSV (each reader with
its own keep-alive connection). In the mixed phase a curator also writes about once a
second, alternating a description PATCH (changes no tie) and a membership PUT/DELETE
(changes ties, and so the network measures). Prints one table: reads per second, p50, p99
and 5xx, read-only against mixed, and the writes acknowledged.
Goal: mixed reads keep at least half of the read-only throughput, p99 under 1 s, no 5xx.
"""

import argparse
import http.client
import json
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
for entry in (str(BENCH.parent), str(BENCH)):
    if entry not in sys.path:
        sys.path.insert(0, entry)

from run import HOST, Processes, uvicorn_server  # noqa: E402
from synthetic import generate, migrate_and_seed  # noqa: E402

from app.auth.keys import create_key  # noqa: E402
from app.auth.models import Scope  # noqa: E402
from app.core.config import Settings  # noqa: E402
from app.core.db import create_db_engine, session_factory  # noqa: E402

ORGANIZATION = "nato"
JOINER = "NZL"  # not a NATO member in the seed data
COUNTRIES = ("USA", "FRA", "DEU", "IND", "BRA", "JPN", "ZAF", "AUS")
DYAD_CSV = "/v1/dyad-years?year_gte=2015&year_lte=2020&format=csv"


def read_paths() -> list[str]:
    paths = []
    for index, code in enumerate(COUNTRIES):
        other = COUNTRIES[(index + 1) % len(COUNTRIES)]
        paths += [
            f"/v1/countries/{code}",
            f"/v1/countries/{code}/partners",
            f"/v1/countries/{code}/partners/{other}",
            "/v1/network/centrality",
        ]
    return [*paths, DYAD_CSV]


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    server_errors: int = 0
    other: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def reader(port: int, paths: list[str], offset: int, stop: threading.Event, tally: Tally) -> None:
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    index = offset
    while not stop.is_set():
        path = paths[index % len(paths)]
        index += 1
        started = time.perf_counter()
        try:
            connection.request("GET", path, headers={"Accept-Encoding": "gzip"})
            response = connection.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            connection.close()
            connection = http.client.HTTPConnection(HOST, port, timeout=60)
            status = 599
        elapsed = time.perf_counter() - started
        with tally.lock:
            tally.latencies.append(elapsed)
            if status >= 500:
                tally.server_errors += 1
            elif status != 200:
                tally.other += 1
    connection.close()


def _request(
    connection: http.client.HTTPConnection, method: str, path: str, key: str, **extra: object
) -> tuple[int, dict[str, str], bytes]:
    headers = {"X-API-Key": key, **extra.get("headers", {})}  # type: ignore[dict-item]
    body = extra.get("body")
    if body is not None:
        headers["Content-Type"] = "application/json"
    connection.request(method, path, body=json.dumps(body) if body is not None else None,
                       headers=headers)  # fmt: skip
    response = connection.getresponse()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()


def writer(
    port: int, key: str, source: str, stop: threading.Event, acknowledged: list[int]
) -> None:
    """About one write a second, alternating one that changes no tie and one that does."""
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    organization = f"/v1/organizations/{ORGANIZATION}"
    step = 0
    while not stop.wait(1.0):
        _, headers, _ = _request(connection, "GET", organization, key)
        if_match = {"If-Match": headers["etag"]}
        if step % 2 == 0:
            status, _, _ = _request(connection, "PATCH", organization, key, headers=if_match,
                                    body={"description": f"Mixed bench write {step}."})  # fmt: skip
        elif step % 4 == 1:
            period = {"role": "member", "start_date": "1990-01-01", "sources": [{"source": source}]}
            status, _, _ = _request(connection, "PUT", f"{organization}/members/{JOINER}", key,
                                    headers=if_match, body={"periods": [period]})  # fmt: skip
        else:
            status, _, _ = _request(connection, "DELETE", f"{organization}/members/{JOINER}",
                                    key, headers=if_match)  # fmt: skip
        if status in (200, 204):
            acknowledged.append(status)
        else:
            print(f"  write {step}: {status}", file=sys.stderr)
        step += 1
    connection.close()


def _percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


def phase(
    port: int, readers: int, duration: float, key: str | None, source: str
) -> dict[str, float]:
    paths = read_paths()
    tally, stop = Tally(), threading.Event()
    acknowledged: list[int] = []
    threads = [
        threading.Thread(target=reader, args=(port, paths, n * 3, stop, tally))
        for n in range(readers)
    ]
    if key is not None:
        threads.append(
            threading.Thread(target=writer, args=(port, key, source, stop, acknowledged))
        )
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    time.sleep(duration)
    stop.set()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    return {
        "req_s": len(tally.latencies) / seconds,
        "p50_ms": statistics.median(tally.latencies) * 1000 if tally.latencies else 0.0,
        "p99_ms": _percentile(tally.latencies, 0.99) * 1000,
        "5xx": tally.server_errors,
        "other": tally.other,
        "writes": len(acknowledged),
    }


def prepare(url: str, scale: int) -> str:
    """Migrates and seeds the database at `url` (plus the synthetic data at `scale` > 0);
    the secret of a new curator key."""
    if scale > 0:
        generate(url, scale, log=lambda line: print(line, file=sys.stderr))
    else:
        migrate_and_seed(url)
    engine = create_db_engine(Settings(database_url=url))
    with session_factory(engine).begin() as session:
        _, secret = create_key(session, name="mixed-bench", scope=Scope.curator, by="bench")
    engine.dispose()
    return secret


def bench(label: str, url: str, args: argparse.Namespace) -> list[list[str]]:
    key = prepare(url, args.scale)
    env = {"DATABASE_URL": url, "RATE_LIMIT_WRITES": "1000000"}
    processes = Processes()
    server = processes.start(uvicorn_server("defcoop", "app.main:create_app", env, "/health"))
    try:
        server.wait_ready()
        probe = http.client.HTTPConnection(HOST, server.port, timeout=60)
        probe.request("GET", "/v1/sources?limit=1")
        source = json.loads(probe.getresponse().read())["data"][0]["id"]
        for path in read_paths():  # warm: every worker builds the network once
            for _ in range(2):
                probe.request("GET", path)
                probe.getresponse().read()
        probe.close()
        rows = []
        for name, writes in (("read-only", False), ("mixed", True)):
            print(f"  {label}: {name} for {args.duration:.0f} s ...", file=sys.stderr)
            result = phase(server.port, args.readers, args.duration, key if writes else None,
                           source)  # fmt: skip
            rows.append(
                [label, name, f"{result['req_s']:.0f}", f"{result['p50_ms']:.0f}",
                 f"{result['p99_ms']:.0f}", str(result["5xx"]),
                 str(result["writes"]) if writes else "-"]
            )  # fmt: skip
        return rows
    finally:
        processes.stop(server)


def _postgres_database(admin_url: str) -> str:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = "defcoop_bench_mixed"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", metavar="URL", help="also bench PostgreSQL there")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per phase")
    parser.add_argument("--readers", type=int, default=8, help="concurrent reading clients")
    parser.add_argument(
        "--scale", type=int, default=0, help="0: the seed data; N: plus the synthetic data at N"
    )
    args = parser.parse_args()
    rows: list[list[str]] = []
    with tempfile.TemporaryDirectory(prefix="defcoop-mixed-") as directory:
        rows += bench("sqlite", f"sqlite:///{directory}/mixed.db", args)
        if args.postgres:
            rows += bench("postgresql", _postgres_database(args.postgres), args)
    header = ["backend", "phase", "req/s", "p50 ms", "p99 ms", "5xx", "writes ok"]
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, ["-" * w for w in widths], *rows]:
        print(" | ".join(str(cell).ljust(w) for cell, w in zip(row, widths, strict=True)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
