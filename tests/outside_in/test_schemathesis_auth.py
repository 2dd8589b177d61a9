"""Schemathesis with a valid curator key, against a fresh writable database per operation.

tests/test_schemathesis.py sends no key: every write is a 401 there. Here schemathesis sends
the key of a curator (configured as the OpenAPI `ApiKey` scheme, so its auth checks know the
key is real): writes run for real, and `ignored_auth` replays each accepted request without a
key and with a made-up one to prove both are refused. Each operation gets its own copy of the
seeded database, so the shared read database of the other tests is never written to.
"""

import pytest
import schemathesis
from fastapi import FastAPI
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.schemas import OpenApiSchema

from tests.outside_in.support import new_key, schemathesis_run, writable_app

pytestmark = pytest.mark.slow  # schemathesis: thousands of generated requests

CONFIG = """
[auth.openapi.ApiKey]
api_key = "{key}"

[checks.positive_data_acceptance]
expected-statuses = ["2xx", "304", "404", "422"]

# Key management is for admins: a curator gets 403 (the first matching block applies).
[[operations]]
include-path-regex = "^/v1/keys"
checks.positive_data_acceptance.expected-statuses = ["2xx", "403", "404", "409", "422"]

# A write may also meet stored data it conflicts with (409), and an If-Match made up by the
# generator names no version of the resource (412).
[[operations]]
include-method-regex = "^(POST|PUT|PATCH|DELETE)$"
checks.positive_data_acceptance.expected-statuses = ["2xx", "404", "409", "412", "422"]
"""


@pytest.fixture
def curator_app(fresh_url: str) -> tuple[FastAPI, str]:
    return writable_app(fresh_url), new_key(fresh_url)


@pytest.fixture
def curated_schema(curator_app: tuple[FastAPI, str]) -> OpenApiSchema:
    app, key = curator_app
    config = SchemathesisConfig.from_str(CONFIG.format(key=key))
    return schemathesis.openapi.from_asgi("/openapi.json", app, config=config)


schema = schemathesis.pytest.from_fixture("curated_schema")


# Public reads need no key and are covered by tests/test_schemathesis.py; here: the writes
# and the private reads.
@schema.exclude(method="GET", path_regex="^/(?!v1/(audit|keys))").parametrize()
@schemathesis_run(seed=20261126, max_examples=40)
def test_api_with_a_curator_key_conforms_to_its_schema(case: schemathesis.Case) -> None:  # type: ignore[type-arg]
    case.call_and_validate()
