"""The `q` filter: a case-insensitive substring match, with `%` and `_` taken literally."""

from typing import Any

from sqlalchemy import ColumnElement, func


def contains_text(column: ColumnElement[Any] | Any, text: str) -> ColumnElement[bool]:
    """`column` contains `text`, ignoring case; LIKE's wildcards in `text` match only themselves
    (`q=%` would otherwise match everything)."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return func.lower(column).like(f"%{escaped}%", escape="\\")
