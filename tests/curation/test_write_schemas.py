"""The input schemas of the curated entities' writes: bounded, documented by examples,
closed to unknown fields."""

from typing import Any

import pytest
from fastapi import FastAPI

INPUTS = [
    "SeriesCreate",
    "SeriesUpdate",
    "EditionCreate",
    "EditionUpdate",
    "ParticipantIn",
    "ParticipantPut",
    "AgreementCreate",
    "AgreementUpdate",
    "PartyIn",
    "PartyPut",
    "OperationCreate",
    "OperationUpdate",
    "ContributorIn",
    "ContributorPut",
    "ThreatCreate",
    "ThreatUpdate",
    "SourceCreate",
    "SourceUpdate",
    "CountryUpdate",
]


def _bounded(schema: dict[str, Any]) -> bool:
    """Strings carry a maxLength, arrays a maxItems, in every branch of a union."""
    for branch in schema.get("anyOf", [schema]):
        free_text = branch.get("type") == "string" and not {"enum", "format"} & set(branch)
        if free_text and "maxLength" not in branch:
            return False
        if branch.get("type") == "array" and "maxItems" not in branch:
            return False
    return True


@pytest.mark.parametrize("name", INPUTS)
def test_input_schema(app: FastAPI, name: str) -> None:
    schema = app.openapi()["components"]["schemas"][name]
    assert schema.get("additionalProperties") is False, name
    for field, part in schema["properties"].items():
        assert "examples" in part, f"{name}.{field} has no example"
        assert _bounded(part), f"{name}.{field} is not bounded"
