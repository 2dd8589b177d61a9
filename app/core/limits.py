"""Request bounds checked before any route runs: body size and query size.

- A body larger than `max_body_bytes` is a 413. A declared `Content-Length` is checked before
  anything is read; a body without one (chunked) is counted as it streams, and reading stops
  at the first byte over the limit.
- More than `max_query_params` query parameters, or a query string longer than
  `max_query_bytes`, is a 422 like any other invalid parameter (pointer `/query`). Each
  parameter has its own bounds in the OpenAPI document, and no valid request comes near
  either limit; they stop a request from making the server parse an unbounded query.

All answers are problem+json.
"""

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.problems import ProblemItem, problem_response

_BODILESS = frozenset(("GET", "HEAD", "OPTIONS"))


def describe_limits(max_body_bytes: int, max_query_params: int, max_query_bytes: int) -> str:
    """The limits as a paragraph of the OpenAPI description: they belong to no one operation."""
    return (
        f"\n\nLimits: a request body of at most {max_body_bytes} bytes (else 413); at most "
        f"{max_query_params} query parameters and {max_query_bytes} bytes of query string "
        "(else 422). Reads may be made from any origin (CORS, no credentials); writes may not.\n"
    )


class BodyTooLarge(HTTPException):
    """Raised while reading a body past the limit; FastAPI passes HTTPExceptions through."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request body is too large: at most {limit} bytes.")


class RequestLimitsMiddleware:
    def __init__(
        self, app: ASGIApp, max_body_bytes: int, max_query_params: int, max_query_bytes: int
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_query_params = max_query_params
        self.max_query_bytes = max_query_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
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
            elif int(content_length) > self.max_body_bytes:
                await self._too_large(scope, receive, send)
            else:
                # The server stops the body at the declared length: nothing to count.
                await self.app(scope, receive, send)
            return
        await self._counting(scope, receive, send)

    def _query_refusal(self, scope: Scope, query: bytes) -> ASGIApp | None:
        count = query.count(b"&") + 1
        if len(query) > self.max_query_bytes:
            detail = f"The query string is too long: at most {self.max_query_bytes} bytes."
        elif count > self.max_query_params:
            detail = f"Too many query parameters ({count}); at most {self.max_query_params}."
        else:
            return None
        errors = [ProblemItem(detail=detail, pointer="/query")]
        return problem_response(Request(scope), 422, detail, errors)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        error = BodyTooLarge(self.max_body_bytes)
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
                if received > self.max_body_bytes:
                    raise BodyTooLarge(self.max_body_bytes)
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
