"""Every example in the README, run against a live server, prints what the README shows."""

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.slow  # a live server

ROOT = Path(__file__).resolve().parents[1]
README_URL = "http://127.0.0.1:8000"


def _examples() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return text.split("<!-- examples: start -->")[1].split("<!-- examples: end -->")[0]


PYTHON_EXAMPLES = re.findall(r"```python\n(.*?)```\s*```text\n(.*?)```", _examples(), re.S)
CURL_LINES = re.findall(r"^(curl .*)$", _examples(), re.M)


# The server runs the code under test: a checkout run with PYTHONPATH (a git worktree beside
# the one the virtualenv was installed from) must not serve the other checkout's app.
_IMPORT_PATH = {"PYTHONPATH": os.environ["PYTHONPATH"]} if "PYTHONPATH" in os.environ else {}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def live_url(seeded_url: str) -> Iterator[str]:
    port = _free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "defcoop"), "serve", "--port", str(port)],
        env={"DATABASE_URL": seeded_url, "PATH": "/usr/bin:/bin", **_IMPORT_PATH},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{url}/health").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            pytest.fail("the server did not start")
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_the_readme_has_examples() -> None:
    assert len(PYTHON_EXAMPLES) >= 5
    assert len(CURL_LINES) >= 4


def test_the_readme_runs_the_analytics_in_the_tools_researchers_use() -> None:
    code = "\n".join(example for example, _ in PYTHON_EXAMPLES)
    for path in ("/v1/network", "/v1/network/centrality", "/v1/network/communities"):
        assert f'"{{API}}{path}"' in code, path
    assert "/paths/" in code
    assert "import networkx as nx" in code and "nx.read_graphml(" in code
    dyad_years = [example for example, _ in PYTHON_EXAMPLES if "/v1/dyad-years" in example]
    assert dyad_years and "import pandas as pd" in dyad_years[0]


@pytest.mark.parametrize(("code", "expected"), PYTHON_EXAMPLES)
def test_python_example_prints_what_the_readme_shows(
    live_url: str, code: str, expected: str
) -> None:
    result = subprocess.run(
        [sys.executable, "-c", code.replace(README_URL, live_url)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == expected


@pytest.mark.parametrize("command", CURL_LINES)
def test_curl_example_answers(live_url: str, command: str) -> None:
    url = re.search(r"'(http[^']+)'", command)
    assert url is not None
    result = subprocess.run(
        ["curl", "-sf", url.group(1).replace(README_URL, live_url)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, command
    assert result.stdout.startswith("{")
