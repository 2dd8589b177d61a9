"""Conditional GETs keyed by the data version.

Every read under /v1 is a pure function of its URL and the data version, so its ETag is
computed before the route runs, and a matching `If-None-Match` is answered with 304 without
touching the query. The version is read from the database on every request, never cached in
the process, so that a write through any worker is seen at once by all of them.
"""

import hashlib

import anyio.to_thread
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import __version__
from app.system.models import DataState


def read_data_version(factory: sessionmaker[Session]) -> int:
    with factory() as session:
        return session.scalar(select(DataState.version).where(DataState.id == 1)) or 0


def entity_tag(data_version: int, path: str, query: bytes, accept: str) -> str:
    digest = hashlib.blake2b(
        b"\0".join((path.encode(), query, accept.encode())), digest_size=8
    ).hexdigest()
    return f'"{__version__}-{data_version}-{digest}"'


def _matches(if_none_match: str, etag: str) -> bool:
    candidates = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return etag in candidates


class ConditionalGetMiddleware:
    def __init__(self, app: ASGIApp, factory: sessionmaker[Session], max_age: int) -> None:
        self.app = app
        self.factory = factory
        self.max_age = max_age

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] not in ("GET", "HEAD")
            or not scope["path"].startswith("/v1/")
        ):
            await self.app(scope, receive, send)
            return
        version = await anyio.to_thread.run_sync(read_data_version, self.factory)
        scope.setdefault("state", {})["data_version"] = version
        headers = {key.decode().lower(): value.decode() for key, value in scope["headers"]}
        etag = entity_tag(version, scope["path"], scope["query_string"], headers.get("accept", ""))
        cache_headers = {
            "ETag": etag,
            "Cache-Control": f"public, max-age={self.max_age}",
            "Vary": "Accept",
        }
        if _matches(headers.get("if-none-match", ""), etag):
            await send(
                {
                    "type": "http.response.start",
                    "status": 304,
                    "headers": [(k.encode(), v.encode()) for k, v in cache_headers.items()],
                }
            )
            await send({"type": "http.response.body", "body": b""})
            return

        async def send_with_cache_headers(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 200:
                response_headers = MutableHeaders(scope=message)
                for key, value in cache_headers.items():
                    response_headers[key] = value
            await send(message)

        await self.app(scope, receive, send_with_cache_headers)
