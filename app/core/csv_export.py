"""Lists as CSV: every matching row, flattened to one line per item."""

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

from fastapi.responses import StreamingResponse
from pydantic import BaseModel

Scalar = str | int | float | bool | None
_LABEL_KEYS = ("iso3", "slug", "source_id", "id", "name")
_CHUNK = 200


def _label(value: Any) -> str:
    """A list member as one word: a country's ISO3, an initiative's slug, a source's id."""
    if isinstance(value, dict):
        for key in _LABEL_KEYS:
            if value.get(key) is not None:
                return str(value[key])
    return str(value)


def flatten(item: dict[str, Any], prefix: str = "") -> dict[str, Scalar]:
    """Nested objects become dotted columns (`partner.iso3`); lists are `;`-joined labels."""
    row: dict[str, Scalar] = {}
    for key, value in item.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            row.update(flatten(value, f"{name}."))
        elif isinstance(value, list):
            row[name] = ";".join(_label(member) for member in value)
        else:
            row[name] = value
    return row


def _lines(items: Iterable[BaseModel]) -> Iterator[str]:
    """The header holds every column of every row: rows differ where a nested object is null
    in one and set in another, or where a field holds any JSON (the audit trail's before and
    after); a row without a column leaves it empty."""
    rows = [flatten(item.model_dump(mode="json")) for item in items]
    columns = list(dict.fromkeys(column for row in rows for column in row))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, restval="", lineterminator="\n")
    if rows:
        writer.writeheader()
    for count, row in enumerate(rows, start=1):
        writer.writerow(row)
        if count % _CHUNK == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def csv_response(items: Iterable[BaseModel], name: str) -> StreamingResponse:
    return StreamingResponse(
        _lines(items),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )
