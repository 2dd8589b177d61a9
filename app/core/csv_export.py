"""Lists as CSV: every matching row, flattened to one line per item, streamed page by page."""

import csv
import io
import json
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from fastapi.responses import StreamingResponse
from pydantic import BaseModel

Scalar = str | int | float | bool | None
_LABEL_KEYS = ("iso3", "slug", "source_id", "id", "name")
# Past this size a list waiting for its header goes to disk.
_SPOOL_BYTES = 1 << 20


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


class RowSpool:
    """Flattened rows kept page by page in a spooled file (in memory up to `_SPOOL_BYTES`,
    then on disk), with the union of their columns.

    The header of a CSV holds every column of every row: rows differ where a nested object is
    null in one and set in another, or where a field holds any JSON (the audit trail's before
    and after); a row without a column leaves it empty. The header is only known after the last
    row, so the rows wait here rather than in memory, and the list is read once."""

    def __init__(self) -> None:
        self.columns: dict[str, None] = {}
        # Outlives this call: the response streams from it, and csv_chunks or close closes it.
        self._file = tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES, mode="w+")  # noqa: SIM115

    def add_page(self, items: Iterable[dict[str, Any]]) -> None:
        rows = [flatten(item) for item in items]
        for row in rows:
            self.columns.update(dict.fromkeys(row))
        self._file.write(json.dumps(rows) + "\n")

    def csv_chunks(self) -> Iterator[str]:
        """The header, then one chunk per page added; the spool is closed at the end."""
        try:
            if not self.columns:
                yield ""
                return
            buffer = io.StringIO()
            writer = csv.DictWriter(buffer, fieldnames=list(self.columns), restval="",
                                    lineterminator="\n")  # fmt: skip
            writer.writeheader()
            self._file.seek(0)
            for line in self._file:
                writer.writerows(json.loads(line))
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        finally:
            self.close()

    def close(self) -> None:
        self._file.close()


def csv_response(pages: Iterable[Sequence[BaseModel]], name: str) -> StreamingResponse:
    """The list walked once, before the response starts (so that an error in it is still a
    problem response, not a cut-off download), then sent one page per chunk."""
    spool = RowSpool()
    try:
        for items in pages:
            spool.add_page(item.model_dump(mode="json") for item in items)
    except BaseException:
        spool.close()
        raise
    return StreamingResponse(
        spool.csv_chunks(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )
