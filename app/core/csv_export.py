"""Lists as CSV: every matching row, flattened to one line per item, streamed page by page."""

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from fastapi.responses import StreamingResponse
from pydantic import BaseModel

Scalar = str | int | float | bool | None
_LABEL_KEYS = ("iso3", "slug", "source_id", "id", "name")
Pages = Callable[[], Iterable[Sequence[BaseModel]]]


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


def _rows(pages: Pages) -> Iterator[list[dict[str, Scalar]]]:
    for items in pages():
        yield [flatten(item.model_dump(mode="json")) for item in items]


def _columns(pages: Pages) -> list[str]:
    """The header holds every column of every row: rows differ where a nested object is null
    in one and set in another, or where a field holds any JSON (the audit trail's before and
    after); a row without a column leaves it empty. So the pages are walked twice, once here
    for the columns and once for the rows, and only one page is ever held (as datasette
    streams). This first walk runs before the response starts, so that an error in it is
    still a problem response, not a cut-off download."""
    return list(dict.fromkeys(column for rows in _rows(pages) for row in rows for column in row))


def _lines(columns: list[str], pages: Pages) -> Iterator[str]:
    if not columns:
        yield ""
        return
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, restval="", lineterminator="\n")
    writer.writeheader()
    for rows in _rows(pages):
        writer.writerows(rows)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def csv_response(pages: Pages, name: str) -> StreamingResponse:
    """`pages` walks the list from its start each time it is called, one page at a time."""
    return StreamingResponse(
        _lines(_columns(pages), pages),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )
