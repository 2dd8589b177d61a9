"""The OpenAPI document: valid, complete, and named for generated clients."""

import re
from typing import Any

from fastapi import FastAPI
from openapi_spec_validator import validate


def _operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
    ]


def test_document_is_valid_openapi(app: FastAPI) -> None:
    validate(app.openapi())


def test_every_operation_is_documented(app: FastAPI) -> None:
    schema = app.openapi()
    for method, path, operation in _operations(schema):
        where = f"{method.upper()} {path}"
        assert operation.get("summary"), where
        assert operation.get("description"), where
        assert any(code in operation["responses"] for code in ("200", "201", "204")), where
        if method not in ("get", "head"):
            assert {"401", "403", "429"} <= set(operation["responses"]), where
            assert operation.get("security") == [{"ApiKey": []}], where
        for parameter in operation.get("parameters", []):
            named = f"{where} ?{parameter['name']}"
            assert parameter.get("description"), named
            schema_part = parameter.get("schema", {})
            assert (
                "examples" in parameter or "example" in parameter or ("examples" in schema_part)
            ), named
        if path.startswith("/v1/") and operation.get("parameters"):
            assert "422" in operation["responses"], where
        if "{" in path and path.startswith("/v1/"):
            assert "404" in operation["responses"], where


def test_operation_ids_are_unique_function_names(app: FastAPI) -> None:
    schema = app.openapi()
    operation_ids = [operation["operationId"] for _, _, operation in _operations(schema)]
    assert len(operation_ids) == len(set(operation_ids))
    assert all(re.fullmatch(r"[a-z]+(_[a-z]+)*", name) for name in operation_ids)
    assert {"list_countries", "get_country", "get_country_partners"} <= set(operation_ids)


def test_list_bounds_are_declared(app: FastAPI) -> None:
    parameters = app.openapi()["paths"]["/v1/countries"]["get"]["parameters"]
    limit = next(p for p in parameters if p["name"] == "limit")
    assert limit["schema"]["maximum"] == 500
    assert limit["schema"]["minimum"] == 1
