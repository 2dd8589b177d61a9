"""Driving the app as an ASGI server would, for the tests that need what a client cannot give:
a request no client would send, or the chunks of a streamed response as they are sent."""

from collections.abc import Sequence
from typing import Any


def http_scope(
    method: str, path: str, query: bytes = b"", headers: Sequence[tuple[bytes, bytes]] = ()
) -> dict[str, Any]:
    """The ASGI scope of an HTTP/1.1 request from 127.0.0.1 to `testserver`; `headers` after
    the Host header."""
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": query,
        "headers": [(b"host", b"testserver"), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
