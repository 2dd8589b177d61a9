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

    response = curator.request(
        "GET", "/v1/audit?format=csv&entity=organization&entity=organization_threat"
    )

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


@pytest.mark.parametrize(("field", "value"), [("universal", 1), ("universal", "true")])
def test_booleans_are_not_coerced(curator: BlockingClient, field: str, value: object) -> None:
    """Was a 200: pydantic's lax mode read 1 or "true" as a boolean."""
    slug = curator.request("GET", "/v1/organizations?limit=1").json()["data"][0]["slug"]
    response = curator.request("PATCH", f"/v1/organizations/{slug}", json={field: value})
    assert response.status_code == 422, response.text
    assert curator.request("PATCH", f"/v1/organizations/{slug}", json={field: True}).is_success


def test_counts_are_not_coerced_from_booleans(curator: BlockingClient) -> None:
    """Was a 201: `"personnel": false` on POST /v1/operations was stored as 0 (schemathesis)."""
    operation = curator.request("GET", "/v1/operations?limit=1").json()["data"][0]["slug"]
    code = curator.request("GET", "/v1/countries?limit=1").json()["data"][0]["iso3"]
    source = curator.request("GET", "/v1/sources?limit=1").json()["data"][0]["id"]
    path = f"/v1/operations/{operation}/contributors/{code}"
    body = {"sources": [{"source": source}]}
    response = curator.request("PUT", path, json={**body, "personnel": False})
    assert response.status_code == 422, response.text
    assert curator.request("PUT", path, json={**body, "personnel": 12}).is_success
