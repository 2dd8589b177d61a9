"""defcoop on the database `make run` builds: every bundled dataset imported (issues 13 and 14).

    python bench/datasets.py [--database sqlite:///PATH] [--rebuild] [--requests 200]

The database is the one of `make seed` (migrate, the curated seed, then the imports of MME,
DCAD, IPI, COW IGO and ATOP), built by running that target itself with DATABASE_URL pointing
at bench/.data/default-<fingerprint>.db, so that the list of imports stays in the Makefile
alone; it is built when missing (~1 min) and kept for the next run. The fingerprint hashes the
code, the seed and the bundled datasets, so a change to any of them builds it afresh.

Each endpoint is requested in this process through the ASGI app (no network, one request at a
time) with `Cache-Control: no-cache`, so every request runs its queries (the response cache
is bypassed, RFC 9111); it prints p50/p95/p99 per endpoint in ms and writes the table and the
samples' summary to bench/results/datasets.json. The busiest country is the one with the most
partners in the per-pair aggregates (ties break it). No test asserts a time.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DATA_DIR = BENCH / ".data"
RESULTS_DIR = BENCH / "results"
VENV = Path(sys.executable).parent.parent
# What the database depends on: the schema, the code that writes it, the seed, the datasets.
FINGERPRINT_GLOBS = ("Makefile", "migrations/**/*.py", "app/**/*.py", "seed/**/*")
NO_CACHE = {"Cache-Control": "no-cache", "Accept-Encoding": "gzip"}
# The goal of issues 7 and 14: partners of the busiest country, server-side p50.
PARTNERS_GOAL_MS = 20.0


def fingerprint() -> str:
    digest = hashlib.sha256()
    for pattern in FINGERPRINT_GLOBS:
        for path in sorted(ROOT.glob(pattern)):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(ROOT)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def build(url: str) -> float:
    """`make seed` on `url`, with this interpreter's environment; the venv's install stamp is
    taken as made (`-o`): this script never installs anything."""
    started = time.perf_counter()
    subprocess.run(
        ["make", "--no-print-directory", "-C", str(ROOT), "-o", str(VENV / ".installed"),
         f"VENV={VENV}", "seed"],
        env={**os.environ, "DATABASE_URL": url},
        check=True,
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    return time.perf_counter() - started


def busiest_country(url: str) -> tuple[str, int]:
    """The country with the most partners (then the most shared initiatives)."""
    from sqlalchemy import func, select

    from app.cooperation.models import PartnerChannel
    from app.core.config import Settings
    from app.core.db import create_db_engine
    from app.countries.models import Country

    engine = create_db_engine(Settings(database_url=url))
    try:
        with engine.connect() as connection:
            partners = func.count(PartnerChannel.partner_id.distinct())
            row = connection.execute(
                select(Country.iso3, partners)
                .join(PartnerChannel, PartnerChannel.country_id == Country.id)
                .group_by(Country.iso3)
                .order_by(partners.desc(), func.sum(PartnerChannel.initiatives).desc())
                .limit(1)
            ).one()
    finally:
        engine.dispose()
    return row[0], row[1]


@dataclass(frozen=True)
class Endpoint:
    label: str
    path: str


def endpoints(busy: str) -> list[Endpoint]:
    partners = f"/v1/countries/{busy}/partners"
    return [
        Endpoint(f"country detail {busy}", f"/v1/countries/{busy}"),
        Endpoint(f"partners {busy} (busiest)", partners),
        Endpoint(f"partners {busy} limit=500", f"{partners}?limit=500"),
        Endpoint(f"partners {busy} threat=armed-conflict", f"{partners}?threat=armed-conflict"),
        Endpoint(f"partners {busy} channel=agreement", f"{partners}?channel=agreement"),
        Endpoint(f"partners {busy} technology_transfer", f"{partners}?technology_transfer=true"),
        Endpoint(f"partners {busy} obligation=defense", f"{partners}?obligation=defense"),
        Endpoint(f"partners {busy} year=2000", f"{partners}?year=2000"),
        Endpoint(f"partners {busy} sort=-tie_years", f"{partners}?sort=-tie_years"),
        Endpoint("partners IDN", "/v1/countries/IDN/partners"),
        Endpoint(f"pair {busy}-GBR", f"/v1/countries/{busy}/partners/GBR"),
        Endpoint("countries list page", "/v1/countries"),
        Endpoint("alliances list page", "/v1/alliances"),
        Endpoint("agreements technology_transfer", "/v1/agreements?technology_transfer=true"),
        Endpoint("meta", "/v1/meta"),
    ]


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000


async def measure(url: str, eps: list[Endpoint], requests: int, budget_s: float) -> list[Any]:
    import httpx

    from app.core.config import Settings
    from app.main import create_app

    app = create_app(Settings(database_url=url))
    rows: list[dict[str, Any]] = []
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        for ep in eps:
            first = await client.get(ep.path, headers=NO_CACHE)
            samples: list[float] = []
            cpu: list[float] = []
            deadline = time.perf_counter() + budget_s
            while len(samples) < requests and (len(samples) < 20 or time.perf_counter() < deadline):
                started, cpu_started = time.perf_counter(), time.process_time()
                response = await client.get(ep.path, headers=NO_CACHE)
                samples.append(time.perf_counter() - started)
                cpu.append(time.process_time() - cpu_started)
                if response.status_code != first.status_code:
                    raise RuntimeError(f"{ep.path}: {response.status_code} after {first}")
            rows.append(
                {
                    "endpoint": ep.label,
                    "path": ep.path,
                    "status": first.status_code,
                    "total": _total(first.json()) if first.status_code == 200 else None,
                    "n": len(samples),
                    "p50": percentile(samples, 0.5),
                    "p95": percentile(samples, 0.95),
                    "p99": percentile(samples, 0.99),
                    "mean": statistics.fmean(samples) * 1000,
                    "cpu50": percentile(cpu, 0.5),
                }
            )
            print(f"  {ep.label}: p50 {rows[-1]['p50']:.1f} ms", file=sys.stderr)
    app.state.engine.dispose()
    return rows


def _total(body: dict[str, Any]) -> int | None:
    """A list's `meta.total`: how many rows the endpoint answered with."""
    meta = body.get("meta")
    return meta.get("total") if isinstance(meta, dict) else None


