"""The defcoop benchmark: defcoop against datasette and the bare-Starlette ceiling, in one run.

    python bench/run.py [--quick] [--postgres URL] [--scales 1,10]

For each scale (and engine): generate the synthetic dataset (cached under bench/.data), start
defcoop (`defcoop serve --workers 2`), datasette on the same SQLite file with canned queries
over the fact tables, and a bare Starlette app, all under uvicorn with 2 workers; drive them
with wrk (or a bounded Python load generator) from this process, alternating defcoop and
datasette per endpoint; time the partners SQL with the database driver; read each worker's
memory; time the MME import. Prints one table and writes it as JSON to
bench/results/latest.json. Only 127.0.0.1 is contacted, and every process started here is
stopped on exit, error or Ctrl-C. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import http.client
import io
import json
import os
import platform
import pstats
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
for entry in (str(ROOT), str(BENCH)):
    if entry not in sys.path:
        sys.path.insert(0, entry)

import naive_sql  # noqa: E402
import synthetic  # noqa: E402

DATA_DIR = BENCH / ".data"
RESULTS_DIR = BENCH / "results"
VENV_BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
THREAT = "armed-conflict"
WORKERS = 2
MAX_DURATION = 20.0  # seconds, for one measurement of a slow endpoint
SLOW = 0.25  # seconds for one request alone: a slow endpoint
NO_CACHE = {"Cache-Control": "no-cache"}  # past defcoop's response cache (RFC 9111)


def load_average() -> str:
    with contextlib.suppress(OSError):
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    return "?"


_T0 = time.perf_counter()


def log(message: str) -> None:
    print(f"[{time.perf_counter() - _T0:6.1f}s] {message}", file=sys.stderr, flush=True)


# --- processes ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Server:
    """One uvicorn server (a supervisor and its workers) in its own process group."""

    name: str
    command: list[str]
    env: dict[str, str]
    health: str
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None

    def start(self, log_dir: Path) -> None:
        self.log_path = log_dir / f"{self.name}.log"
        command = [part.replace("{port}", str(self.port)) for part in self.command]
        with self.log_path.open("wb") as handle:
            self.process = subprocess.Popen(
                command,
                env={**os.environ, **self.env},
                stdout=handle,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                cwd=ROOT,
                start_new_session=True,
            )

    def wait_ready(self, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited at start; see {self.log_path}")
            with contextlib.suppress(OSError):
                if http_get(self.port, self.health, timeout=2).status == 200:
                    return
            time.sleep(0.3)
        raise RuntimeError(f"{self.name} not ready after {timeout:.0f} s; see {self.log_path}")

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)

    def workers(self) -> list[dict[str, Any]]:
        """Resident memory of each worker process (children of the uvicorn supervisor)."""
        if self.process is None:
            return []
        out = []
        for pid in _children(self.process.pid):
            status = _proc_status(pid)
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
            if b"resource_tracker" in cmdline:
                continue
            out.append(
                {
                    "pid": pid,
                    "rss_mb": round(status.get("VmRSS", 0) / 1024, 1),
                    "peak_mb": round(status.get("VmHWM", 0) / 1024, 1),
                }
            )
        return out


def _children(parent: int) -> list[int]:
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            stat = (entry / "stat").read_text()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if ppid == parent:
                children.append(int(entry.name))
    return sorted(children)


def _proc_status(pid: int) -> dict[str, int]:
    values: dict[str, int] = {}
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, rest = line.partition(":")
            if rest.strip().endswith("kB"):
                values[key] = int(rest.split()[0])
    return values


class Processes:
    """Every server started by this run; all are stopped on exit, error or signal."""

    def __init__(self) -> None:
        self.servers: list[Server] = []
        self.log_dir = DATA_DIR / "logs"
        self.log_dir.mkdir(parents=True, exist_ok=True)

    def start(self, server: Server) -> Server:
        self.servers.append(server)
        server.start(self.log_dir)
        return server

    def stop(self, server: Server) -> None:
        server.stop()
        if server in self.servers:
            self.servers.remove(server)

    def stop_all(self) -> None:
        for server in reversed(self.servers):
            with contextlib.suppress(Exception):
                server.stop()
        self.servers.clear()


def _raise_on_sigterm(signum: int, _frame: Any) -> None:
    raise SystemExit(128 + signum)


# --- HTTP ---------------------------------------------------------------------------------


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float = 0.0


def http_get(
    port: int, path: str, headers: dict[str, str] | None = None, timeout: float = 120
) -> Reply:
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    started = time.perf_counter()
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        body = response.read()
        headers_out = {k.lower(): v for k, v in response.getheaders()}
        return Reply(response.status, headers_out, body, time.perf_counter() - started)
    finally:
        connection.close()


@dataclass
class Load:
    """What one load run (or the merge of several rounds) measured."""

    requests: int = 0
    seconds: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    statuses: dict[str, int] = field(default_factory=dict)
    socket_errors: int = 0
    unexpected: int = 0  # responses whose status was not the expected one, + socket errors
    body_bytes: int = 0
    rounds: int = 0

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @classmethod
    def merge(cls, runs: list[Load]) -> Load:
        merged = cls(rounds=len(runs))
        for run in runs:
            merged.requests += run.requests
            merged.seconds += run.seconds
            merged.socket_errors += run.socket_errors
            merged.unexpected += run.unexpected
            merged.body_bytes += run.body_bytes
            for status, n in run.statuses.items():
                merged.statuses[status] = merged.statuses.get(status, 0) + n
        if runs:
            merged.p50_ms = statistics.median(run.p50_ms for run in runs)
            merged.p99_ms = statistics.median(run.p99_ms for run in runs)
        return merged


@dataclass
class LoadSettings:
    duration: float
    warmup: float
    concurrency: int
    rounds: int
    accept_encoding: str
    generator: str  # "wrk" or "python"


@dataclass(frozen=True)
class LoadRequest:
    """What one load run sends: GET `path` on the server at `port` for `duration` seconds,
    expecting status `expect`."""

    port: int
    path: str
    expect: int
    duration: float
    headers: dict[str, str]


def run_load(
    settings: LoadSettings,
    port: int,
    path: str,
    expect: int,
    duration: float,
    headers: dict[str, str] | None = None,
) -> Load:
    headers = dict(headers or {})
    if settings.accept_encoding:
        headers["Accept-Encoding"] = settings.accept_encoding
    load = LoadRequest(port, path, expect, duration, headers)
    if settings.generator == "wrk":
        return _wrk(settings, load)
    return asyncio.run(_python_load(settings, load))


def _wrk(settings: LoadSettings, load: LoadRequest) -> Load:
    env = {
        **os.environ,
        "BENCH_IF_NONE_MATCH": load.headers.get("If-None-Match", ""),
        "BENCH_ACCEPT_ENCODING": load.headers.get("Accept-Encoding", ""),
        "BENCH_CACHE_CONTROL": load.headers.get("Cache-Control", ""),
    }
    url = f"http://{HOST}:{load.port}{load.path}"
    command = [
        "wrk", "-t1", f"-c{settings.concurrency}", f"-d{max(1, round(load.duration))}s",
        "--timeout", "60s", "-s", str(BENCH / "wrk-report.lua"), url,
    ]  # fmt: skip
    done = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=load.duration + 120, check=False
    )
    line = next((x for x in done.stdout.splitlines() if x.startswith("BENCH_JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr.strip()[-300:]}")
    data = json.loads(line.removeprefix("BENCH_JSON "))
    errors = data["errors"]
    socket_errors = errors["connect"] + errors["read"] + errors["write"] + errors["timeout"]
    statuses = {str(k): int(v) for k, v in data["statuses"].items()}
    good = statuses.get(str(load.expect), 0)
    return Load(
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        statuses=statuses,
        socket_errors=socket_errors,
        unexpected=sum(statuses.values()) - good + socket_errors,
        body_bytes=data["body_bytes"],
        rounds=1,
    )


async def _python_load(settings: LoadSettings, load: LoadRequest) -> Load:
    """A bounded closed-loop generator: `concurrency` clients until the time (or a cap of
    requests) runs out; only 127.0.0.1."""
    import httpx

    max_requests = 200_000
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    errors = 0
    body_bytes = 0
    limits = httpx.Limits(max_connections=settings.concurrency)
    started = time.perf_counter()
    deadline = started + load.duration
    async with httpx.AsyncClient(
        base_url=f"http://{HOST}:{load.port}", limits=limits, timeout=60, headers=load.headers
    ) as client:

        async def worker() -> None:
            nonlocal errors, body_bytes
            while time.perf_counter() < deadline and len(latencies) < max_requests:
                sent = time.perf_counter()
                try:
                    response = await client.get(load.path)
                except httpx.HTTPError:
                    errors += 1
                    continue
                latencies.append(time.perf_counter() - sent)
                key = str(response.status_code)
                statuses[key] = statuses.get(key, 0) + 1
                body_bytes += len(response.content)

        await asyncio.gather(*(worker() for _ in range(settings.concurrency)))
    elapsed = time.perf_counter() - started
    latencies.sort()

    def pct(q: float) -> float:
        return (
            latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000 if latencies else 0
        )

    good = statuses.get(str(load.expect), 0)
    return Load(
        requests=len(latencies),
        seconds=elapsed,
        p50_ms=pct(0.5),
        p99_ms=pct(0.99),
        statuses=statuses,
        socket_errors=errors,
        unexpected=sum(statuses.values()) - good + errors,
        body_bytes=body_bytes,
        rounds=1,
    )


# --- datasets -------------------------------------------------------------------------------


@dataclass
class Target:
    """One database to benchmark: an engine at a scale."""

    engine: str  # sqlite or postgresql
    scale: int
    url: str
    path: Path | None  # the SQLite file
    generated_s: float | None = None  # None: reused from the cache

    @property
    def label(self) -> str:
        return f"{self.engine} {self.scale}x"


def sqlite_dataset(scale: int, fingerprint: str) -> Target:
    path = DATA_DIR / f"sqlite-x{scale}-{fingerprint}.db"
    target = Target("sqlite", scale, f"sqlite:///{path}", path)
    if path.exists():
        return target
    for stale in DATA_DIR.glob(f"sqlite-x{scale}-*.db*"):
        stale.unlink()
    partial = path.with_name(path.name + ".tmp")
    for leftover in DATA_DIR.glob(partial.name + "*"):
        leftover.unlink()
    log(f"generating the {scale}x SQLite dataset (cached as {path.name}) ...")
    report = synthetic.generate(f"sqlite:///{partial}", scale, log=log)
    log(report.line())
    for suffix in ("-wal", "-shm"):
        Path(str(partial) + suffix).unlink(missing_ok=True)
    partial.rename(path)
    target.generated_s = report.seconds
    return target


def postgres_dataset(admin_url: str, scale: int, fingerprint: str) -> Target:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"defcoop_bench_x{scale}_{fingerprint}"
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    target = Target("postgresql", scale, url, None)
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            names = connection.scalars(
                text("SELECT datname FROM pg_database WHERE datname LIKE :p"),
                {"p": f"defcoop_bench_x{scale}_%"},
            ).all()
            complete = f"{name}"
            if complete in names:
                return target
            for stale in names:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{stale}" WITH (FORCE)'))
            building = f"{name}_tmp"
            connection.execute(text(f'CREATE DATABASE "{building}"'))
        log(f"generating the {scale}x PostgreSQL dataset (cached as database {name}) ...")
        building_url = make_url(admin_url).set(database=building)
        report = synthetic.generate(
            building_url.render_as_string(hide_password=False), scale, log=log
        )
        log(report.line())
        with admin.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{building}" RENAME TO "{name}"'))
        target.generated_s = report.seconds
        return target
    finally:
        admin.dispose()


def pick_countries(path: Path) -> tuple[str, str]:
    """The busiest country (most tie rows) and a small one (three quarters down the ranking)."""
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        ranking = db.execute(
            "SELECT c.iso3, count(*) FROM ties t JOIN countries c ON c.id = t.country_id "
            "GROUP BY c.iso3 ORDER BY count(*) DESC, c.iso3"
        ).fetchall()
    return ranking[0][0], ranking[int(len(ranking) * 0.75)][0]


# --- endpoints --------------------------------------------------------------------------------


@dataclass
class Endpoint:
    key: str
    title: str
    defcoop: str
    datasette: str | None
    revalidate: bool = False
    large_scale: bool = True  # also measured at scales > 1
    # False: defcoop is asked with `Cache-Control: no-cache`, past its response cache (the
    # query runs on every request); True: answered from the cache after the first request.
    cached: bool = False

    @property
    def defcoop_headers(self) -> dict[str, str]:
        return {} if self.cached or self.revalidate else dict(NO_CACHE)


def endpoints(busy: str, small: str, datasette_db: str) -> list[Endpoint]:
    ds = f"/{datasette_db}"
    partners = "/v1/countries/{}/partners?limit=50"
    return [
        Endpoint(
            "detail", "country detail", f"/v1/countries/{busy}",
            f"{ds}/country.json?code={busy}&_shape=array", large_scale=False,
        ),
        Endpoint(
            "list", "countries list page", "/v1/countries?limit=50",
            f"{ds}/countries_page.json?_shape=array", large_scale=False,
        ),
        *(
            endpoint
            for size, code, label in (("busy", busy, "busiest"), ("small", small, "small"))
            for endpoint in (
                Endpoint(
                    f"partners_{size}", f"partners {code} ({label})", partners.format(code),
                    f"{ds}/partners.json?code={code}&_shape=array",
                ),
                Endpoint(
                    f"partners_{size}_threat", f"partners {code} threat={THREAT}",
                    partners.format(code) + f"&threat={THREAT}",
                    f"{ds}/partners_threat.json?code={code}&threat={THREAT}&_shape=array",
                ),
            )
        ),
        Endpoint(
            "pair", f"pair {busy}-{small}", f"/v1/countries/{busy}/partners/{small}",
            f"{ds}/pair.json?code={busy}&other={small}&_shape=array",
        ),
        Endpoint(
            "revalidate", f"304 revalidation (partners {busy})", partners.format(busy), None,
            revalidate=True,
        ),
        Endpoint(
            "detail_cached", "country detail, cache hit", f"/v1/countries/{busy}",
            f"{ds}/country.json?code={busy}&_shape=array", large_scale=False, cached=True,
        ),
        Endpoint(
            "list_cached", "countries list, cache hit", "/v1/countries?limit=50",
            f"{ds}/countries_page.json?_shape=array", large_scale=False, cached=True,
        ),
        Endpoint(
            "partners_busy_cached", f"partners {busy}, cache hit", partners.format(busy),
            f"{ds}/partners.json?code={busy}&_shape=array", cached=True,
        ),
    ]  # fmt: skip


# --- in-process measurements ------------------------------------------------------------------


def _median_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 2)


def time_call(fn: Callable[[], Any], repeat: int, budget_s: float = 20.0) -> dict[str, Any]:
    """Median (and min) of up to `repeat` timed calls after one warm-up call."""
    fn()
    samples: list[float] = []
    deadline = time.perf_counter() + budget_s
    while len(samples) < repeat and (not samples or time.perf_counter() < deadline):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return {"median_ms": _median_ms(samples), "min_ms": round(min(samples) * 1000, 2),
            "n": len(samples)}  # fmt: skip


def naive_sql_timing(target: Target, code: str, repeat: int) -> dict[str, Any]:
    """The naive fact-table partners SQL through the driver (sqlite3 / psycopg)."""
    if target.engine == "sqlite":
        assert target.path is not None
        db = sqlite3.connect(f"file:{target.path}?mode=ro", uri=True)
        sql = naive_sql.partners_sql("sqlite")
        try:
            result = time_call(lambda: db.execute(sql, {"code": code}).fetchall(), repeat)
        finally:
            db.close()
        return result
    import psycopg
    from sqlalchemy.engine import make_url

    conninfo = make_url(target.url).set(drivername="postgresql")
    sql = naive_sql.to_pyformat(naive_sql.partners_sql("postgresql"))
    with psycopg.connect(conninfo.render_as_string(hide_password=False)) as connection:

        def run() -> None:
            with connection.cursor() as cursor:
                cursor.execute(sql, {"code": code})
                cursor.fetchall()

        return time_call(run, repeat)


def defcoop_measurements(
    target: Target, busy: str, eps: list[Endpoint], repeat: int
) -> dict[str, Any]:
    """In this process, on the target database: the SQL defcoop's partners query issues (replayed
    through the raw driver connection), `partners_of()` in Python, the data-version read of the
    ETag middleware, and each endpoint's server-side time through the ASGI app (no network)."""
    import httpx
    from sqlalchemy import event, select

    from app.cooperation.queries import TieFilters, partners_of
    from app.core.caching import DataVersionReader
    from app.core.config import Settings
    from app.countries.models import Country
    from app.main import create_app

    out: dict[str, Any] = {}
    app = create_app(Settings(database_url=target.url))
    engine = app.state.engine
    factory = app.state.session_factory
    statements: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        statements.append((statement, parameters))

    with factory() as session:
        country_id = session.scalar(select(Country.id).where(Country.iso3 == busy))
        assert country_id is not None
        event.listen(engine, "before_cursor_execute", capture)
        try:
            partners_of(session, country_id, TieFilters())
        finally:
            event.remove(engine, "before_cursor_execute", capture)
        out["partners_of"] = time_call(
            lambda: partners_of(session, country_id, TieFilters()), repeat
        )
    raw = engine.raw_connection()
    per_statement: list[list[float]] = [[] for _ in statements]
    try:

        def replay() -> None:
            cursor = raw.cursor()
            for index, (statement, parameters) in enumerate(statements):
                started = time.perf_counter()
                cursor.execute(statement, parameters)
                cursor.fetchall()
                per_statement[index].append(time.perf_counter() - started)
            cursor.close()

        out["partners_sql"] = time_call(replay, repeat)
        out["partners_sql"]["statements"] = len(statements)
        out["partners_sql"]["each"] = [
            {"median_ms": _median_ms(samples[1:] or samples), "sql": statement[:2000]}
            for samples, (statement, _) in zip(per_statement, statements, strict=True)
        ]
    finally:
        raw.close()
    versions = DataVersionReader(engine)
    out["data_version_read"] = time_call(versions.read, 200, budget_s=5)
    versions.close()

    async def server_side() -> dict[str, Any]:
        transport = httpx.ASGITransport(app=app)
        timings: dict[str, Any] = {}
        headers = {"Accept-Encoding": "gzip"}
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for ep in eps:
                first = await client.get(ep.defcoop, headers=headers)
                extra = dict(headers) | ep.defcoop_headers
                if ep.revalidate:
                    extra["If-None-Match"] = first.headers.get("etag", "")
                samples: list[float] = []
                statuses: set[int] = set()
                deadline = time.perf_counter() + 10
                while len(samples) < repeat * 4 and (
                    len(samples) < 3 or time.perf_counter() < deadline
                ):
                    started = time.perf_counter()
                    response = await client.get(ep.defcoop, headers=extra)
                    samples.append(time.perf_counter() - started)
                    statuses.add(response.status_code)
                timings[ep.key] = {
                    "median_ms": _median_ms(samples),
                    "n": len(samples),
                    "statuses": sorted(statuses),
                }
        return timings

    out["server_side"] = asyncio.run(server_side())

    engine.dispose()
    return out


