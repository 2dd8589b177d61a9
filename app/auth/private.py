"""Reads that need an API key (the audit trail, key management) are never cached.

The conditional-GET middleware marks every read under /v1 as public and may answer it with
304 before any route runs; for these paths that would skip authentication and let shared
caches keep private data. This middleware wraps it: it drops `If-None-Match` from such
requests and answers them with `Cache-Control: no-store`.
"""

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PRIVATE_PREFIXES = ("/v1/audit", "/v1/keys")


class PrivateResponsesMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(PRIVATE_PREFIXES):
            await self.app(scope, receive, send)
            return
        scope = dict(scope)
        scope["headers"] = [(k, v) for k, v in scope["headers"] if k.lower() != b"if-none-match"]

        async def send_private(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Cache-Control"] = "no-store"
                if "etag" in headers:
                    del headers["etag"]
            await send(message)

        await self.app(scope, receive, send_private)
