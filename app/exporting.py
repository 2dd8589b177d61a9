"""Exporting any API list or query to CSV or JSON, in process, walking every page.

Only one page is held at a time: JSON is written item by item as the pages arrive, CSV rows
wait in a spooled file until the last page has given the header (app.core.csv_export)."""

import json
import textwrap
from collections.abc import AsyncIterator
from enum import StrEnum
from typing import Any, TextIO

import anyio
import httpx

from app.core.config import Settings
from app.core.csv_export import RowSpool


class ExportFormat(StrEnum):
    csv = "csv"
    json = "json"


class ExportError(Exception):
    """The API refused the request; the message is its problem detail."""


Params = list[tuple[str, str]]


async def _pages(
    client: httpx.AsyncClient, first: httpx.Response
) -> AsyncIterator[list[dict[str, Any]]]:
    """The items of each page of a list, or a single object as a page of one."""
    response = first
    while True:
        body = response.json()
        if response.status_code != 200:
            raise ExportError(f"{response.status_code}: {body.get('detail', body)}")
        yield body["data"] if isinstance(body.get("data"), list) else [body]
        # The next link carries every parameter.
        url = (body.get("links") or {}).get("next")
        if not url:
            return
        response = await client.get(url)


def _is_file(response: httpx.Response) -> bool:
    """A download the API made itself (CSV, GraphML), not a JSON document."""
    media_type = response.headers.get("content-type", "").split(";")[0]
    return response.status_code == 200 and not media_type.endswith("json")


def _json_item(item: dict[str, Any]) -> str:
    """An item as `json.dumps({"data": items}, indent=2)` would lay it out."""
    return textwrap.indent(json.dumps(item, ensure_ascii=False, indent=2), "    ")


async def _export(path: str, params: Params, output_format: ExportFormat,
                  settings: Settings, out: TextIO) -> None:  # fmt: skip
    # Imported here, not at the top: every CLI command imports this module for its option
    # types, and building the web app's imports would add a second to `seed` and `import`.
    from app.main import create_app

    app = create_app(settings)
    spool = RowSpool()
    written = 0
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://defcoop") as client:
            first = await client.get(path, params=tuple(params))
            if _is_file(first):
                out.write(first.text)
                return
            async for items in _pages(client, first):
                if output_format is ExportFormat.csv:
                    spool.add_page(items)
                    continue
                for item in items:
                    out.write(('{\n  "data": [\n' if written == 0 else ",\n") + _json_item(item))
                    written += 1
        if output_format is ExportFormat.json:
            out.write("\n  ]\n}\n" if written else '{\n  "data": []\n}\n')
        else:
            out.writelines(spool.csv_chunks())
    finally:
        spool.close()
        app.state.engine.dispose()


def export(path: str, params: Params, output_format: ExportFormat,
           settings: Settings, out: TextIO) -> None:  # fmt: skip
    """Write the whole result of a GET on `path` (every page of a list) as CSV or JSON, or the
    file the API answers (`format=graphml`) as it is."""
    anyio.run(_export, path, params, output_format, settings, out)