def thread_profile(target: Target, busy: str, profile_path: Path) -> None:
    """cProfile of `partners_of()` plus serialization, called directly (one thread)."""
    from fastapi.encoders import jsonable_encoder
    from sqlalchemy import select

    from app.cooperation.queries import TieFilters, partners_of
    from app.core.config import Settings
    from app.core.db import create_db_engine, session_factory
    from app.countries.models import Country

    engine = create_db_engine(Settings(database_url=target.url))
    profiler = cProfile.Profile()
    with session_factory(engine)() as session:
        country_id = session.scalar(select(Country.id).where(Country.iso3 == busy))
        profiler.enable()
        for _ in range(5):
            summaries = partners_of(session, country_id or 0, TieFilters())
            jsonable_encoder([s.partner.iso3 for s in summaries])
        profiler.disable()
    engine.dispose()
    buffer = io.StringIO()
    pstats.Stats(profiler, stream=buffer).sort_stats("tottime").print_stats(30)
    profile_path.parent.mkdir(parents=True, exist_ok=True)
    profile_path.write_text(
        f"partners_of({busy}) x5 on {target.label}, called directly, by own time\n"
        + buffer.getvalue(),
        encoding="utf-8",
    )


# --- MME import ---------------------------------------------------------------------------------


def mme_import_timing() -> dict[str, Any]:
    """`defcoop import mme seed/datasets/mme_v7.csv` on a fresh migrated and seeded SQLite DB."""
    dataset = ROOT / "seed" / "datasets" / "mme_v7.csv"
    defcoop = VENV_BIN / "defcoop"
    if not dataset.exists() or not defcoop.exists():
        return {"status": "n/a", "reason": "no dataset or no defcoop command"}
    probe = subprocess.run(
        [str(defcoop), "import", "--help"], capture_output=True, text=True, timeout=60, check=False
    )
    if probe.returncode != 0 or "mme" not in probe.stdout:
        return {"status": "n/a", "reason": "`defcoop import mme` does not exist yet"}
    with tempfile.TemporaryDirectory(prefix="defcoop-bench-") as directory:
        url = f"sqlite:///{directory}/import.db"
        synthetic.migrate_and_seed(url)
        started = time.perf_counter()
        done = subprocess.run(
            [str(defcoop), "import", "mme", str(dataset)],
            env={**os.environ, "DATABASE_URL": url},
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
            cwd=ROOT,
        )
        elapsed = time.perf_counter() - started
        # the same command that does nothing: interpreter and import start-up
        started = time.perf_counter()
        subprocess.run(
            [str(defcoop), "import", "--help"],
            capture_output=True,
            timeout=60,
            check=False,
            cwd=ROOT,
        )
        startup = time.perf_counter() - started
    result: dict[str, Any] = {
        "status": "ok" if done.returncode == 0 else f"failed (exit {done.returncode})",
        "seconds": round(elapsed, 2),
        "cli_startup_seconds": round(startup, 2),
        "rows": len(dataset.read_text(encoding="utf-8", errors="replace").splitlines()) - 1,
    }
    if done.returncode != 0:
        result["error"] = (done.stderr or done.stdout).strip()[-400:]
    return result


# --- the run ------------------------------------------------------------------------------------


def defcoop_server(target: Target) -> Server:
    """`defcoop serve`, the production command."""
    return Server(
        "defcoop",
        [str(VENV_BIN / "defcoop"), "serve", "--host", HOST, "--port", "{port}",
         "--workers", str(WORKERS)],
        {"DATABASE_URL": target.url},
        "/health",
    )  # fmt: skip


def start_defcoop(processes: Processes, target: Target) -> tuple[Server, str]:
    """`defcoop serve`; if its workers cannot start within uvicorn's 5 s health-check (they
    die in a loop on a loaded machine), the same app and settings through the uvicorn CLI
    with a longer health-check."""
    server = processes.start(defcoop_server(target))
    try:
        server.wait_ready(timeout=45)
        return server, "defcoop serve"
    except RuntimeError as error:
        log(f"  {error}; retrying with the uvicorn CLI and a 60 s worker health-check")
        processes.stop(server)
    fallback = uvicorn_server(
        "defcoop", "app.main:create_app", {"DATABASE_URL": target.url}, "/health"
    )
    processes.start(fallback)
    fallback.wait_ready()
    return fallback, "uvicorn CLI (defcoop serve workers failed their start-up health-check)"


def uvicorn_server(name: str, app: str, env: dict[str, str], health: str) -> Server:
    factory = ["--factory"] if app.endswith("create_app") else []
    app_dir = [] if app.startswith("app.") else ["--app-dir", str(BENCH)]
    return Server(
        name,
        [str(VENV_BIN / "uvicorn"), app, *factory, *app_dir, "--host", HOST,
         "--port", "{port}", "--workers", str(WORKERS), "--no-server-header",
         "--no-proxy-headers", "--timeout-worker-healthcheck", "60"],
        env,
        health,
    )  # fmt: skip


