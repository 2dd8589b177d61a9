"""The OpenAPI document as generated clients read it (issue 16, "Generated clients that work").

Two passes over FastAPI's document, in one place so that every route gets them:

- Every error response declares the problem+json schema (`Problem`) under the media type the
  API sends, `application/problem+json`, and only that one: FastAPI puts the model under
  `application/json` and leaves the problem+json entry empty, so openapi-python-client read
  the first (empty) entry and gave `None` for every 404 and 422. Every /v1 operation also
  declares the 503 that any request answers while the database is busy.
- A client generator makes one parser per status code, from the first media type: a list
  that answers JSON or, with `format=csv`, CSV, came back through the JSON parser and crashed.
  So each download also has its own path, `/v1/countries.csv`, `/v1/network.graphml`, whose
  200 is that media type alone; `DownloadPathsMiddleware` serves it as the same route with
  `format=csv` (or `graphml`).
"""

import copy
import re
from typing import Any
from urllib.parse import parse_qsl, urlencode

from fastapi import FastAPI, Request
from starlette.types import ASGIApp, Receive, Scope, Send

from app.core.problems import PROBLEM_MEDIA_TYPE, Problem, path_pattern, problem_response

# The download formats a route may answer besides JSON: media type -> `format` value, which is
# also the suffix of the download's own path.
DOWNLOAD_FORMATS = {"text/csv": "csv", "application/graphml+xml": "graphml"}
_PROBLEM_SCHEMA = {"$ref": f"#/components/schemas/{Problem.__name__}"}
_BUSY = {"description": "The database is busy; retry after `Retry-After` seconds"}

_READ_ONLY = {"Allow": "GET, HEAD"}

Document = dict[str, Any]


def _declare_problems(document: Document) -> None:
    for path, item in document["paths"].items():
        for operation in item.values():
            responses = operation["responses"]
            if path.startswith("/v1/"):
                responses.setdefault("503", dict(_BUSY))
            for code, response in responses.items():
                if code[0] in "45":
                    response["content"] = {PROBLEM_MEDIA_TYPE: {"schema": _PROBLEM_SCHEMA}}
    # FastAPI's own 422 body, which the problem+json schema has just replaced everywhere.
    schemas = document.get("components", {}).get("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)


def _download_operation(operation: Document, media_type: str, wanted: str) -> Document:
    download = copy.deepcopy(operation)
    download["operationId"] = f"{operation['operationId']}_{wanted}"
    download["summary"] = f"{operation['summary']} ({wanted.upper()})"
    download["description"] = (
        f"The same as with `format={wanted}`, as its own path so that a generated client reads "
        f"`{media_type}`.\n\n{operation['description']}"
    )
    download["parameters"] = [
        parameter
        for parameter in operation.get("parameters", [])
        if not (parameter["in"] == "query" and parameter["name"] == "format")
    ]
    content = operation["responses"]["200"]["content"][media_type]
    download["responses"]["200"] = {
        "description": f"The whole list as {wanted.upper()}",
        "content": {media_type: content},
    }
    return download


def _add_download_paths(document: Document) -> None:
    paths: Document = {}
    for path, item in document["paths"].items():
        paths[path] = item
        operation = item.get("get")
        if operation is None:
            continue
        content = operation["responses"].get("200", {}).get("content", {})
        names = {parameter["name"] for parameter in operation.get("parameters", [])}
        for media_type, wanted in DOWNLOAD_FORMATS.items():
            if media_type in content and "format" in names:
                paths[f"{path}.{wanted}"] = {
                    "get": _download_operation(operation, media_type, wanted)
                }
    document["paths"] = paths


def install_openapi(app: FastAPI) -> None:
    """Post-process the app's document once, when it is first built."""
    build = app.openapi

    def openapi() -> Document:
        if app.openapi_schema is None:
            document = build()
            _declare_problems(document)
            _add_download_paths(document)
        return app.openapi_schema or {}

    app.openapi = openapi  # type: ignore[method-assign]


class DownloadPathsMiddleware:
    """Serve `/v1/countries.csv` as `/v1/countries?format=csv`, for every download path the
    OpenAPI document lists, and no other: `/v1/countries/IDN.csv` stays a 404."""

    def __init__(self, app: ASGIApp, api: FastAPI) -> None:
        self.app = app
        self.api = api
        self._patterns: list[tuple[re.Pattern[str], str]] | None = None

    def _downloads(self) -> list[tuple[re.Pattern[str], str]]:
        if self._patterns is None:
            suffixes = tuple(f".{wanted}" for wanted in DOWNLOAD_FORMATS.values())
            self._patterns = [
                (re.compile(path_pattern(template)), template.rsplit(".", 1)[1])
                for template in self.api.openapi()["paths"]
                if template.endswith(suffixes)
            ]
        return self._patterns

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and path.startswith("/v1/") and "." in path:
            for pattern, wanted in self._downloads():
                if not pattern.fullmatch(path):
                    continue
                if scope["method"] != "GET":
                    # Not the list's writes: `POST /v1/organizations.csv` creates nothing.
                    detail = f"{path} answers GET and HEAD only."
                    refusal = problem_response(Request(scope), 405, detail, headers=_READ_ONLY)
                    await refusal(scope, receive, send)
                    return
                scope = _as_format(scope, path.removesuffix(f".{wanted}"), wanted)
                break
        await self.app(scope, receive, send)


def _as_format(scope: Scope, path: str, wanted: str) -> Scope:
    asked = parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True)
    query = [(name, value) for name, value in asked if name != "format"]
    query.append(("format", wanted))
    return {
        **scope,
        "path": path,
        "raw_path": path.encode(),
        "query_string": urlencode(query).encode("latin-1"),
    }
