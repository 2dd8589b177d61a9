"""Regression tests for what schemathesis with a curator key found (one test per finding)."""

import csv
import io
from collections.abc import Iterator

import pytest

from tests.outside_in.support import BlockingClient, blocking_client, new_key, writable_app


@pytest.fixture
def curator(fresh_url: str) -> Iterator[BlockingClient]:
    with blocking_client(writable_app(fresh_url), new_key(fresh_url)) as api:
        yield api


def test_the_audit_trail_as_csv_holds_entries_of_different_shapes(curator: BlockingClient) -> None:
    """Was a 500: the CSV header came from the first row only (GET /v1/audit?format=csv)."""
    slug = curator.request("GET", "/v1/organizations?limit=1").json()["data"][0]["slug"]
    threat = curator.request("GET", "/v1/threat-categories?limit=1").json()["data"][0]["slug"]
    assert curator.request("PATCH", f"/v1/organizations/{slug}", json={"acronym": "X"}).is_success
    assert curator.request("PUT", f"/v1/organizations/{slug}/threats/{threat}").is_success

    response = curator.request("GET", "/v1/audit?format=csv")

    assert response.status_code == 200, response.text
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [row["entity"] for row in rows] == ["organization_threat", "organization"]
    assert rows[0]["after.threat"] == threat and rows[1]["after.threat"] == ""
    assert rows[1]["after.acronym"] == "X" and rows[0]["after.acronym"] == ""


@pytest.mark.parametrize("value", ["0.5", "1700000000", "2026-01-01"])
def test_audit_time_filters_take_only_rfc_3339(curator: BlockingClient, value: str) -> None:
    """Was a 200: `until=0.5` was read as a Unix timestamp."""
    assert curator.request("GET", f"/v1/audit?until={value}").status_code == 422
    assert curator.request("GET", "/v1/audit?since=2026-01-01T00:00:00Z").status_code == 200