def check(server: Server, path: str, headers: dict[str, str] | None = None) -> Reply:
    try:
        return http_get(server.port, path, headers)
    except OSError as error:
        return Reply(0, {}, str(error).encode())


def bench_target(
    target: Target,
    processes: Processes,
    settings: LoadSettings,
    busy: str,
    small: str,
    with_datasette: bool,
    repeat: int,
) -> dict[str, Any]:
    result: dict[str, Any] = {"engine": target.engine, "scale": target.scale, "rows": []}
    datasette_db = target.path.stem if target.path else "none"
    eps = endpoints(busy, small, datasette_db)
    if target.scale > 1:
        eps = [ep for ep in eps if ep.large_scale]
    log(f"[{target.label}] SQL timings ...")
    result["naive_sql_busiest"] = naive_sql_timing(target, busy, repeat=repeat)
    try:
        measured = defcoop_measurements(target, busy, eps, repeat)
        if target.scale == 1:
            thread_profile(
                target, busy, RESULTS_DIR / f"profile-partners-{target.engine}-x{target.scale}.txt"
            )
        result.update(measured)
    except Exception as error:  # the app is being edited by others; say so and go on
        result["in_process_error"] = repr(error)[:400]
        log(f"  in-process measurements failed: {error!r}")
    log(f"[{target.label}] starting servers ...")
    defcoop, result["defcoop_started_by"] = start_defcoop(processes, target)
    datasette = (
        processes.start(
            uvicorn_server(
                "datasette",
                "datasette_app:create_app",
                {"BENCH_DATASETTE_DB": str(target.path)},
                "/-/versions.json",
            )
        )
        if with_datasette
        else None
    )
    ceiling = processes.start(uvicorn_server("ceiling", "ceiling:app", {}, "/health"))
    for server in (datasette, ceiling):
        if server:
            server.wait_ready()
    openapi = check(defcoop, "/openapi.json")
    paths = json.loads(openapi.body).get("paths", {}) if openapi.status == 200 else {}
    if "/v1/network" in paths:
        if target.scale == 1:
            eps.append(Endpoint("network", "network year=2020", "/v1/network?year=2020", None))
    else:
        result["network"] = "n/a: no /v1/network route"

    def measure(
        server: Server, path: str, expect: int, headers: dict[str, str], single: float
    ) -> Load:
        """A warm-up, then the measurement. A slow endpoint (`single`: seconds for one
        request alone) is measured long enough to complete some requests at this
        concurrency, within MAX_DURATION; the warm-up is then the check request itself."""
        duration = min(
            MAX_DURATION,
            max(settings.duration, (settings.concurrency + 8) * single / WORKERS),
        )
        if single < SLOW:
            run_load(settings, server.port, path, expect, settings.warmup, headers)
        return run_load(settings, server.port, path, expect, duration, headers)

    for ep in eps:
        log(f"[{target.label}] {ep.title} ...")
        row: dict[str, Any] = {"key": ep.key, "title": ep.title, "path": ep.defcoop}
        expect, headers = 200, ep.defcoop_headers
        first = check(defcoop, ep.defcoop, headers)
        row["defcoop_check"] = {
            "status": first.status,
            "bytes": len(first.body),
            "seconds": round(first.seconds, 3),
        }
        if ep.revalidate:
            # the tag of the representation the load will ask for (gzip has its own tag)
            encoding = {"Accept-Encoding": settings.accept_encoding}
            etag = check(defcoop, ep.defcoop, encoding).headers.get("etag")
            if first.status != 200 or not etag:
                row["error"] = f"first GET {first.status}, ETag {etag!r}: nothing to revalidate"
                result["rows"].append(row)
                continue
            expect, headers = 304, {"If-None-Match": etag}
            first = check(defcoop, ep.defcoop, headers | encoding)
            row["defcoop_check"] = {
                "status": first.status,
                "bytes": len(first.body),
                "seconds": round(first.seconds, 3),
            }
        servers: list[tuple[str, Server, str, int, float]] = [
            ("defcoop", defcoop, ep.defcoop, expect, first.seconds)
        ]
        if datasette and ep.datasette:
            reply = check(datasette, ep.datasette)
            row["datasette_check"] = {
                "status": reply.status,
                "bytes": len(reply.body),
                "seconds": round(reply.seconds, 3),
            }
            servers.append(("datasette", datasette, ep.datasette, 200, reply.seconds))
        runs: dict[str, list[Load]] = {name: [] for name, *_ in servers}
        # slow endpoints: one long round each; fast ones: A/B rounds against drift
        rounds = 1 if max(single for *_, single in servers) >= SLOW else settings.rounds
        for _round in range(rounds):
            for name, server, path, status, single in servers:  # A/B, alternating
                runs[name].append(
                    measure(server, path, status, headers if name == "defcoop" else {}, single)
                )
        for name, loads in runs.items():
            row[name] = asdict(Load.merge(loads)) | {"rps": round(Load.merge(loads).rps, 1)}
        result["rows"].append(row)
    log(f"[{target.label}] ceiling ...")
    ceiling_runs = [measure(ceiling, "/", 200, {}, 0.0) for _ in range(settings.rounds)]
    merged = Load.merge(ceiling_runs)
    result["ceiling"] = asdict(merged) | {"rps": round(merged.rps, 1)}
    result["memory"] = {"defcoop": defcoop.workers()}
    if datasette:
        result["memory"]["datasette"] = datasette.workers()
    for server in (defcoop, datasette, ceiling):
        if server:
            processes.stop(server)
    return result


