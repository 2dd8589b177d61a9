"""Hardening: security headers, CORS, request bounds, no banner and no stack traces."""

from collections.abc import AsyncIterator, Iterator, MutableMapping
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI, Request
from typer.testing import CliRunner

from app import cli as cli_module
from app.core.config import Settings
from app.core.security import API_CONTENT_SECURITY_POLICY
from app.countries import queries as country_queries
from app.main import create_app
from tests.asgi import http_scope

pytestmark = pytest.mark.anyio

ORIGIN = "https://elsewhere.example"
SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}


def assert_security_headers(response: httpx.Response) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, (name, response.request.url)
    assert response.headers.get("content-security-policy"), response.request.url


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem: dict[str, Any] = response.json()
    assert problem["status"] == status
    assert problem["detail"]
    return problem


@pytest.fixture
def settings(seeded_url: str) -> Settings:
    return Settings(database_url=seeded_url)


@pytest.fixture
def own_app(settings: Settings) -> Iterator[FastAPI]:
    """An app of its own, for tests that add test-only routes or change limits."""
    app = create_app(settings)
    yield app
    app.state.engine.dispose()


async def client_for(app: FastAPI, *, raise_app_exceptions: bool = True) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=raise_app_exceptions)
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


@pytest.fixture
async def own_api(own_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with await client_for(own_app) as client:
        yield client


# Security headers


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("GET", "/v1/countries?limit=2"),
        ("GET", "/v1/countries/IDN"),
        ("GET", "/v1/countries/XYZ"),  # 404
        ("GET", "/v1/countries?limit=501"),  # 422
        ("HEAD", "/v1/countries"),
        ("POST", "/v1/countries"),  # 405
        ("GET", "/health"),
        ("GET", "/openapi.json"),
        ("GET", "/nowhere"),
        ("GET", "/v1/countries/IDN/partners?format=csv"),
        ("GET", "/docs-assets/swagger-ui.css"),
    ],
)
async def test_every_response_has_the_security_headers(
    api: httpx.AsyncClient, method: str, url: str
) -> None:
    response = await api.request(method, url)
    assert_security_headers(response)
    assert response.headers["content-security-policy"] == API_CONTENT_SECURITY_POLICY
    assert "server" not in response.headers


