"""Conditional GETs and a response cache, both keyed by the data version.

Every read under /v1 is a pure function of its URL, its `Accept` and `Accept-Encoding`
headers, the language negotiated from `Accept-Language` (`core/language.py`) and the data
version, so its ETag is computed before the route runs: a matching
`If-None-Match` is answered with 304 without touching the query, and a response already
built for the same key is served from memory.

The version is read from the database on every request, never cached in the process, so
that a write through any worker is seen at once by all of them. The read is cheap: one
dedicated connection per process, outside the pool, on which it is the only statement
(SQLite: a read of a local file, done inline; PostgreSQL: one round-trip, in a thread).
Every write bumps the version in its own transaction (`DataState`), which is what makes
both the ETags and the cached responses impossible to serve stale. Requests that carry
credentials (`Authorization`, `Cookie`, `X-API-Key`) or `Cache-Control: no-cache` bypass the cache.

A write invalidates what it changed, not everything. A cached response keeps the tables its
request read (every statement it ran, and what the values it took from memory were
computed from: `core.db.recording_reads`, `core.memo`), and each change records, in its
transaction, the data version at which it wrote each table (`table_versions`,
`app.curation.changes`). At a later data version the response is served as it was (same
body, same ETag, which names the version it was built at) while none of its tables changed
after that version; otherwise it is built again. The table versions are read once per data
version per worker, and only when a response from an older version is asked for. A streamed
body (a CSV download) counts what its stream read too: the stream's threads copy the
request's context. A response whose reads are not all known (it read the data version
itself) holds for its own data version only.
"""

import contextlib
import hashlib
import logging
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import anyio.to_thread
from sqlalchemy.engine import Engine
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import __version__
from app.core.db import UNKNOWN_READS, Reads, recording_reads
from app.core.language import ENGLISH, requested_language
from app.core.problems import problem_response

logger = logging.getLogger("defcoop")

_VERSION_SQL = "SELECT version FROM data_state WHERE id = 1"
_TABLE_VERSIONS_SQL = "SELECT table_name, version FROM table_versions"
# The row of `table_versions` naming the last data version whose tables were recorded, and
# the one standing for every table (mirrors of `app.system.models`, below core).
_RECORDED = "data_state"
_EVERY_TABLE = "*"


@dataclass(frozen=True)
class TableVersions:
    """When each table last changed, as read at one data version."""

    data_version: int
    changed: Mapping[str, int]

    @property
    def everything(self) -> int:
        """The last data version at which any table may have changed unrecorded: a text
        statement, or a data version set by something other than the change path (then the
        last recorded version is older than the current one)."""
        every = self.changed.get(_EVERY_TABLE, 0)
        if self.changed.get(_RECORDED, 0) < self.data_version:
            every = max(every, self.data_version)
        return every

    def unchanged_since(self, version: int, tables: Iterable[str]) -> bool:
        """No change after `version` wrote any of these tables."""
        return self.everything <= version and all(
            self.changed.get(table, 0) <= version for table in tables
        )


