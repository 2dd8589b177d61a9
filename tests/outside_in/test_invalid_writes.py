"""Every write route of the OpenAPI document, sent an invalid body, changes nothing.

Driven by the document, so routes added later are covered without touching this file. For each
write operation that takes a JSON body: its documented example with an unknown field added, and
the example with each bounded top-level string one character too long. Each must be a 4xx
problem, and leave the data version, the audit count and the resource read back unchanged.
Path parameters take a real record where the collection lists one (else the documented
example), so that the refusal is the body's doing, not a missing record's.
"""

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from app.auth.models import Scope
from app.core.config import Settings
from app.main import create_app
from tests.outside_in.support import BlockingClient, blocking_client, new_key, writable_app

DOCUMENT = create_app(Settings(database_url="sqlite:///unused.db")).openapi()  # never opened
KEY_FIELDS = ("slug", "iso3", "id", "name")


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = DOCUMENT["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _write_operations() -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, operations in DOCUMENT["paths"].items():
        for method, operation in operations.items():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if method in ("post", "put", "patch", "delete") and body:
                yield method.upper(), path, _resolve(body["schema"])


OPERATIONS = sorted(_write_operations(), key=lambda op: (op[1], op[0]))


def _bounded_strings(schema: dict[str, Any]) -> dict[str, int]:
    bounds = {}
    for name, field in schema.get("properties", {}).items():
        for choice in field.get("anyOf", [field]):
            if choice.get("type") == "string" and "maxLength" in choice and "pattern" not in choice:
                bounds[name] = choice["maxLength"]
    return bounds


def _example(schema: dict[str, Any]) -> dict[str, Any]:
    examples = schema.get("examples") or [{}]
    example: dict[str, Any] = examples[0]
    return example


def _fill(api: BlockingClient, path: str) -> str:
    """The path with each parameter set to a listed record, or to its documented example."""
    segments = path.split("/")
    for index, segment in enumerate(segments):
        if not segment.startswith("{"):
            continue
        collection = "/".join(segments[:index])
        listed = api.request("GET", f"{collection}?limit=1")
        value = None
        if listed.status_code == 200 and listed.json().get("data"):
            first = listed.json()["data"][0]
            value = next((str(first[k]) for k in KEY_FIELDS if k in first), None)
        if value is None:
            operation = next(iter(DOCUMENT["paths"][path].values()))
            parameter = next(p for p in operation["parameters"] if f"{{{p['name']}}}" == segment)
            value = str(parameter["schema"].get("examples", ["x"])[0])
        segments[index] = value
    return "/".join(segments)


@pytest.fixture
def admin(fresh_url: str) -> Iterator[BlockingClient]:
    app: FastAPI = writable_app(fresh_url)
    with blocking_client(app, new_key(fresh_url, scope=Scope.admin)) as api:
        yield api


def _state(api: BlockingClient, path: str) -> tuple[int, int, int, Any]:
    meta = api.request("GET", "/v1/meta").json()
    audited = api.request("GET", "/v1/audit?limit=1").json()["meta"]["total"]
    resource = api.request("GET", path)
    return meta["data_version"], audited, resource.status_code, resource.content


@pytest.mark.parametrize(
    ("method", "path", "schema"), OPERATIONS, ids=[f"{m} {p}" for m, p, _ in OPERATIONS]
)
def test_an_invalid_body_changes_nothing(
    admin: BlockingClient, method: str, path: str, schema: dict[str, Any]
) -> None:
    target = _fill(admin, path)
    example = _example(schema)
    bodies = [{**example, "an_unknown_field": 1}] + [
        {**example, name: "x" * (bound + 1)} for name, bound in _bounded_strings(schema).items()
    ]
    for body in bodies:
        before = _state(admin, target)
        response: httpx.Response = admin.request(method, target, json=body)
        assert response.status_code == 422, (method, target, body, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert _state(admin, target) == before, (method, target, body)