# --- the table -------------------------------------------------------------------------------


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 2) if a and b else None


def targets_for(row: dict[str, Any], ceiling: float, srv: dict[str, Any]) -> list[str]:
    """The issue's targets that apply to this row, each with its verdict."""
    key = row["key"]
    d = row.get("defcoop", {}).get("rps")
    ds = row.get("datasette", {}).get("rps")
    notes = []

    def verdict(ok: bool | None, text: str) -> str:
        return f"{text} {'ok' if ok else 'MISS' if ok is not None else 'n/a'}"

    if key == "partners_busy":
        p50 = srv.get(key, {}).get("median_ms")
        notes.append(verdict(p50 < 20 if p50 is not None else None, "srv p50<20ms"))
        r = _ratio(d, ds)
        notes.append(verdict(r >= 20 if r is not None else None, ">=20x ds"))
    if key in ("detail", "list", "detail_cached", "list_cached"):
        r = _ratio(d, ds)
        notes.append(verdict(r >= 3 if r is not None else None, ">=3x ds"))
        c = _ratio(d, ceiling)
        notes.append(verdict(c >= 0.4 if c is not None else None, ">=0.4 ceil"))
    if key == "revalidate":
        c = _ratio(d, ceiling)
        notes.append(verdict(c >= 0.5 if c is not None else None, ">=0.5 ceil"))
    return notes