class DataVersionReader:
    """Reads the data version through a connection of its own (one per process).

    Every read under /v1 waits for this one, so it never waits long: a lock held on the
    data-state row (PostgreSQL `LOCK TABLE`, a stuck migration) ends it after
    `lock_timeout_ms`, a slow server after `statement_timeout_ms`, and the request is answered
    503 with `Retry-After` instead of stalling; `/ready` says so too.
    """

    def __init__(
        self,
        engine: Engine,
        busy_timeout_ms: int = 5_000,
        lock_timeout_ms: int = 1_000,
        statement_timeout_ms: int = 2_000,
    ) -> None:
        self.url = engine.url
        self.sqlite = engine.dialect.name == "sqlite"
        self.busy_timeout_ms = busy_timeout_ms
        self.lock_timeout_ms = lock_timeout_ms
        self.statement_timeout_ms = statement_timeout_ms
        self._lock = threading.Lock()
        self._connection: Any = None
        self._pid = 0
        self._tables: TableVersions | None = None

    def _connect(self) -> Any:
        if self.sqlite:
            import sqlite3

            connection = sqlite3.connect(
                self.url.database or ":memory:",
                isolation_level=None,  # autocommit: every read sees the last commit
                check_same_thread=False,
            )
            connection.execute(f"PRAGMA busy_timeout={int(self.busy_timeout_ms)}")
            return connection
        import psycopg

        url = self.url.set(drivername="postgresql")
        return psycopg.connect(
            url.render_as_string(hide_password=False),
            autocommit=True,
            connect_timeout=10,
            options=(
                f"-c lock_timeout={int(self.lock_timeout_ms)} "
                f"-c statement_timeout={int(self.statement_timeout_ms)}"
            ),
        )

    def _execute(self, sql: str) -> list[Any]:
        if self._connection is None or self._pid != os.getpid():
            self._connection = self._connect()  # after a fork, never share the parent's
            self._pid = os.getpid()
        return list(self._connection.execute(sql).fetchall())

    def _query(self) -> int:
        rows = self._execute(_VERSION_SQL)
        return int(rows[0][0]) if rows else 0

    def read(self) -> int:
        with self._lock:
            try:
                return self._query()
            except Exception:
                if not self._lost():
                    raise  # a lock or statement timeout: trying again would double the wait
                # A dropped connection (server restart): one fresh try, then the error.
                self.close_unlocked()
                return self._query()

    def tables_at(self, data_version: int) -> TableVersions:
        """The table versions as of `data_version` (or later), read once per data version.
        Unreadable (a database not migrated that far, a timeout): every table counts as
        changed at `data_version`, so nothing older is served."""
        with self._lock:
            known = self._tables
            if known is not None and known.data_version == data_version:
                return known
            try:
                rows = self._execute(_TABLE_VERSIONS_SQL)
            except Exception:
                logger.warning("table versions unreadable", exc_info=True)
                if self._lost():
                    self.close_unlocked()
                return TableVersions(data_version, {_EVERY_TABLE: data_version})
            changed = {str(name): int(version) for name, version in rows}
            self._tables = TableVersions(data_version, changed)
            return self._tables

    async def atables_at(self, data_version: int) -> TableVersions:
        known = self._tables
        if known is not None and known.data_version == data_version:
            return known  # the usual case: read once for this version already
        if self.sqlite:
            return self.tables_at(data_version)
        return await anyio.to_thread.run_sync(self.tables_at, data_version)

    def _lost(self) -> bool:
        # psycopg marks a connection whose server went away as closed; sqlite3 has no such
        # state (a local file does not go away between two statements).
        return self._connection is None or bool(getattr(self._connection, "closed", False))

    async def aread(self) -> int:
        if self.sqlite:
            return self.read()
        return await anyio.to_thread.run_sync(self.read)

    def close_unlocked(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(Exception):  # closing a broken connection
                connection.close()

    def close(self) -> None:
        with self._lock:
            self.close_unlocked()


def accepts_gzip(accept_encoding: str) -> bool:
    """Whether the response will be gzip-encoded (by the GZip middleware) for this client."""
    return "gzip" in accept_encoding.lower()


def entity_tag(
    data_version: int,
    path: str,
    query: bytes,
    accept: str,
    gzip: bool = False,
    language: str = ENGLISH,
) -> str:
    parts: tuple[bytes, ...] = (path.encode(), query, accept.encode())
    # Another language is another representation; English keeps the tags it always had.
    if language != ENGLISH:
        parts += (language.encode(),)
    digest = hashlib.blake2b(b"\0".join(parts), digest_size=8).hexdigest()
    # A gzip-encoded body is another representation, with another tag.
    return f'"{__version__}-{data_version}-{digest}{"-gz" if gzip else ""}"'


_ENTITY_TAG = re.compile(r'^"[^"]+?-(?P<version>\d{1,18})-[0-9a-f]{16}(?:-gz)?"$')


def tagged_data_version(tag: str) -> int | None:
    """The data version inside one of our strong entity tags; None for any other string."""
    match = _ENTITY_TAG.fullmatch(tag.strip())
    return int(match["version"]) if match else None


def _matches(if_none_match: str, etag: str) -> bool:
    candidates = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return etag in candidates


@dataclass
class CachedResponse:
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    # The data version it was built at, and what it read (not all known: holds at that
    # version only).
    version: int = 0
    reads: Reads = UNKNOWN_READS

    @property
    def size(self) -> int:
        return len(self.body) + sum(len(k) + len(v) for k, v in self.headers) + 200

    @property
    def etag(self) -> str:
        return next((v.decode() for k, v in self.headers if k.lower() == b"etag"), "")

    def may_hold_at(self, version: int) -> bool:
        """Whether it may still be the answer at a later data version: its reads are known."""
        return version > self.version and self.reads.complete


class ResponseCache:
    """Least recently used responses, bounded in bytes, each with the data version it was
    built at and the tables it read."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.max_entry_bytes = max_bytes // 8
        self.entries: OrderedDict[tuple[Any, ...], CachedResponse] = OrderedDict()
        self.size = 0

    def get(self, key: tuple[Any, ...]) -> CachedResponse | None:
        entry = self.entries.get(key)
        if entry is not None:
            self.entries.move_to_end(key)
        return entry

    def drop(self, key: tuple[Any, ...], entry: CachedResponse | None = None) -> None:
        """Forget the response for `key` (only if it is still `entry`, when given)."""
        old = self.entries.get(key)
        if old is not None and (entry is None or old is entry):
            del self.entries[key]
            self.size -= old.size

    def put(self, key: tuple[Any, ...], entry: CachedResponse) -> None:
        if entry.size > self.max_entry_bytes:
            return
        current = self.entries.get(key)
        if current is not None and current.version > entry.version:
            return  # a slower request of an older version: keep the newer answer
        self.drop(key)
        self.entries[key] = entry
        self.size += entry.size
        while self.size > self.max_bytes:
            _, evicted = self.entries.popitem(last=False)
            self.size -= evicted.size


# An answer to a request that carries any of these may depend on the caller.
CREDENTIAL_HEADERS = ("authorization", "cookie", "x-api-key")


def _no_cache(headers: dict[str, str]) -> bool:
    """The client asks for a fresh answer (RFC 9111 `Cache-Control: no-cache`)."""
    directives = headers.get("cache-control", "") + "," + headers.get("pragma", "")
    return any(
        d.strip().lower() in ("no-cache", "no-store", "max-age=0") for d in directives.split(",")
    )


class ConditionalGetMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        versions: DataVersionReader,
        max_age: int,
        cache_bytes: int = 0,
        private_prefixes: tuple[str, ...] = (),
    ) -> None:
        self.app = app
        self.private_prefixes = private_prefixes
        self.versions = versions
        self.max_age = max_age
        self.cache = ResponseCache(cache_bytes) if cache_bytes > 0 else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "GET"  # HeadAsGetMiddleware turns a HEAD into a GET first
            or not scope["path"].startswith("/v1/")
        ):
            await self.app(scope, receive, send)
            return
        try:
            version = await self.versions.aread()
        except Exception:
            logger.warning("data version unreadable on %s", scope["path"], exc_info=True)
            unavailable = problem_response(
                Request(scope),
                503,
                "The data version cannot be read (the database is busy or unreachable); "
                "retry shortly.",
                headers={"Retry-After": "1"},
            )
            await unavailable(scope, receive, send)
            return
        scope.setdefault("state", {})["data_version"] = version
        if scope["path"].startswith(self.private_prefixes):
            await self.app(scope, receive, send)  # no ETag, no 304, no cache: all skip auth
            return
        headers = {key.decode().lower(): value.decode() for key, value in scope["headers"]}
        accept = headers.get("accept", "")
        gzip = accepts_gzip(headers.get("accept-encoding", ""))
        language = requested_language(scope)
        etag = entity_tag(version, scope["path"], scope["query_string"], accept, gzip, language)
        cache_headers = {
            "ETag": etag,
            "Cache-Control": f"public, max-age={self.max_age}",
            "Vary": "Accept, Accept-Encoding, Accept-Language",
        }
        if_none_match = headers.get("if-none-match", "")
        if _matches(if_none_match, etag):
            await _not_modified(send, cache_headers)
            return

        cache = None if _no_cache(headers) else self.cache
        if any(name in headers for name in CREDENTIAL_HEADERS):
            cache = None  # an answer that may depend on the caller is never shared
        # Per day too: answers about years state what the data does not cover up to this
        # year, and an answer may now outlive many data versions.
        day = date.today().toordinal()
        key = (scope["path"], scope["query_string"], accept, gzip, language, day)
        if cache is not None:
            hit = await self._valid(cache, key, version)
            if hit is not None:
                if _matches(if_none_match, hit.etag):
                    await _not_modified(send, {**cache_headers, "ETag": hit.etag})
                    return
                await send(
                    {"type": "http.response.start", "status": hit.status, "headers": hit.headers}
                )
                await send({"type": "http.response.body", "body": hit.body})
                return

        captured: dict[str, Any] = {"parts": [], "size": 0}

        async def send_with_cache_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                captured["status"] = message["status"]
                if message["status"] == 200:
                    response_headers = MutableHeaders(scope=message)
                    for key_, value in cache_headers.items():
                        response_headers[key_] = value
                captured["headers"] = list(message.get("headers", []))
            elif message["type"] == "http.response.body" and cache is not None:
                body = message.get("body", b"")
                if captured["size"] <= cache.max_entry_bytes:
                    captured["parts"].append(body)
                    captured["size"] += len(body)
                if (
                    not message.get("more_body", False)
                    and captured.get("status") == 200
                    and captured["size"] <= cache.max_entry_bytes
                ):
                    # Complete for a body sent in parts too: the threads that wrote it
                    # (and read its rows) ran in a copy of this context, and its last part
                    # comes after the last of them has finished.
                    cache.put(key, _stored(captured, version, read.reads()))
            await send(message)

        with recording_reads() as read:
            await self.app(scope, receive, send_with_cache_headers)

    async def _valid(
        self, cache: ResponseCache, key: tuple[Any, ...], version: int
    ) -> CachedResponse | None:
        """The cached response for `key` if it is still the answer at `version`."""
        entry = cache.get(key)
        if entry is None or entry.version == version:
            return entry
        if entry.may_hold_at(version):
            tables = await self.versions.atables_at(version)
            if tables.unchanged_since(entry.version, entry.reads.tables):
                return entry
        cache.drop(key, entry)
        return None


async def _not_modified(send: Send, headers: dict[str, str]) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 304,
            "headers": [(k.encode(), v.encode()) for k, v in headers.items()],
        }
    )
    await send({"type": "http.response.body", "body": b""})


def _stored(captured: dict[str, Any], version: int, reads: Reads) -> CachedResponse:
    body = b"".join(captured["parts"])
    headers = [
        (name, value)
        for name, value in captured["headers"]
        if name.lower() not in (b"content-length", b"transfer-encoding")
    ]
    headers.append((b"content-length", str(len(body)).encode()))
    return CachedResponse(200, headers, body, version, reads)
