"""Request bounds checked before any route runs: headers, body size and time, query size.

- More than `max_headers` header lines, or more than `max_header_bytes` of them, is a 431.
- A body not received within `body_timeout_seconds` of the request's start is a 408: a client
  sending it slowly cannot hold a connection (and a worker's request slot) forever.

- A body larger than `max_body_bytes` is a 413. A declared `Content-Length` is checked before
  anything is read; a body without one (chunked) is counted as it streams, and reading stops
  at the first byte over the limit.
- More than `max_query_params` query parameters, or a query string longer than
  `max_query_bytes`, is a 422 like any other invalid parameter (pointer `/query`). Each
  parameter has its own bounds in the OpenAPI document, and no valid request comes near
  either limit; they stop a request from making the server parse an unbounded query.

All answers are problem+json.
"""

import asyncio
from dataclasses import dataclass, fields

from pydantic import BaseModel
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.problems import ProblemItem, problem_response

_BODILESS = frozenset(("GET", "HEAD", "OPTIONS"))


@dataclass(frozen=True)
class RequestLimits:
    max_body_bytes: int
    max_query_params: int
    max_query_bytes: int
    max_headers: int
    max_header_bytes: int
    body_timeout_seconds: float

    @classmethod
    def of(cls, settings: BaseModel) -> "RequestLimits":
        """The limits the settings set: each is the setting of the same name."""
        return cls(**settings.model_dump(include={limit.name for limit in fields(cls)}))

    def describe(self) -> str:
        """A paragraph of the OpenAPI description: the limits belong to no one operation."""
        return (
            f"\n\nLimits: a request body of at most {self.max_body_bytes} bytes (else 413), "
            f"received within {self.body_timeout_seconds:g} s (else 408); at most "
            f"{self.max_headers} header lines and {self.max_header_bytes} bytes of headers "
            f"(else 431); at most {self.max_query_params} query parameters and "
            f"{self.max_query_bytes} bytes of query string (else 422). Reads may be made from "
            "any origin (CORS, no credentials); writes may not.\n"
        )


class BodyTooLarge(HTTPException):
    """Raised while reading a body past the limit; FastAPI passes HTTPExceptions through."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request body is too large: at most {limit} bytes.")


class BodyTimeout(HTTPException):
    def __init__(self, seconds: float) -> None:
        super().__init__(408, f"The request body did not arrive within {seconds:g} seconds.")


class RequestLimitsMiddleware:
    def __init__(self, app: ASGIApp, limits: RequestLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers: list[tuple[bytes, bytes]] = scope["headers"]
        header_bytes = sum(len(name) + len(value) + 4 for name, value in headers)
        if len(headers) > self.limits.max_headers or header_bytes > self.limits.max_header_bytes:
            detail = (
                f"Too many or too large headers ({len(headers)} lines, {header_bytes} bytes); "
                f"at most {self.limits.max_headers} lines and {self.limits.max_header_bytes} bytes."
            )
            await problem_response(Request(scope), 431, detail)(scope, receive, send)
            return
        query: bytes = scope["query_string"]
        if query and (refusal := self._query_refusal(scope, query)):
            await refusal(scope, receive, send)
            return

        content_length = None
        chunked = False
        for name, value in scope["headers"]:
            if name == b"content-length":
                content_length = value
            elif name == b"transfer-encoding":
                chunked = True
        if content_length is None and not chunked and scope["method"] in _BODILESS:
            # A read with neither header has no body: nothing to count (the hot path).
            await self.app(scope, receive, send)
            return
        if content_length is not None:
            if not content_length.isdigit():
                await problem_response(Request(scope), 400, "Invalid Content-Length.")(
                    scope, receive, send
                )
            elif int(content_length) > self.limits.max_body_bytes:
                await self._too_large(scope, receive, send)
            else:
                # The server stops the body at the declared length: nothing to count.
                await self.app(scope, self._within_deadline(receive), send)
            return
        await self._counting(scope, self._within_deadline(receive), send)

    def _within_deadline(self, receive: Receive) -> Receive:
        """`receive`, failing with a 408 once the body has taken longer than the timeout; after
        the body's last part it waits as long as it takes (for a disconnect, say)."""
        deadline = asyncio.get_running_loop().time() + self.limits.body_timeout_seconds
        complete = False

        async def timed_receive() -> Message:
            nonlocal complete
            if complete:
                return await receive()
            try:
                async with asyncio.timeout_at(deadline):
                    message = await receive()
            except TimeoutError:
                raise BodyTimeout(self.limits.body_timeout_seconds) from None
            complete = message["type"] != "http.request" or not message.get("more_body", False)
            return message

        return timed_receive

    def _query_refusal(self, scope: Scope, query: bytes) -> ASGIApp | None:
        count = query.count(b"&") + 1
        if len(query) > self.limits.max_query_bytes:
            detail = f"The query string is too long: at most {self.limits.max_query_bytes} bytes."
        elif count > self.limits.max_query_params:
            detail = f"Too many query parameters ({count}); at most {self.limits.max_query_params}."
        else:
            return None
        errors = [ProblemItem(detail=detail, pointer="/query")]
        return problem_response(Request(scope), 422, detail, errors)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        error = BodyTooLarge(self.limits.max_body_bytes)
        await problem_response(Request(scope), 413, str(error.detail))(scope, receive, send)

    async def _counting(self, scope: Scope, receive: Receive, send: Send) -> None:
        """A body of unknown length: count it as the app reads it."""
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limits.max_body_bytes:
                    raise BodyTooLarge(self.limits.max_body_bytes)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            # Read outside the routes (which turn it into a 413 themselves), e.g. by a middleware.
            if started:
                raise
            await self._too_large(scope, receive, send)