def render(results: dict[str, Any]) -> str:
    lines: list[str] = []
    s = results["settings"]
    lines.append(
        f"defcoop benchmark {results['started']}  {s['cpus']} CPUs  {s['generator']} "
        f"c={s['concurrency']} {s['duration']}s x{s['rounds']} rounds (A/B)  "
        f"workers={WORKERS}  Accept-Encoding: {s['accept_encoding'] or '-'}"
    )
    header = (
        f"{'endpoint':<34} {'defcoop':>8} {'p50':>7} {'p99':>7} {'srv50':>7} "
        f"{'dsette':>7} {'p50':>7} {'p99':>7} {'xds':>6} {'xceil':>6} {'bad':>5}  targets"
    )
    rule = "-" * len(header)
    for block in results["targets"]:
        lines.append(rule)
        ceiling = block.get("ceiling", {}).get("rps")
        srv = block.get("server_side", {})
        lines.append(
            f"{block['engine']} {block['scale']}x  (req/s; ms; srv50 = in-process server "
            f"time, no network; bad = non-expected status or socket error; none = no request "
            f"completed within the measurement); defcoop started by "
            f"{block.get('defcoop_started_by', '?')}"
        )
        lines.append(header)
        for row in block["rows"]:
            d = row.get("defcoop", {})
            ds = row.get("datasette", {})
            bad = d.get("unexpected", 0) + ds.get("unexpected", 0)
            if "error" in row:
                lines.append(f"{row['title'][:34]:<34} ERROR {row['error']}")
                continue

            def num(value: float | None, width: int = 7, digits: int = 1) -> str:
                return f"{value:>{width}.{digits}f}" if value is not None else f"{'-':>{width}}"

            def rps(load: dict[str, Any], width: int) -> str:
                if load and not load.get("requests"):
                    return f"{'none':>{width}}"  # no request completed in the whole run
                return num(load.get("rps"), width)

            lines.append(
                f"{row['title'][:34]:<34} {rps(d, 8)} {num(d.get('p50_ms') or None)} "
                f"{num(d.get('p99_ms') or None)} {num(srv.get(row['key'], {}).get('median_ms'))} "
                f"{rps(ds, 7)} {num(ds.get('p50_ms') or None)} {num(ds.get('p99_ms') or None)} "
                f"{num(_ratio(d.get('rps'), ds.get('rps')), 6, 2)} "
                f"{num(_ratio(d.get('rps'), ceiling), 6, 2)} {bad:>5}  "
                + "; ".join(targets_for(row, ceiling or 0, srv))
            )
            if bad:
                lines.append(
                    f"{'':<34} statuses defcoop {d.get('statuses')} datasette "
                    f"{ds.get('statuses', '-')}; socket errors "
                    f"{d.get('socket_errors', 0) + ds.get('socket_errors', 0)}"
                )
        c = block.get("ceiling", {})
        lines.append(
            f"{'bare Starlette ceiling':<34} {c.get('rps', 0):>8.1f} {c.get('p50_ms', 0):>7.1f} "
            f"{c.get('p99_ms', 0):>7.1f} {'':>7} {'':>7} {'':>7} {'':>7} {'':>6} {'':>6} "
            f"{c.get('unexpected', 0):>5}"
        )
        if "network" in block:
            lines.append(f"{'network of one year':<34} {block['network']}")
        naive = block.get("naive_sql_busiest", {})
        sql = block.get("partners_sql", {})
        of = block.get("partners_of", {})
        lines.append(
            f"{'partners SQL, busiest, driver':<34} naive fact-table SQL "
            f"{naive.get('median_ms', '-')} ms | defcoop SQL ({sql.get('statements', '-')} "
            f"statements) {sql.get('median_ms', '-')} ms | partners_of() in Python "
            f"{of.get('median_ms', '-')} ms"
        )
        each = sorted(sql.get("each", []), key=lambda e: -e["median_ms"])
        if each:
            slowest = " ".join(each[0]["sql"].split())[:70]
            lines.append(
                f"{'  slowest defcoop statement':<34} {each[0]['median_ms']} ms: {slowest}..."
            )
        version = block.get("data_version_read", {})
        lines.append(
            f"{'ETag data-version read per request':<34} {version.get('median_ms', '-')} ms"
        )
        memory = block.get("memory", {})
        lines.append(
            f"{'memory per worker (RSS/peak MB)':<34} "
            + " | ".join(
                f"{name}: " + ", ".join(f"{w['rss_mb']:.0f}/{w['peak_mb']:.0f}" for w in workers)
                for name, workers in memory.items()
            )
        )
        if "in_process_error" in block:
            lines.append(f"{'in-process measurements':<34} FAILED {block['in_process_error']}")
    lines.append(rule)
    curve = results.get("scaling", [])
    if curve:
        points = "  ".join(
            f"{p['scale']}x: srv {p.get('server_side_ms', '-')} ms, defcoop SQL "
            f"{p.get('defcoop_sql_ms', '-')} ms, naive SQL {p.get('naive_sql_ms', '-')} ms"
            for p in curve
        )
        lines.append(f"{'scaling, partners busiest (sqlite)':<34} {points}")
        growth = results.get("scaling_growth")
        if growth:
            lines.append(
                f"{'':<34} growth at 10x data: srv x{growth.get('server_side')}, defcoop SQL "
                f"x{growth.get('defcoop_sql')}, naive x{growth.get('naive_sql')} "
                f"(sub-linear: < x{growth.get('data_factor')}) "
                f"{'ok' if growth.get('sublinear') else 'MISS'}"
            )
    mme = results.get("mme_import", {})
    if mme.get("status") == "ok":
        verdict = "ok" if mme["seconds"] < 5 else "MISS"
        lines.append(
            f"{'MME import (fresh seeded SQLite)':<34} {mme['seconds']} s for {mme['rows']} rows "
            f"(CLI start-up alone {mme['cli_startup_seconds']} s)  target <5 s {verdict}"
        )
    else:
        lines.append(
            f"{'MME import':<34} {mme.get('status')} {mme.get('reason', mme.get('error', ''))}"
        )
    generated = [
        f"{g['label']} {g['seconds']:.0f} s" for g in results.get("generated", []) if g["seconds"]
    ]
    countries = results["countries"]
    lines.append(
        f"{'datasets':<34} busiest {countries['busy']}, small {countries['small']}; "
        f"generated this run: {', '.join(generated) or 'none (cached)'}"
    )
    lines.append(
        f"{'run time':<34} {results['seconds']:.0f} s; load average (1/5/15 min) at start "
        f"{results['load_average_start']}, at end {results['load_average_end']}"
    )
    return "\n".join(lines)


