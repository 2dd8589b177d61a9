"""Response headers every client gets: security headers and the CORS policy.

Both middlewares are plain ASGI and add precomputed header pairs to the response start, so they
cost a few list operations per request and never touch the body.

- Security headers on every response. API responses get a CSP that allows nothing
  (`default-src 'none'`); a page that sets its own CSP (the docs pages, the explorer) keeps it.
- CORS: the data is public, so reads (GET, HEAD) are open to every origin, without credentials.
  A preflight is answered only for reads; one for any other method is refused, so a browser
  never sends a cross-origin write. Responses to writes carry no CORS headers, so a page on
  another origin cannot read them either.
"""

import json

from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

API_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'"
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": API_CONTENT_SECURITY_POLICY,
}

CORS_METHODS = ("GET", "HEAD")
# Beyond the CORS-safelisted ones: If-None-Match for conditional reads.
CORS_REQUEST_HEADERS = ("Accept", "Accept-Language", "Content-Language", "If-None-Match")
# Beyond the CORS-safelisted ones (Cache-Control, Content-Type, ...): what a script needs.
CORS_EXPOSED_HEADERS = ("ETag", "Link", "Content-Disposition", "Retry-After")
CORS_MAX_AGE = 86_400
CORS_READ_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": ", ".join(CORS_EXPOSED_HEADERS),
}
CORS_PREFLIGHT_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": ", ".join(CORS_METHODS),
    "Access-Control-Allow-Headers": ", ".join(CORS_REQUEST_HEADERS),
    "Access-Control-Max-Age": str(CORS_MAX_AGE),
}


def _raw(headers: dict[str, str]) -> list[tuple[bytes, bytes]]:
    return [
        (name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()
    ]


class SecurityHeadersMiddleware:
    """Adds the security headers to every HTTP response that does not set them itself."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.headers = _raw(SECURITY_HEADERS)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {name.lower() for name, _ in headers}
                headers += [pair for pair in self.headers if pair[0] not in present]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class PublicReadCorsMiddleware:
    """CORS for a public read-only API: any origin may read, no origin may write."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.read_headers = _raw(CORS_READ_HEADERS)
        self.allowed_request_headers = {name.lower() for name in CORS_REQUEST_HEADERS}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        if method == "OPTIONS":
            headers = Headers(scope=scope)
            if "origin" in headers and "access-control-request-method" in headers:
                await self.preflight(headers, scope["path"])(scope, receive, send)
                return
        if method not in CORS_METHODS:
            await self.app(scope, receive, send)
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), *self.read_headers]
            await send(message)

        await self.app(scope, receive, send_with_cors)

    def preflight(self, headers: Headers, path: str) -> Response:
        method = headers["access-control-request-method"].strip().upper()
        requested = {
            name.strip().lower()
            for name in headers.get("access-control-request-headers", "").split(",")
            if name.strip()
        }
        if method not in CORS_METHODS:
            detail = f"Cross-origin {method} requests are not allowed; only reads are."
            return _refusal(detail, path)
        if not requested <= self.allowed_request_headers:
            refused = ", ".join(sorted(requested - self.allowed_request_headers))
            return _refusal(f"Cross-origin requests may not send these headers: {refused}.", path)
        return Response(status_code=204, headers=CORS_PREFLIGHT_HEADERS)


def _refusal(detail: str, path: str) -> Response:
    """A refused preflight: a problem (RFC 9457), and no Access-Control-Allow-* header."""
    problem = {"type": "about:blank", "title": "Forbidden", "status": 403}
    problem |= {"detail": detail, "instance": path}
    return Response(
        json.dumps(problem),
        status_code=403,
        media_type="application/problem+json",
        headers={"Cache-Control": "no-store"},
    )
