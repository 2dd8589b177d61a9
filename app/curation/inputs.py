"""The values a curated write stores and audits, from its request body."""

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel


def patch_values(body: BaseModel, dates: Iterable[str], exclude: set[str]) -> dict[str, Any]:
    """The columns a PATCH sets: a date sent without its precision takes the filled-in one."""
    changes = body.model_dump(exclude_unset=True, exclude=exclude)
    for field in dates:
        if f"{field}_date" in changes and f"{field}_precision" not in changes:
            changes[f"{field}_precision"] = getattr(body, f"{field}_precision")
    return changes


def snapshot(model: BaseModel | None) -> Any:
    """A representation as JSON, for the audit trail."""
    return None if model is None else model.model_dump(mode="json")