def render(results: dict[str, Any]) -> str:
    lines = [
        f"defcoop on the default database (make seed: every bundled dataset)  "
        f"{results['started']}  load average {results['load_average'][0]}..."
        f"{results['load_average'][1]}",
        f"database {results['database']} ({results['built']}); busiest country "
        f"{results['busiest']} with {results['busiest_partners']} partners",
        "in-process through the ASGI app, one request at a time, Cache-Control: no-cache (ms; "
        "cpu50: this process's CPU time per request, which other processes' load does not "
        "stretch as it stretches the wall-clock percentiles)",
        f"{'endpoint':44} {'status':>6} {'total':>6} {'n':>5} {'p50':>8} {'p95':>8} {'p99':>8} "
        f"{'cpu50':>8}",
    ]
    for row in results["rows"]:
        total = "" if row["total"] is None else str(row["total"])
        lines.append(
            f"{row['endpoint']:44} {row['status']:>6} {total:>6} {row['n']:>5} "
            f"{row['p50']:8.1f} {row['p95']:8.1f} {row['p99']:8.1f} {row['cpu50']:8.1f}"
        )
    busiest = results["rows"][1]
    verdict = "ok" if busiest["p50"] < PARTNERS_GOAL_MS else "MISS"
    lines.append(
        f"goal: partners of the busiest country p50 < {PARTNERS_GOAL_MS:.0f} ms: "
        f"{busiest['p50']:.1f} ms {verdict} (CPU {busiest['cpu50']:.1f} ms)"
    )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description="defcoop on the default database")
    parser.add_argument("--database", help="an existing database URL (default: built here)")
    parser.add_argument("--rebuild", action="store_true", help="build the database afresh")
    parser.add_argument("--requests", type=int, default=200, help="requests per endpoint")
    parser.add_argument("--budget", type=float, default=15.0, help="seconds per endpoint")
    args = parser.parse_args()
    load_start = os.getloadavg()[0]
    built = "given"
    url = args.database
    if url is None:
        path = DATA_DIR / f"default-{fingerprint()}.db"
        url = f"sqlite:///{path}"
        if args.rebuild:
            path.unlink(missing_ok=True)
        if path.exists():
            built = "cached"
        else:
            DATA_DIR.mkdir(parents=True, exist_ok=True)
            print(f"building {path} with `make seed` ...", file=sys.stderr)
            built = f"built in {build(url):.0f} s"
    busy, partners = busiest_country(url)
    results: dict[str, Any] = {
        "started": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "database": url,
        "built": built,
        "busiest": busy,
        "busiest_partners": partners,
        "rows": asyncio.run(measure(url, endpoints(busy), args.requests, args.budget)),
    }
    results["load_average"] = (f"{load_start:.1f}", f"{os.getloadavg()[0]:.1f}")
    table = render(results)
    results["table"] = table.splitlines()
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    (RESULTS_DIR / "datasets.json").write_text(json.dumps(results, indent=2) + "\n")
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
