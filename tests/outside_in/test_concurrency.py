"""No lost updates: concurrent writers against the same rows, through a real server.

The test starts uvicorn with two worker processes on a fresh database (so that locking across
processes is exercised, not only across threads) and runs writer threads against one
organization:

- PATCH writers each append unique tokens to its description: GET, then PATCH with If-Match,
  again on 412 (a stale version) until the write is accepted;
- membership writers PUT (with a unique token in the note) and DELETE the same membership,
  also with If-Match on the organization, again on 412.

At the end, every token whose write was accepted is in the final description and in the audit
trail, the audit trail of each record is one unbroken chain (each entry's "before" is the
previous entry's "after": no write was based on a state another write had replaced), the data
version grew by exactly the number of accepted writes, and the counts add up. The figures are
printed (visible with -s) and written to artifacts/concurrency-<backend>.json.
"""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import make_url

from app.core.config import PROJECT_ROOT
from tests.outside_in.support import UNLIMITED, new_key, write_artifact

pytestmark = pytest.mark.slow  # a live server with two workers

PATCH_WRITERS = 6
TOKENS_PER_WRITER = 10
MEMBERSHIP_WRITERS = 4
MEMBERSHIP_ROUNDS = 6
MAX_ATTEMPTS = 200
ORGANIZATION = "concurrency-test-forum"
COUNTRY = "IDN"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def served(url: str, workers: int = 2) -> Iterator[str]:
    """uvicorn with `workers` processes on a free port of 127.0.0.1, serving `url`."""
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        **{name.upper(): str(value) for name, value in UNLIMITED.items()},
    }
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "app.main:create_app",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--no-server-header",
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, "uvicorn exited"
            try:
                if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "uvicorn did not start within 60 s"
            time.sleep(0.2)
        yield base
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


