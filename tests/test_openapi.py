"""The OpenAPI document: valid, complete, and named for generated clients."""

import json
import re
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from openapi_spec_validator import validate

from tests.openapi_shape import without_descriptions

SNAPSHOT = Path(__file__).parent / "snapshots" / "openapi.json"


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


def _resolve(schema: dict[str, Any], part: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in part:
        name = part["$ref"].removeprefix("#/components/schemas/")
        resolved: dict[str, Any] = schema["components"]["schemas"][name]
        return resolved
    return part


def _unbounded(schema: dict[str, Any], part: dict[str, Any], where: str) -> list[str]:
    """Why this parameter schema lets a client send more than it declares, if it does."""
    part = _resolve(schema, part)
    if "anyOf" in part:
        return [
            problem
            for branch in part["anyOf"]
            if branch.get("type") != "null"
            for problem in _unbounded(schema, branch, where)
        ]
    if "enum" in part or "const" in part or part.get("type") == "boolean":
        return []
    kind = part.get("type")
    if kind == "string":
        # A fixed format (a date) bounds the length as well as maxLength does.
        bounded = "maxLength" in part or part.get("format") in ("date", "date-time")
        return [] if bounded else [f"{where}: string without maxLength"]
    if kind in ("integer", "number"):
        missing = [key for key in ("minimum", "maximum") if key not in part]
        return [f"{where}: {kind} without {', '.join(missing)}"] if missing else []
    if kind == "array":
        problems = [] if "maxItems" in part else [f"{where}: array without maxItems"]
        return problems + _unbounded(schema, part.get("items", {}), f"{where} items")
    return [f"{where}: no bounds for {part}"]


def test_every_parameter_declares_its_bounds(app: FastAPI) -> None:
    """maxLength, minimum/maximum, maxItems (and on list items): declared, not only enforced."""
    schema = app.openapi()
    problems = [
        problem
        for method, path, operation in _operations(schema)
        for parameter in operation.get("parameters", [])
        for problem in _unbounded(
            schema, parameter["schema"], f"{method.upper()} {path} ?{parameter['name']}"
        )
    ]
    assert problems == []


def test_the_bounds_check_sees_what_is_missing() -> None:
    schema: dict[str, Any] = {"components": {"schemas": {"E": {"enum": ["a"]}}}}
    assert _unbounded(schema, {"type": "string"}, "s") == ["s: string without maxLength"]
    assert _unbounded(schema, {"type": "integer", "minimum": 1}, "i") == [
        "i: integer without maximum"
    ]
    unbounded_items = {"type": "array", "maxItems": 3, "items": {"type": "string"}}
    assert _unbounded(schema, unbounded_items, "a") == ["a items: string without maxLength"]
    assert (
        _unbounded(schema, {"anyOf": [{"$ref": "#/components/schemas/E"}, {"type": "null"}]}, "e")
        == []
    )


def test_document_shape_is_unchanged(app: FastAPI) -> None:
    """Paths, operationIds, parameters and schemas match the recorded document (prose aside).

    A refactor must not change what clients can send or receive; an intended change to the
    API updates `tests/snapshots/openapi.json` in the same commit
    (`python -m tests.openapi_shape > tests/snapshots/openapi.json`).
    """
    recorded = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    assert without_descriptions(app.openapi()) == recorded
