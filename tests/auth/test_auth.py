"""Who may write: API keys, the 401/403 answers, the key commands, rate limits."""

import asyncio
import hashlib
import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from sqlalchemy import create_engine, select, text, update
from starlette.routing import BaseRoute
from typer.testing import CliRunner

from app.auth.models import ApiKey, Scope
from app.cli import cli
from app.core.caching import entity_tag
from app.core.config import Settings
from app.main import create_app
from tests.conftest import client_for, make_key

pytestmark = pytest.mark.anyio
runner = CliRunner()
UNAUTHORIZED = "A valid API key is required in the X-API-Key header."
SAMPLE_PATH_VALUES = {"slug": "nato", "code": "IDN", "threat": "terrorism", "name": "nobody"}


@pytest.fixture(scope="module")
def auth_app(writable_url: str) -> Iterator[FastAPI]:
    app = create_app(Settings(database_url=writable_url, rate_limit_auth_failures=1_000_000))
    yield app
    app.state.engine.dispose()


def _expire(url: str, name: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            update(ApiKey)
            .where(ApiKey.name == name)
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    engine.dispose()


def _routes(routes: Iterable[BaseRoute]) -> Iterator[BaseRoute]:
    """Every route, also inside included routers (FastAPI 0.16x keeps those as one entry of
    `app.routes` each, holding the router they include)."""
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:
            yield from _routes(included.routes)
        else:
            yield route


def _protected_requests(app: FastAPI) -> list[tuple[str, str]]:
    """Every route under /v1 that is not a plain read, plus the private reads."""
    requests = []
    for route in _routes(app.routes):
        if not isinstance(route, APIRoute) or not route.path.startswith("/v1/"):
            continue
        path = re.sub(r"\{(\w+)\}", lambda m: SAMPLE_PATH_VALUES.get(m.group(1), "x"), route.path)
        for method in sorted(route.methods or ()):
            if method not in ("GET", "HEAD") or route.path.startswith(("/v1/audit", "/v1/keys")):
                requests.append((method, path))
    return requests


def test_the_route_walk_sees_every_documented_write(auth_app: FastAPI) -> None:
    documented = {
        (
            method.upper(),
            re.sub(r"\{(\w+)\}", lambda m: SAMPLE_PATH_VALUES.get(m.group(1), "x"), path),
        )
        for path, operations in auth_app.openapi()["paths"].items()
        for method in operations
        if method != "get"
    }
    assert documented
    assert documented <= set(_protected_requests(auth_app))


async def test_every_write_route_needs_a_valid_key(auth_app: FastAPI, writable_url: str) -> None:
    requests = _protected_requests(auth_app)
    methods = {method for method, _ in requests}
    assert {"POST", "PATCH", "PUT", "DELETE"} <= methods
    assert len(requests) >= 11
    expired = make_key(writable_url, "walk-expired", expires_in_days=1)
    _expire(writable_url, "walk-expired")
    revoked = make_key(writable_url, "walk-revoked")
    assert (
        runner.invoke(
            cli, ["keys", "revoke", "walk-revoked"], env={"DATABASE_URL": writable_url}
        ).exit_code
        == 0
    )
    wrong = "dck_" + "x" * 43
    audited = _audit_entry_count(writable_url)
    for key in (None, wrong, "not even a key", expired, revoked, revoked[:-1]):
        async with client_for(auth_app, key=key) as api:
            for method, path in requests:
                # A key in the URL is no key; a read refuses the parameter itself (below).
                url_key = {} if method == "GET" else {"api_key": revoked}
                response = await api.request(method, path, json={}, params=url_key)
                where = f"{method} {path} with {key and key[:8]}"
                assert response.status_code == 401, where
                assert response.json()["detail"] == UNAUTHORIZED, where
                assert response.headers["content-type"] == "application/problem+json"
                assert response.headers["www-authenticate"].startswith("ApiKey"), where
    assert _audit_entry_count(writable_url) == audited
    curator = make_key(writable_url, "walk-curator")
    async with client_for(auth_app) as api:
        in_url = await api.get("/v1/audit", params={"api_key": curator})
        assert in_url.status_code == 422
        assert in_url.json()["errors"][0]["pointer"] == "/query/api_key"


def _audit_entry_count(url: str) -> int:
    engine = create_engine(url)
    with engine.connect() as connection:
        count = connection.execute(text("SELECT count(*) FROM audit_entries")).scalar()
    engine.dispose()
    return int(count or 0)


async def test_curator_cannot_manage_keys(auth_app: FastAPI, writable_url: str) -> None:
    curator = make_key(writable_url, "just-a-curator")
    async with client_for(auth_app, key=curator) as api:
        for method, path in (("GET", "/v1/keys"), ("POST", "/v1/keys"), ("DELETE", "/v1/keys/x")):
            response = await api.request(method, path, json={"name": "new"})
            assert response.status_code == 403, (method, path)
            assert response.headers["content-type"] == "application/problem+json"
        assert (await api.get("/v1/audit")).status_code == 200


async def test_admin_manages_keys_over_http(auth_app: FastAPI, writable_url: str) -> None:
    admin = make_key(writable_url, "the-admin", Scope.admin)
    async with client_for(auth_app, key=admin) as api:
        created = await api.post("/v1/keys", json={"name": "via-http", "expires_in_days": 5})
        assert created.status_code == 201, created.text
        secret = created.json()["secret"]
        assert created.json()["scope"] == "curator"
        assert (await api.post("/v1/keys", json={"name": "via-http"})).status_code == 409
        listed = (await api.get("/v1/keys", params={"limit": 500})).json()["data"]
        assert "secret" not in next(k for k in listed if k["name"] == "via-http")
    async with client_for(auth_app, key=secret) as api:
        assert (await api.get("/v1/audit")).status_code == 200
    async with client_for(auth_app, key=admin) as api:
        assert (await api.delete("/v1/keys/via-http")).status_code == 204
        assert (await api.delete("/v1/keys/never-was")).status_code == 404
    async with client_for(auth_app, key=secret) as api:
        assert (await api.get("/v1/audit")).status_code == 401


def test_keys_cli_prints_the_secret_once_and_stores_its_hash(writable_url: str) -> None:
    env = {"DATABASE_URL": writable_url}
    created = runner.invoke(
        cli,
        ["keys", "create", "--name", "cli-key", "--scope", "admin", "--expires-in-days", "30"],
        env=env,
    )
    assert created.exit_code == 0, created.output
    secret = created.stdout.strip()
    assert secret.startswith("dck_") and len(secret) >= 40
    assert "shown only now" in created.stderr
    engine = create_engine(writable_url)
    with engine.connect() as connection:
        row = connection.execute(select(ApiKey).where(ApiKey.name == "cli-key")).one()
        dump = " ".join(str(value) for value in row)
    engine.dispose()
    assert row.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in dump
    assert secret.startswith(row.prefix)
    assert row.scope == "admin"
    assert row.expires_at is not None

    listed = runner.invoke(cli, ["keys", "list"], env=env)
    assert listed.exit_code == 0
    assert "cli-key\tadmin" in listed.stdout
    assert secret not in listed.stdout
    duplicate = runner.invoke(cli, ["keys", "create", "--name", "cli-key"], env=env)
    assert duplicate.exit_code == 1
    assert "already exists" in duplicate.stderr
    assert runner.invoke(cli, ["keys", "revoke", "cli-key"], env=env).exit_code == 0
    assert runner.invoke(cli, ["keys", "revoke", "no-such-key"], env=env).exit_code == 1


async def test_key_management_is_in_the_audit_trail_without_secrets(
    auth_app: FastAPI, writable_url: str
) -> None:
    env = {"DATABASE_URL": writable_url}
    admin = make_key(writable_url, "auditing-admin", Scope.admin)
    async with client_for(auth_app, key=admin) as api:
        version = (await api.get("/v1/meta")).json()["data_version"]
        created = await api.post("/v1/keys", json={"name": "audited", "scope": "curator"})
        assert created.status_code == 201, created.text
        secret = created.json()["secret"]
        assert (await api.delete("/v1/keys/audited")).status_code == 204
        assert (await api.delete("/v1/keys/audited")).status_code == 204  # no second record
        reserved = await api.post("/v1/keys", json={"name": "cli"})
        assert reserved.status_code == 409
        assert "reserved" in reserved.json()["detail"]
    assert runner.invoke(cli, ["keys", "create", "--name", "by-cli"], env=env).exit_code == 0
    assert runner.invoke(cli, ["keys", "revoke", "by-cli"], env=env).exit_code == 0

    async with client_for(auth_app, key=admin) as api:
        entries = (await api.get("/v1/audit", params={"entity": "api_key"})).json()["data"]
        assert (await api.get("/v1/meta")).json()["data_version"] == version
    trail = [
        (e["key_name"], e["entity_id"], e["operation"])
        for e in reversed(entries)
        if e["entity_id"] in ("audited", "by-cli")
    ]
    assert trail == [
        ("auditing-admin", "audited", "create"),
        ("auditing-admin", "audited", "update"),
        ("cli", "by-cli", "create"),
        ("cli", "by-cli", "update"),
    ]
    audited = [e for e in entries if e["entity_id"] == "audited"]
    assert audited[0]["before"]["revoked_at"] is None
    assert audited[0]["after"]["revoked_at"] is not None
    assert audited[1]["after"]["scope"] == "curator"
    assert secret not in str(entries)
    assert not any("hash" in str(e["after"]) for e in entries)


async def test_failed_authentication_is_rate_limited_per_address(writable_url: str) -> None:
    app = create_app(
        Settings(
            database_url=writable_url, rate_limit_auth_failures=3, rate_limit_window_seconds=3600
        )
    )
    good = make_key(writable_url, "limited-good")
    try:
        async with client_for(app, address="203.0.113.7", key="dck_wrong") as api:
            for _ in range(3):
                assert (await api.post("/v1/organizations", json={})).status_code == 401
            refused = await api.post("/v1/organizations", json={})
            assert refused.status_code == 429
            assert refused.headers["content-type"] == "application/problem+json"
            assert 1 <= int(refused.headers["retry-after"]) <= 3600
        # Other addresses and public reads are unaffected.
        async with client_for(app, address="203.0.113.8", key="dck_wrong") as api:
            assert (await api.get("/v1/audit")).status_code == 401
        async with client_for(app, address="203.0.113.7") as api:
            assert (await api.get("/v1/organizations/nato")).status_code == 200
            # A valid key from the blocked address is never refused for others' failures.
            allowed = await api.get("/v1/audit", headers={"X-API-Key": good})
            assert allowed.status_code == 200
    finally:
        app.state.engine.dispose()


async def test_a_valid_key_works_after_50_bad_ones_from_its_address(writable_url: str) -> None:
    app = create_app(Settings(database_url=writable_url, rate_limit_window_seconds=3600))
    good = make_key(writable_url, "shared-address-curator")
    try:
        async with client_for(app, address="203.0.113.50") as api:
            statuses = [
                (await api.get("/v1/audit", headers={"X-API-Key": f"dck_bad{n}"})).status_code
                for n in range(50)
            ]
            assert set(statuses) == {401, 429} and statuses[-1] == 429
            assert (await api.get("/v1/audit", headers={"X-API-Key": good})).status_code == 200
            written = await api.put(
                "/v1/organizations/nato/threats/terrorism", headers={"X-API-Key": good}
            )
            assert written.status_code == 200, written.text
    finally:
        app.state.engine.dispose()


async def test_a_burst_of_failures_gets_no_more_than_the_limit_through(writable_url: str) -> None:
    """Concurrent attempts, each on a connection of its own: the count is atomic."""
    limit = 5
    app = create_app(
        Settings(
            database_url=writable_url,
            rate_limit_auth_failures=limit,
            rate_limit_window_seconds=3600,
        )
    )
    try:
        async with client_for(app, address="203.0.113.60", key="dck_wrong") as api:
            statuses = await asyncio.gather(*(api.get("/v1/audit") for _ in range(30)))
        codes = [response.status_code for response in statuses]
        assert codes.count(401) == limit
        assert codes.count(429) == 30 - limit
    finally:
        app.state.engine.dispose()


async def test_proxy_headers_are_believed_only_from_trusted_proxies(writable_url: str) -> None:
    app = create_app(
        Settings(
            database_url=writable_url,
            rate_limit_auth_failures=2,
            rate_limit_window_seconds=3600,
            trusted_proxies="10.0.0.0/8",
        )
    )

    async def fail(proxy: str, headers: dict[str, str]) -> int:
        async with client_for(app, address=proxy, key="dck_wrong") as api:
            return (await api.get("/v1/audit", headers=headers)).status_code

    try:
        # Behind the trusted proxy, each client is limited on its own address...
        spoofed = {"X-Forwarded-For": "198.51.100.9, 198.51.100.1"}  # leftmost: client-made
        assert [await fail("10.0.0.2", spoofed) for _ in range(3)] == [401, 401, 429]
        other = {"X-Forwarded-For": "198.51.100.2"}
        assert await fail("10.0.0.2", other) == 401
        rfc7239 = {"Forwarded": 'for="198.51.100.1:4711";proto=https'}
        assert await fail("10.0.0.3", rfc7239) == 429  # the same client through another proxy
        # ...while an untrusted peer's header is ignored: it is limited on its own address.
        assert [await fail("192.0.2.77", other) for _ in range(3)] == [401, 401, 429]
        assert await fail("10.0.0.2", other) == 401  # 198.51.100.2 was not blocked by that
    finally:
        app.state.engine.dispose()


async def test_writes_are_rate_limited_per_key_across_apps(writable_url: str) -> None:
    """Two app instances (as two workers) share the count through the database."""
    # The module's earlier tests fail authentication from this address in 60 s windows; at
    # the top of an hour one of them is also this hour-long window's start, so they count.
    settings = Settings(
        database_url=writable_url,
        rate_limit_writes=2,
        rate_limit_window_seconds=3600,
        rate_limit_auth_failures=1_000_000,
    )
    first, second = create_app(settings), create_app(settings)
    key = make_key(writable_url, "limited-writer")
    try:
        statuses = []
        for app in (first, second, first):
            async with client_for(app, key=key) as api:
                response = await api.put("/v1/organizations/nato/threats/terrorism")
                statuses.append(response.status_code)
        assert statuses == [200, 200, 429]
        assert "retry-after" in response.headers
        other = make_key(writable_url, "other-writer")
        async with client_for(second, key=other) as api:
            assert (await api.put("/v1/organizations/nato/threats/terrorism")).status_code == 200
    finally:
        first.state.engine.dispose()
        second.state.engine.dispose()


async def test_private_reads_are_never_cached_nor_answered_304(
    auth_app: FastAPI, writable_url: str
) -> None:
    key = make_key(writable_url, "cache-probe")
    async with client_for(auth_app, key=key) as api:
        response = await api.get("/v1/audit")
        assert response.status_code == 200
        assert response.headers["cache-control"] == "no-store"
        assert "etag" not in response.headers
        public = await api.get("/v1/organizations/nato")
        version = public.headers["etag"].strip('"').split("-")[1]
    guessed = entity_tag(int(version), "/v1/audit", b"", "application/json")
    async with client_for(auth_app) as api:
        response = await api.get(
            "/v1/audit", headers={"If-None-Match": guessed, "Accept": "application/json"}
        )
        assert response.status_code == 401
        # The same request as the curator's, without the key: not served from the response cache.
        assert (await api.get("/v1/audit")).status_code == 401
