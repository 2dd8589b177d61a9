"""Exporting any API list or query to CSV or JSON, in process, walking every page."""

import csv
import io
import json
from enum import StrEnum
from typing import Any

import anyio
import httpx

from app.core.config import Settings
from app.core.csv_export import flatten


class ExportFormat(StrEnum):
    csv = "csv"
    json = "json"


class ExportError(Exception):
    """The API refused the request; the message is its problem detail."""


async def _collect(path: str, params: dict[str, str], settings: Settings) -> list[dict[str, Any]]:
    # Imported here, not at the top: every CLI command imports this module for its option
    # types, and building the web app's imports would add a second to `seed` and `import`.
    from app.main import create_app

    app = create_app(settings)
    items: list[dict[str, Any]] = []
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://defcoop") as client:
            url: str | None = path
            query: dict[str, str] | None = params
            while url:
                response = await client.get(url, params=query)
                body = response.json()
                if response.status_code != 200:
                    raise ExportError(f"{response.status_code}: {body.get('detail', body)}")
                if isinstance(body.get("data"), list):
                    items += body["data"]
                else:
                    items.append(body)
                url = (body.get("links") or {}).get("next")
                query = None  # the next link carries every parameter
    finally:
        app.state.engine.dispose()
    return items


def export(path: str, params: dict[str, str], output_format: ExportFormat,
           settings: Settings) -> str:  # fmt: skip
    """The whole result of a GET on `path` (every page of a list) as CSV or JSON text."""
    items = anyio.run(_collect, path, params, settings)
    if output_format is ExportFormat.json:
        return json.dumps({"data": items}, ensure_ascii=False, indent=2) + "\n"
    rows = [flatten(item) for item in items]
    columns = list(dict.fromkeys(column for row in rows for column in row))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()
