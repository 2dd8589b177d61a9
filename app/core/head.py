"""HEAD on every GET route (RFC 9110 §9.3.2: the headers a GET would send, without content).

FastAPI routes answer only the methods they declare, so `curl -I` and link checkers got a
405 that listed HEAD in its own `Allow` header. The request goes through the whole stack as a
GET (caching, `If-None-Match`, authentication, limits), and the body is dropped on the way out.
"""

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadAsGetMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_without_body(message: Message) -> None:
            if message["type"] != "http.response.body":
                await send(message)
            elif not message.get("more_body", False):
                await send({"type": "http.response.body", "body": b"", "more_body": False})

        await self.app({**scope, "method": "GET"}, receive, send_without_body)
