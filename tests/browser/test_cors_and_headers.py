"""The real server's headers, and its CORS policy as a real browser applies it.

A page on another origin (another port of this machine) reads the API with fetch(): reads
work, conditional reads too, and a write is refused by the browser before or after sending.
"""

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from selenium.webdriver.chrome.webdriver import WebDriver

from tests.browser.conftest import HOST

pytestmark = pytest.mark.slow  # a live server and Chromium

# Runs fetch() in the page and hands back what a script on that page could see.
FETCH = """
const [url, options, done] = arguments;
fetch(url, options).then(
  async (response) => done({
    ok: true,
    status: response.status,
    etag: response.headers.get("ETag"),
    body: await response.text(),
  }),
  (error) => done({ok: false, error: String(error)}),
);
"""


@pytest.fixture(scope="module")
def other_origin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An empty page served from another port: another origin than the API's."""
    directory = tmp_path_factory.mktemp("other-origin")
    (directory / "index.html").write_text("<!doctype html><title>elsewhere</title>")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer((HOST, 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{HOST}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def fetch(browser: WebDriver, url: str, **options: Any) -> dict[str, Any]:
    result: dict[str, Any] = browser.execute_async_script(FETCH, url, options)
    return result


def test_the_server_sends_no_banner_and_the_security_headers(live_server: str) -> None:
    for path in ("/v1/countries/IDN", "/v1/nothing", "/docs", "/"):
        response = httpx.get(f"{live_server}{path}")
        assert "server" not in response.headers, path
        assert response.headers["x-content-type-options"] == "nosniff", path
        assert response.headers["x-frame-options"] == "DENY", path
        assert response.headers["referrer-policy"] == "no-referrer", path
        assert response.headers["content-security-policy"], path


def test_a_page_elsewhere_can_read_but_not_write(
    browser: WebDriver, live_server: str, other_origin: str, tmp_path: Path
) -> None:
    browser.set_script_timeout(15)
    browser.get(f"{other_origin}/index.html")
    api = f"{live_server}/v1/countries/IDN"

    read = fetch(browser, api)
    assert read["ok"] and read["status"] == 200, read
    assert '"iso3":"IDN"' in read["body"]
    assert read["etag"], "ETag is exposed to scripts"

    conditional = fetch(browser, api, headers={"If-None-Match": read["etag"]})
    assert conditional["ok"], conditional  # preflighted, and granted

    preflighted_write = fetch(
        browser,
        api,
        method="PATCH",
        headers={"Content-Type": "application/json", "X-API-Key": "k"},
        body="{}",
    )
    assert not preflighted_write["ok"], preflighted_write

    simple_write = fetch(browser, api, method="POST", body="x")  # sent without a preflight
    assert not simple_write["ok"], simple_write  # but its answer stays unreadable