async def test_a_304_has_the_security_headers(api: httpx.AsyncClient) -> None:
    etag = (await api.get("/v1/countries/IDN")).headers["etag"]
    response = await api.get("/v1/countries/IDN", headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert_security_headers(response)


@pytest.mark.parametrize("url", ["/docs", "/redoc", "/docs/oauth2-redirect", "/"])
async def test_pages_keep_their_own_content_security_policy(
    api: httpx.AsyncClient, url: str
) -> None:
    response = await api.get(url)
    assert response.status_code == 200
    assert_security_headers(response)
    policy = response.headers["content-security-policy"]
    assert policy != API_CONTENT_SECURITY_POLICY
    assert "default-src 'self'" in policy
    assert response.headers.get_list("content-security-policy") == [policy]


# No stack traces


class _InternalError(RuntimeError):
    pass


SECRET = "Traceback /srv/app/secret.py line 42: SELECT password FROM api_keys"


async def test_an_internal_error_is_a_generic_problem(own_app: FastAPI) -> None:
    @own_app.get("/test-only/explode", include_in_schema=False)
    def explode() -> None:
        raise _InternalError(SECRET)

    async with await client_for(own_app, raise_app_exceptions=False) as client:
        response = await client.get("/test-only/explode")
    problem = assert_problem(response, 500)
    assert problem["detail"] == "An unexpected error occurred; it has been logged."
    assert set(problem) == {"type", "title", "status", "detail", "instance"}
    assert problem["instance"] == "/test-only/explode"
    for leak in ("Traceback", "secret", "SELECT", "_InternalError", "raise", ".py"):
        assert leak not in response.text
    assert_security_headers(response)
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["access-control-allow-origin"] == "*"


async def test_a_failing_query_is_a_generic_problem(
    own_app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing_query(*_args: Any, **_kwargs: Any) -> None:
        raise _InternalError(SECRET)

    monkeypatch.setattr(country_queries, "list_countries", failing_query)
    async with await client_for(own_app, raise_app_exceptions=False) as client:
        response = await client.get("/v1/countries")
    assert_problem(response, 500)
    assert "SELECT" not in response.text and "Traceback" not in response.text
    assert_security_headers(response)


def test_the_limits_are_in_the_openapi_description(app: FastAPI) -> None:
    description = app.openapi()["info"]["description"]
    settings = Settings()
    for limit in (settings.max_body_bytes, settings.max_query_params, settings.max_query_bytes):
        assert str(limit) in description


# No server banner


def test_serve_runs_uvicorn_without_a_server_header(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: calls.append(kw))
    result = CliRunner().invoke(cli_module.cli, ["serve", "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert calls and calls[0]["server_header"] is False


# CORS


async def test_reads_are_open_to_any_origin(api: httpx.AsyncClient) -> None:
    response = await api.get("/v1/countries/IDN/partners", headers={"Origin": ORIGIN})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    exposed = {h.strip() for h in response.headers["access-control-expose-headers"].split(",")}
    assert {"ETag", "Link"} <= exposed
    assert "access-control-allow-credentials" not in response.headers


@pytest.mark.parametrize("method", ["GET", "HEAD"])
async def test_errors_of_reads_are_readable_cross_origin(
    api: httpx.AsyncClient, method: str
) -> None:
    response = await api.request(method, "/v1/countries/XYZ", headers={"Origin": ORIGIN})
    assert response.status_code == 404
    assert response.headers["access-control-allow-origin"] == "*"


async def test_preflight_of_a_conditional_read_is_allowed(api: httpx.AsyncClient) -> None:
    response = await api.options(
        "/v1/countries",
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "if-none-match, accept",
        },
    )
    assert response.status_code in (200, 204)
    assert response.headers["access-control-allow-origin"] == "*"
    methods = {m.strip() for m in response.headers["access-control-allow-methods"].split(",")}
    assert methods == {"GET", "HEAD"}
    assert "if-none-match" in response.headers["access-control-allow-headers"].lower()
    assert "access-control-allow-credentials" not in response.headers
    assert_security_headers(response)


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
async def test_preflight_of_a_write_is_refused(api: httpx.AsyncClient, method: str) -> None:
    response = await api.options(
        "/v1/organizations/nato",
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "content-type, x-api-key",
        },
    )
    problem = assert_problem(response, 403)
    assert method in problem["detail"]
    assert not [name for name in response.headers if name.startswith("access-control-allow")]


async def test_preflight_with_a_credential_header_is_refused(api: httpx.AsyncClient) -> None:
    for header in ("authorization", "x-api-key"):
        response = await api.options(
            "/v1/countries",
            headers={
                "Origin": ORIGIN,
                "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": header,
            },
        )
        assert_problem(response, 403)
        assert "access-control-allow-origin" not in response.headers


async def test_responses_to_writes_carry_no_cors_headers(api: httpx.AsyncClient) -> None:
    """A simple cross-origin POST (no preflight) is sent by browsers: its answer stays opaque."""
    response = await api.post(
        "/v1/countries",
        content=b"x",
        headers={"Origin": ORIGIN, "Content-Type": "text/plain"},
    )
    assert response.status_code == 405
    assert not [name for name in response.headers if name.startswith("access-control-")]


async def test_options_without_cors_is_left_to_the_app(api: httpx.AsyncClient) -> None:
    response = await api.options("/v1/countries")
    assert response.status_code == 405
    assert response.headers["content-type"] == "application/problem+json"


# Request bounds


async def test_a_declared_body_over_the_limit_is_413_before_reading(
    api: httpx.AsyncClient,
) -> None:
    limit = Settings().max_body_bytes
    assert limit == 1024 * 1024
    response = await api.post("/v1/countries", content=b"x" * (limit + 1))
    problem = assert_problem(response, 413)
    assert str(limit) in problem["detail"]
    assert_security_headers(response)


async def test_a_body_within_the_limit_reaches_the_app(api: httpx.AsyncClient) -> None:
    response = await api.post("/v1/countries", content=b"x" * 1000)
    assert response.status_code == 405  # the route decides, not the limit


def _echo_route(app: FastAPI) -> None:
    @app.post("/test-only/echo", include_in_schema=False)
    async def echo(request: Request) -> dict[str, int]:
        return {"received": len(await request.body())}


async def _chunks(count: int, size: int) -> AsyncIterator[bytes]:
    for _ in range(count):
        yield b"x" * size


@pytest.mark.parametrize(("chunks", "status"), [(3, 200), (5, 413)])
async def test_a_streamed_body_is_counted(seeded_url: str, chunks: int, status: int) -> None:
    app = create_app(Settings(database_url=seeded_url, max_body_bytes=4000))
    _echo_route(app)
    async with await client_for(app) as client:
        response = await client.post("/test-only/echo", content=_chunks(chunks, 1000))
    app.state.engine.dispose()
    assert "content-length" not in response.request.headers  # chunked: nothing declared
    if status == 200:
        assert response.status_code == 200
        assert response.json() == {"received": 3000}
    else:
        problem = assert_problem(response, 413)
        assert "4000" in problem["detail"]


async def test_the_body_limit_comes_from_the_environment(
    seeded_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MAX_BODY_BYTES", "10")
    app = create_app(Settings(database_url=seeded_url))
    _echo_route(app)
    async with await client_for(app) as client:
        small = await client.post("/test-only/echo", content=b"x" * 10)
        large = await client.post("/test-only/echo", content=b"x" * 11)
    app.state.engine.dispose()
    assert small.status_code == 200
    assert_problem(large, 413)


async def test_an_invalid_content_length_is_400(own_app: FastAPI) -> None:
    messages: list[MutableMapping[str, Any]] = []

    async def receive() -> MutableMapping[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: MutableMapping[str, Any]) -> None:
        messages.append(message)

    scope = http_scope("POST", "/v1/countries", headers=[(b"content-length", b"-1")])
    await own_app(scope, receive, send)
    assert messages[0]["status"] == 400


async def test_too_many_query_parameters_is_422(api: httpx.AsyncClient) -> None:
    limit = Settings().max_query_params
    at_limit = "&".join(["limit=2"] * limit)
    assert (await api.get(f"/v1/countries?{at_limit}")).status_code == 200
    response = await api.get(f"/v1/countries?{at_limit}&limit=2")
    problem = assert_problem(response, 422)
    assert problem["errors"][0]["pointer"] == "/query"
    assert str(limit) in problem["detail"]


async def test_a_query_string_over_the_limit_is_422(api: httpx.AsyncClient) -> None:
    limit = Settings().max_query_bytes
    response = await api.get("/v1/countries", params={"q": "x" * limit})
    problem = assert_problem(response, 422)
    assert problem["errors"][0]["pointer"] == "/query"
    assert str(limit) in problem["detail"]


@pytest.mark.parametrize(
    ("url", "pointer"),
    [
        ("/v1/exercises?participant=IDNN", "/query/participant/0"),
        ("/v1/exercises?host=I%00N", "/query/host/0"),
        ("/v1/agreements?threat=" + "x" * 161, "/query/threat/0"),
        ("/v1/operations?threat=Not%20A%20Slug", "/query/threat/0"),
        ("/v1/dyad-years?year_gte=2000&year_lte=2001" + "&country=IDN" * 21, "/query/country"),
    ],
)
async def test_items_of_repeated_parameters_are_bounded(
    api: httpx.AsyncClient, url: str, pointer: str
) -> None:
    problem = assert_problem(await api.get(url), 422)
    assert problem["errors"][0]["pointer"] == pointer