def scaling(blocks: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    points = []
    for block in blocks:
        if block["engine"] != "sqlite":
            continue
        points.append(
            {
                "scale": block["scale"],
                "server_side_ms": block.get("server_side", {})
                .get("partners_busy", {})
                .get("median_ms"),
                "defcoop_sql_ms": block.get("partners_sql", {}).get("median_ms"),
                "naive_sql_ms": block.get("naive_sql_busiest", {}).get("median_ms"),
                "http_p50_ms": next(
                    (
                        r.get("defcoop", {}).get("p50_ms")
                        for r in block["rows"]
                        if r["key"] == "partners_busy"
                    ),
                    None,
                ),
            }
        )
    points.sort(key=lambda p: p["scale"])
    growth: dict[str, Any] = {}
    if len(points) >= 2:
        low, high = points[0], points[-1]
        factor = high["scale"] / low["scale"]
        growth = {"data_factor": factor}
        for key, name in (
            ("server_side_ms", "server_side"),
            ("defcoop_sql_ms", "defcoop_sql"),
            ("naive_sql_ms", "naive_sql"),
        ):
            growth[name] = _ratio(high.get(key), low.get(key))
        growth["sublinear"] = bool(growth["server_side"] and growth["server_side"] < factor)
    return points, growth


def main() -> int:
    parser = argparse.ArgumentParser(description="defcoop benchmark (see bench/README.md)")
    parser.add_argument("--quick", action="store_true", help="1x only, short runs (~1.5 min)")
    parser.add_argument("--postgres", metavar="URL", help="also bench PostgreSQL (1x) there")
    parser.add_argument("--scales", help="comma-separated scales (default 1,10; quick: 1)")
    parser.add_argument("--duration", type=float, help="seconds per measurement (default 5)")
    parser.add_argument("--rounds", type=int, help="A/B rounds per endpoint (default 2)")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--accept-encoding", default="gzip", help="'' to ask for none")
    parser.add_argument("--loadgen", choices=["auto", "wrk", "python"], default="auto")
    args = parser.parse_args()
    scales = [int(x) for x in (args.scales or ("1" if args.quick else "1,10")).split(",")]
    if 1 not in scales:
        scales.insert(0, 1)
    generator = args.loadgen
    if generator == "auto":
        generator = "wrk" if shutil.which("wrk") else "python"
    settings = LoadSettings(
        duration=args.duration or (2.0 if args.quick else 5.0),
        warmup=1.0,
        concurrency=args.concurrency,
        rounds=args.rounds or (1 if args.quick else 2),
        accept_encoding=args.accept_encoding,
        generator=generator,
    )
    repeat = 5 if args.quick else 10
    started = time.perf_counter()
    signal.signal(signal.SIGTERM, _raise_on_sigterm)
    signal.signal(signal.SIGHUP, _raise_on_sigterm)
    # Ctrl-C, even when started in the background (where SIGINT is inherited as ignored)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    processes = Processes()
    results: dict[str, Any] = {
        "started": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "settings": {
            **asdict(settings),
            "cpus": os.cpu_count(),
            "workers": WORKERS,
            "python": platform.python_version(),
            "sqlite": sqlite3.sqlite_version,
        },
        "load_average_start": load_average(),
        "targets": [],
        "generated": [],
    }
    try:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        naive_sql.write_metadata()
        fingerprint = synthetic.fingerprint()
        results["fingerprint"] = fingerprint
        targets = [sqlite_dataset(scale, fingerprint) for scale in scales]
        if args.postgres:
            targets.append(postgres_dataset(args.postgres, 1, fingerprint))
        for target in targets:
            results["generated"].append({"label": target.label, "seconds": target.generated_s})
        first = targets[0]
        assert first.path is not None
        busy, small = pick_countries(first.path)
        results["countries"] = {"busy": busy, "small": small}
        log("timing the MME import ...")
        results["mme_import"] = mme_import_timing()
        for target in targets:
            quick_block = target.scale > 1 or target.engine != "sqlite"
            block_settings = (
                LoadSettings(**{**asdict(settings), "rounds": 1}) if quick_block else settings
            )
            results["targets"].append(
                bench_target(
                    target,
                    processes,
                    block_settings,
                    busy,
                    small,
                    with_datasette=target.engine == "sqlite",
                    repeat=repeat if target.scale == 1 else max(3, repeat // 3),
                )
            )
        results["scaling"], results["scaling_growth"] = scaling(results["targets"])
    finally:
        processes.stop_all()
    results["seconds"] = round(time.perf_counter() - started, 1)
    results["load_average_end"] = load_average()
    table = render(results)
    results["table"] = table.splitlines()
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    (RESULTS_DIR / "latest.json").write_text(json.dumps(results, indent=2, default=str) + "\n")
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
