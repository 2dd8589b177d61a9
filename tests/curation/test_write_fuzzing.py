"""Schemathesis on the write routes of the curated entities WITH a curator key, each
operation on a fresh seeded database: whatever valid-looking body it sends, the answer is a
documented status (2xx, 404, 409, 422) with a body that matches the schema, never a 500."""

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from hypothesis import seed as fixed_seed
from schemathesis.specs.openapi.checks import ignored_auth, missing_required_header
from schemathesis.specs.openapi.schemas import OpenApiSchema

from app.core.config import Settings
from app.main import create_app
from tests.conftest import _drop_database, make_key
from tests.curation.conftest import clone


@pytest.fixture
def keyed_app(template_url: str, tmp_path: Path) -> Iterator[tuple[FastAPI, str]]:
    url = clone(template_url, tmp_path)
    key = make_key(url, "fuzzer")
    app = create_app(
        Settings(database_url=url, rate_limit_writes=1_000_000, rate_limit_auth_failures=1_000_000)
    )
    yield app, key
    app.state.engine.dispose()
    _drop_database(url)


@pytest.fixture
def write_schema(keyed_app: tuple[FastAPI, str]) -> OpenApiSchema:
    return schemathesis.openapi.from_asgi("/openapi.json", keyed_app[0])


schema = schemathesis.pytest.from_fixture("write_schema")
NOT_OURS = ("/v1/organizations", "/v1/keys", "/v1/audit", "/health", "/ready")


@schema.parametrize()
@fixed_seed(20261126)
@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_writes_with_a_key_conform(
    case: schemathesis.Case,  # type: ignore[type-arg]
    keyed_app: tuple[FastAPI, str],
) -> None:
    operation = case.operation
    if operation.method.upper() in ("GET", "HEAD") or operation.path.startswith(NOT_OURS):
        pytest.skip("reads are fuzzed by tests/test_schemathesis.py, these writes elsewhere")
    for name in [name for name in case.headers or {} if name.lower() == "if-match"]:
        del case.headers[name]
    # The key rides on every call, so the checks that resend a request without it would
    # still see it: the unauthenticated answers are checked by tests/test_schemathesis.py.
    case.call_and_validate(
        headers={"X-API-Key": keyed_app[1]},
        excluded_checks=[missing_required_header, ignored_auth],
    )
