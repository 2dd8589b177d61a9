"""Schemathesis generates requests from the OpenAPI document and checks every response
against it (status codes, content types, schemas, problem details, no server errors)."""

import pytest
import schemathesis
from fastapi import FastAPI
from schemathesis.specs.openapi.schemas import OpenApiSchema

from tests.outside_in.support import schemathesis_run

pytestmark = pytest.mark.slow  # schemathesis: thousands of generated requests


@pytest.fixture
def api_schema(app: FastAPI) -> OpenApiSchema:
    return schemathesis.openapi.from_asgi("/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@schemathesis_run(seed=20261125, max_examples=25)
def test_api_conforms_to_its_schema(case: schemathesis.Case) -> None:  # type: ignore[type-arg]
    case.call_and_validate()
