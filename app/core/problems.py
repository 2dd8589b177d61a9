"""RFC 9457 problem details for every error the API returns."""

import logging
import re
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.core.security import CORS_METHODS, CORS_READ_HEADERS, SECURITY_HEADERS

PROBLEM_MEDIA_TYPE = "application/problem+json"
logger = logging.getLogger("defcoop")


class ProblemItem(BaseModel):
    detail: str = Field(description="What is wrong with this part of the request")
    pointer: str = Field(description="Where: a JSON pointer into the query or path parameters")


class Problem(BaseModel):
    """An error, as RFC 9457 problem details."""

    type: str = Field(default="about:blank", examples=["about:blank"])
    title: str = Field(examples=["Not Found"])
    status: int = Field(examples=[404])
    detail: str = Field(examples=["No country with code 'XYZ'. Did you mean XKX?"])
    instance: str = Field(examples=["/v1/countries/XYZ"])
    errors: list[ProblemItem] | None = Field(
        default=None, description="For validation failures, one item per invalid parameter"
    )


class ProblemError(Exception):
    """Raised by query functions and routes; rendered as problem+json."""

    def __init__(self, status: int, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.headers = headers or {}


class NotFound(ProblemError):
    def __init__(self, detail: str) -> None:
        super().__init__(404, detail)


class InvalidParameter(ProblemError):
    def __init__(self, pointer: str, detail: str) -> None:
        super().__init__(422, detail)
        self.pointer = pointer


def problem_response(
    request: Request,
    status: int,
    detail: str,
    errors: list[ProblemItem] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    problem = Problem(
        title=HTTPStatus(status).phrase,
        status=status,
        detail=detail,
        instance=request.url.path,
        errors=errors,
    )
    return JSONResponse(
        problem.model_dump(exclude_none=True),
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers={"Cache-Control": "no-store", **(headers or {})},
    )


def _pointer(location: tuple[Any, ...]) -> str:
    return "/" + "/".join(str(part) for part in location)


def _validation_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        ProblemItem(detail=str(error.get("msg", "invalid")), pointer=_pointer(error["loc"]))
        for error in exc.errors()
    ]
    summary = "; ".join(f"{item.pointer}: {item.detail}" for item in errors)
    return problem_response(request, 422, f"Invalid request: {summary}", errors)


def _problem_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ProblemError)
    errors = None
    if isinstance(exc, InvalidParameter):
        errors = [ProblemItem(detail=exc.detail, pointer=exc.pointer)]
    return problem_response(request, exc.status, exc.detail, errors, exc.headers)


def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
    if exc.status_code == 404 and detail == "Not Found":
        detail = f"No resource at {request.url.path}; the API lives under /v1 (see /docs)."
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = _allowed_methods(request)
    return problem_response(request, exc.status_code, detail, headers=headers)


def path_pattern(template: str) -> str:
    """The regular expression of an OpenAPI path template: `{code}` matches one segment."""
    return re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template))


def _allowed_methods(request: Request) -> str:
    """Every method the OpenAPI document lists for this path: reads and writes are separate
    routes, and the router's own `Allow` names the methods of one of them at most."""
    matching = {
        template: operations
        for template, operations in request.app.openapi()["paths"].items()
        if re.fullmatch(path_pattern(template), request.url.path)
    }
    # A fixed path (`/v1/exercises/participations`) is its own route, not a slug of the
    # parameterized one beside it (`/v1/exercises/{slug}`): its routes are declared first.
    literal = {t: ops for t, ops in matching.items() if "{" not in t}
    methods = {
        method.upper() for operations in (literal or matching).values() for method in operations
    }
    if "GET" in methods:
        methods.add("HEAD")
    return ", ".join(sorted(methods))


def _database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    """A database that is busy (a lock, a timeout), out of pooled connections, or whose
    connection was lost or terminated: a 503 to retry, not a 500. Any other database error is
    a bug, and a 500."""
    message = str(exc).lower()
    lost = isinstance(exc, DBAPIError) and exc.connection_invalidated
    if lost or isinstance(exc, PoolTimeout) or "locked" in message or "timeout" in message:
        return problem_response(
            request,
            503,
            "The database is busy or unreachable; retry shortly.",
            headers={"Retry-After": "1"},
        )
    return _unexpected(request, exc)


def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    """A generic 500: no stack trace, no exception text, nothing internal; the log has it.

    Starlette sends this one from outside every middleware, so it brings its own security (and,
    for reads, CORS) headers.
    """
    logger.exception("unhandled error on %s", request.url.path, exc_info=exc)
    headers = SECURITY_HEADERS
    if request.method in CORS_METHODS:
        headers = headers | CORS_READ_HEADERS
    return problem_response(
        request, 500, "An unexpected error occurred; it has been logged.", headers=headers
    )


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation_problem)
    app.add_exception_handler(ProblemError, _problem_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(DBAPIError, _database_unavailable)
    app.add_exception_handler(PoolTimeout, _database_unavailable)
    app.add_exception_handler(Exception, _unexpected)


def problem_answer(description: str) -> dict[str, Any]:
    """An error answer of a route in its OpenAPI entry: a problem document, and when."""
    return {"model": Problem, "description": description, "content": {PROBLEM_MEDIA_TYPE: {}}}


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {422: problem_answer("Invalid parameter")}
# For routes that take a body: app/core/limits.py answers 413 above MAX_BODY_BYTES.
TOO_LARGE_RESPONSES: dict[int | str, dict[str, Any]] = {
    413: problem_answer("Request body too large")
}
NOT_FOUND_RESPONSES: dict[int | str, dict[str, Any]] = {
    404: problem_answer("Not found"),
    **PROBLEM_RESPONSES,
}
