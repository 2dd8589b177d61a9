"""Helpers for the tests that write: curator keys, writable apps, a blocking client.

Their databases are copies of the seeded template (`fresh_url`, or `copy_database` for each
hypothesis example; see tests/databases.py).
"""

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from anyio.from_thread import BlockingPortal, start_blocking_portal
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from hypothesis import seed as fixed_seed

from app.auth.keys import create_key
from app.auth.models import Scope
from app.core.config import PROJECT_ROOT, Settings
from app.core.db import create_db_engine, session_factory
from app.main import create_app

ARTIFACTS = PROJECT_ROOT / "artifacts"

# Writing tests send many writes with one key, and schemathesis many made-up keys from one
# address: the limits themselves are tested elsewhere.
UNLIMITED = {"rate_limit_writes": 10_000_000, "rate_limit_auth_failures": 10_000_000}


def schemathesis_run(seed: int, max_examples: int) -> Callable[[Any], Any]:
    """A schemathesis test's generation: reproducible, `max_examples` per operation, and no
    deadline (a write copies a database); its app is a function-scoped fixture on purpose."""

    def decorate(test: Any) -> Any:
        return fixed_seed(seed)(
            settings(
                max_examples=max_examples,
                deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
            )(test)
        )

    return decorate


def new_key(url: str, name: str = "curator", scope: Scope = Scope.curator) -> str:
    """The secret of a new API key stored in the database at `url`."""
    engine = create_db_engine(Settings(database_url=url))
    with session_factory(engine).begin() as session:
        _, secret = create_key(session, name=name, scope=scope, by="tests")
    engine.dispose()
    return secret


def writable_app(url: str, **settings: Any) -> FastAPI:
    return create_app(Settings(database_url=url, **{**UNLIMITED, **settings}))


class BlockingClient:
    """httpx's async client on the in-process app, callable from plain (hypothesis) code."""

    def __init__(self, portal: BlockingPortal, client: httpx.AsyncClient) -> None:
        self._portal = portal
        self._client = client

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return self._portal.call(lambda: self._client.request(method, path, **kwargs))


@contextmanager
def blocking_client(app: FastAPI, key: str | None = None) -> Iterator[BlockingClient]:
    headers = {"X-API-Key": key} if key else {}
    with start_blocking_portal() as portal:
        transport = httpx.ASGITransport(app=app)
        client = portal.call(
            lambda: _open(httpx.AsyncClient(transport=transport, base_url="http://testserver"))
        )
        client.headers.update(headers)
        try:
            yield BlockingClient(portal, client)
        finally:
            portal.call(client.aclose)


async def _open(client: httpx.AsyncClient) -> httpx.AsyncClient:
    return client


def write_artifact(name: str, figures: Any) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    path.write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n")
    return path
