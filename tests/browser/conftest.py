"""Browser tests: a real server on a fresh database of each backend (SQLite, and PostgreSQL when
DEFCOOP_TEST_POSTGRES_URL is set), driven by Debian's headless Chromium.

Chromium and ChromeDriver come from Debian's `chromium` and `chromium-driver` packages. Without
them the tests fail in CI (`CI` set) and skip elsewhere, with the reason.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.chrome.webdriver import WebDriver

from tests.databases import BACKENDS, create_database, drop_database

PROJECT_ROOT = Path(__file__).resolve().parents[2]
# CI keeps artifacts/screenshots; DEFCOOP_SCREENSHOTS puts them elsewhere (a local run).
SCREENSHOTS = Path(
    os.environ.get("DEFCOOP_SCREENSHOTS") or PROJECT_ROOT / "artifacts" / "screenshots"
)
CHROMIUM = os.environ.get("DEFCOOP_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("DEFCOOP_CHROMEDRIVER", "/usr/bin/chromedriver")
HOST = "127.0.0.1"
# Schemes that never touch the network: inline data and the browser's own pages.
LOCAL_SCHEMES = ("data", "blob", "about", "chrome", "chrome-extension", "chrome-untrusted")
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
    "--window-size=1400,1100",
    # Any host but this machine resolves to nothing, so the offline checks hold on a
    # connected machine too: a request to the internet fails and is recorded as failed.
    f"--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE {HOST}",
)


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@pytest.fixture(scope="session")
def chromium() -> tuple[str, str]:
    """The paths of Chromium and ChromeDriver, or a failure (CI) or a skip (elsewhere)."""
    missing = [path for path in (CHROMIUM, CHROMEDRIVER) if not os.access(path, os.X_OK)]
    if missing:
        reason = (
            f"browser tests need {' and '.join(missing)}: apt-get install chromium chromium-driver"
        )
        if _in_ci():
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    return CHROMIUM, CHROMEDRIVER


def _defcoop_command() -> str:
    beside_python = Path(sys.executable).parent / "defcoop"
    found = str(beside_python) if beside_python.exists() else shutil.which("defcoop")
    assert found, "the defcoop command is not installed (make install)"
    return found


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def _is_up(url: str) -> bool:
    return httpx.get(f"{url}/health", timeout=1).status_code == 200


def _wait_until_serving(server: subprocess.Popen[bytes], url: str, log_path: Path) -> None:
    """Poll /health until it answers; pause by waiting on the process, which must not exit."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if _is_up(url):
                return
        except httpx.HTTPError:
            pass
        try:
            server.wait(timeout=0.1)
        except subprocess.TimeoutExpired:
            continue
        pytest.fail(f"defcoop serve exited:\n{log_path.read_text()}", pytrace=False)
    pytest.fail(f"defcoop serve did not answer in 60 s:\n{log_path.read_text()}", pytrace=False)


@pytest.fixture(scope="session", params=BACKENDS)
def live_server(
    request: pytest.FixtureRequest,
    chromium: tuple[str, str],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[str]:
    """The base URL of `defcoop serve` on a fresh database migrated and seeded by the CLI."""
    directory = tmp_path_factory.mktemp("live")
    database_url = create_database(request.param, directory)
    try:
        yield from _serve(database_url, directory)
    finally:
        drop_database(database_url)


def _serve(database_url: str, directory: Path) -> Iterator[str]:
    env = {**os.environ, "DATABASE_URL": database_url}
    defcoop = _defcoop_command()
    for step in (["db", "upgrade"], ["seed"]):
        subprocess.run([defcoop, *step], env=env, cwd=PROJECT_ROOT, check=True, capture_output=True)
    port = _free_port()
    url = f"http://{HOST}:{port}"
    log_path = directory / "server.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [defcoop, "serve", "--host", HOST, "--port", str(port)],
            env=env,
            cwd=PROJECT_ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_until_serving(server, url, log_path)
            yield url
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


@pytest.fixture
def browser(
    request: pytest.FixtureRequest, chromium: tuple[str, str], tmp_path: Path
) -> Iterator[WebDriver]:
    """Headless Chromium with a fresh profile; saves a screenshot when the test ends."""
    binary, driver_path = chromium
    options = Options()
    options.binary_location = binary
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path / 'profile'}")
    options.add_argument("--lang=en-US")
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=driver_path))
    driver.get("about:blank")
    network_log(driver)  # drop what the browser's start page asked for
    console_errors(driver)
    try:
        yield driver
    finally:
        screenshot(driver, request.node.name)
        driver.quit()


def screenshot(driver: WebDriver, name: str) -> None:
    """Save what the browser shows as SCREENSHOTS/name.png (a step of a test, or its end)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SCREENSHOTS / f"{name}.png"))


@dataclass
class NetworkLog:
    """What the page asked for, read from Chrome's performance log (DevTools Network events)."""

    requested: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)  # refused by the page's CSP, never sent
    failed: list[str] = field(default_factory=list)
    http_errors: list[str] = field(default_factory=list)

    def sent_off_machine(self) -> list[str]:
        """Requests that went to a host other than this machine (CSP-blocked ones never went)."""
        return [
            url
            for url in self.requested
            if urlsplit(url).scheme not in LOCAL_SCHEMES
            and urlsplit(url).hostname != HOST
            and url not in self.blocked
        ]


def network_log(driver: WebDriver) -> NetworkLog:
    """Drain the performance log gathered since the last call."""
    log = NetworkLog()
    urls: dict[str, str] = {}
    entries: list[dict[str, Any]] = driver.get_log("performance")  # type: ignore[no-untyped-call]
    for entry in entries:
        message = json.loads(entry["message"])["message"]
        params = message.get("params", {})
        if message["method"] == "Network.requestWillBeSent":
            urls[params["requestId"]] = params["request"]["url"]
            log.requested.append(params["request"]["url"])
        elif message["method"] == "Network.loadingFailed":
            url = urls.get(params["requestId"], "?")
            if params.get("blockedReason") == "csp":
                log.blocked.append(url)
            else:
                log.failed.append(f"{url}: {params.get('errorText', '')}")
        elif message["method"] == "Network.responseReceived":
            response = params["response"]
            if response["status"] >= 400:
                log.http_errors.append(f"{response['url']}: {response['status']}")
    return log


def console_errors(driver: WebDriver, *, ignore: tuple[str, ...] = ()) -> list[str]:
    """Severe console messages, leaving out those that mention any of `ignore`."""
    entries: list[dict[str, Any]] = driver.get_log("browser")  # type: ignore[no-untyped-call]
    return [
        entry["message"]
        for entry in entries
        if entry["level"] == "SEVERE" and not any(text in entry["message"] for text in ignore)
    ]