class Tally:
    """What every writer sent and got, shared by the writer threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.statuses: Counter[tuple[str, int]] = Counter()
        # The tokens of the writes accepted, by kind ("patch", "membership").
        self.accepted: defaultdict[str, set[str]] = defaultdict(set)
        self.unexpected: list[str] = []

    def count(self, kind: str, response: httpx.Response) -> None:
        with self.lock:
            self.statuses[kind, response.status_code] += 1
            if response.status_code not in (200, 201, 204, 404, 412, 429, 503):
                self.unexpected.append(f"{kind}: {response.status_code} {response.text[:300]}")

    def figures(self, kind: str) -> dict[str, int]:
        codes = {code: n for (k, code), n in self.statuses.items() if k == kind}
        ok = sum(n for code, n in codes.items() if 200 <= code < 300)
        stale = codes.get(412, 0)
        return {
            "attempted": sum(codes.values()),
            "succeeded": ok,
            "rejected_412": stale,
            "other": sum(codes.values()) - ok - stale,
            **{f"status_{code}": n for code, n in sorted(codes.items())},
        }


def _pause(response: httpx.Response) -> None:
    """Back off when the server asks (429, 503), otherwise retry at once."""
    if response.status_code in (429, 503):
        time.sleep(min(float(response.headers.get("Retry-After", "1")), 2.0))


def _etag(client: httpx.Client) -> tuple[str, dict[str, Any]]:
    response = client.get(f"/v1/organizations/{ORGANIZATION}")
    assert response.status_code == 200, response.text
    return response.headers["ETag"], response.json()


def _until_done(
    tally: Tally,
    kind: str,
    token: str,
    write: Callable[[], httpx.Response],
    done: Collection[int] = (200,),
) -> None:
    """Send the write until its status is one of `done`, backing off when the server asks; a 200
    is a write accepted, with its token. Fails the test after MAX_ATTEMPTS."""
    for _ in range(MAX_ATTEMPTS):
        response = write()
        tally.count(kind, response)
        if response.status_code in done:
            if response.status_code == 200:
                with tally.lock:
                    tally.accepted[kind].add(token)
            return
        _pause(response)
    pytest.fail(f"{token}: no {kind} write accepted in {MAX_ATTEMPTS} attempts")


def patch_writer(base: str, key: str, writer: int, tally: Tally) -> None:
    with httpx.Client(base_url=base, headers={"X-API-Key": key}, timeout=60) as client:
        for index in range(TOKENS_PER_WRITER):
            token = f"w{writer}t{index}"

            def patch(token: str = token) -> httpx.Response:
                etag, organization = _etag(client)
                description = f"{organization['description'] or ''} {token}".strip()
                return client.patch(
                    f"/v1/organizations/{ORGANIZATION}",
                    json={"description": description},
                    headers={"If-Match": etag},
                )

            _until_done(tally, "patch", token, patch)


def membership_writer(base: str, key: str, source: str, writer: int, tally: Tally) -> None:
    path = f"/v1/organizations/{ORGANIZATION}/members/{COUNTRY}"
    with httpx.Client(base_url=base, headers={"X-API-Key": key}, timeout=60) as client:
        for index in range(MEMBERSHIP_ROUNDS):
            token = f"m{writer}r{index}"

            def delete() -> httpx.Response:
                etag, _ = _etag(client)
                return client.delete(path, headers={"If-Match": etag})

            def put(token: str = token) -> httpx.Response:
                etag, _ = _etag(client)
                period = {
                    "role": "member",
                    "start_date": f"{1990 + writer}-01-01",
                    "note": token,
                    "sources": [{"source": source}],
                }
                return client.put(path, json={"periods": [period]}, headers={"If-Match": etag})

            write = delete if index % 2 == 1 else put
            _until_done(tally, "membership", token, write, done=(200, 204, 404))


def audit_entries(client: httpx.Client, entity: str, entity_id: str) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    url: str | None = f"/v1/audit?entity={entity}&entity_id={entity_id}&limit=500"
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.text
        page = response.json()
        entries.extend(page["data"])
        url = page["links"].get("next")
    return sorted(entries, key=lambda entry: entry["data_version"])


def unbroken(entries: list[dict[str, Any]]) -> list[str]:
    """Where an entry's "before" is not the previous entry's "after" (a lost update)."""
    breaks = []
    previous: Any = None
    for entry in entries:
        if entry["before"] != previous:
            breaks.append(f"data version {entry['data_version']}: before != previous after")
        previous = entry["after"]
    return breaks


def test_concurrent_writers_lose_no_update(fresh_url: str) -> None:
    backend = make_url(fresh_url).get_backend_name()
    key = new_key(fresh_url)
    tally = Tally()
    with (
        served(fresh_url) as base,
        httpx.Client(base_url=base, headers={"X-API-Key": key}, timeout=60) as client,
    ):
        source = client.get("/v1/sources?limit=1").json()["data"][0]["id"]
        created = client.post(
            "/v1/organizations",
            json={
                "slug": ORGANIZATION,
                "name": "Concurrency Test Forum",
                "kind": "defense_forum",
                "sources": [{"source": source}],
            },
        )
        assert created.status_code == 201, created.text
        version_before = client.get("/v1/meta").json()["data_version"]

        threads = [
            threading.Thread(target=patch_writer, args=(base, key, w, tally))
            for w in range(PATCH_WRITERS)
        ] + [
            threading.Thread(target=membership_writer, args=(base, key, source, w, tally))
            for w in range(MEMBERSHIP_WRITERS)
        ]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seconds = time.monotonic() - started

        final = client.get(f"/v1/organizations/{ORGANIZATION}").json()
        version_after = client.get("/v1/meta").json()["data_version"]
        organization_audit = audit_entries(client, "organization", ORGANIZATION)
        membership_audit = audit_entries(client, "membership", f"{ORGANIZATION}/{COUNTRY}")
        memberships = client.get(f"/v1/countries/{COUNTRY}/memberships").json()["data"]

    final_tokens = set((final["description"] or "").split())
    audited_tokens = {
        token
        for entry in organization_audit
        if entry["after"] is not None
        for token in (entry["after"]["description"] or "").split()
    }
    lost = sorted(tally.accepted["patch"] - final_tokens) + sorted(
        tally.accepted["patch"] - audited_tokens
    )
    audited_notes = {
        period["note"]
        for entry in membership_audit
        if entry["after"] is not None
        for period in entry["after"]["data"]
    }
    lost_memberships = sorted(tally.accepted["membership"] - audited_notes)
    stored = [m for m in memberships if m["organization"]["slug"] == ORGANIZATION]
    last = membership_audit[-1]["after"] if membership_audit else None

    patch = tally.figures("patch")
    membership = tally.figures("membership")
    accepted = patch["succeeded"] + membership["succeeded"]
    figures = {
        "backend": backend,
        "server": "uvicorn, 2 worker processes",
        "writers": PATCH_WRITERS + MEMBERSHIP_WRITERS,
        "seconds": round(seconds, 1),
        "patch_description": {**patch, "lost": len(set(lost))},
        "put_delete_membership": {**membership, "lost": len(lost_memberships)},
        "data_version_growth": version_after - version_before,
    }
    print(f"\nconcurrency ({backend}): {figures}")
    write_artifact(f"concurrency-{backend}.json", figures)

    assert not tally.unexpected, tally.unexpected
    assert patch["succeeded"] == PATCH_WRITERS * TOKENS_PER_WRITER
    assert patch["attempted"] == patch["succeeded"] + patch["rejected_412"] + patch["other"]
    assert not lost, f"lost updates: {lost}"
    assert final_tokens == tally.accepted["patch"]
    assert not lost_memberships, f"lost membership writes: {lost_memberships}"
    # Every accepted write bumped the data version once; a refused one did not.
    assert version_after - version_before == accepted
    assert len(organization_audit) == 1 + patch["succeeded"]
    assert unbroken(organization_audit) == []
    assert unbroken(membership_audit) == []
    # What is stored is what the last audited membership write left.
    assert [period["note"] for period in (last["data"] if last else [])] == [
        m["note"] for m in stored
    ]
