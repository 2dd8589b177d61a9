"""The values a curated write stores and audits, from its request body."""

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel

from app.core.language import in_english


def patch_values(body: BaseModel, dates: Iterable[str], exclude: set[str]) -> dict[str, Any]:
    """The columns a PATCH sets: a date sent without its precision takes the filled-in one."""
    changes = body.model_dump(exclude_unset=True, exclude=exclude)
    for field in dates:
        if f"{field}_date" in changes and f"{field}_precision" not in changes:
            changes[f"{field}_precision"] = getattr(body, f"{field}_precision")
    return changes


def snapshot(model: BaseModel | None) -> Any:
    """A representation as JSON, for the audit trail: in English whatever the language of
    the write's answer (`lang=id`), as the records are."""
    if model is None:
        return None
    with in_english():
        return model.model_dump(mode="json")
