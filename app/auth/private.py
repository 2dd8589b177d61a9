"""Reads that need an API key (the audit trail, key management) are never cached.

The conditional-GET middleware leaves these paths alone (no ETag, no 304, no response cache:
either would skip authentication); this middleware answers them with `Cache-Control: no-store`
so that no shared cache keeps private data either.
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

        async def send_private(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Cache-Control"] = "no-store"
                if "etag" in headers:
                    del headers["etag"]
            await send(message)

        await self.app(scope, receive, send_private)
