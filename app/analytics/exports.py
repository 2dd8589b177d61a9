"""The network and the dyad-years as files: CSV edge lists and GraphML, written as streams."""

import csv
import io
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping
from itertools import islice
from typing import Any

import anyio.to_thread
import networkx as nx  # type: ignore[import-untyped]
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session, sessionmaker

from app.analytics import dyads
from app.analytics.graph import Network
from app.analytics.schemas import NetworkFormat
from app.cooperation.coverage import ChannelCoverage
from app.cooperation.models import TieChannel
from app.core.coverage import StatedCoverage
from app.core.language import localized, localizing

CSV_MEDIA_TYPE = "text/csv"
GRAPHML_MEDIA_TYPE = "application/graphml+xml"

_ROWS_PER_CHUNK = 500
_LINES_PER_CHUNK = 2_000
# Threads that file downloads may use at once, per process, apart from the thread pool that
# routes run in: a burst of downloads waits here instead of taking the threads (and so the
# pooled connections) that small reads and writes need.
DOWNLOAD_THREADS = 4
_download_threads: anyio.CapacityLimiter | None = None


async def limited(chunks: Iterator[str]) -> AsyncIterator[str]:
    """`chunks`, each produced in a thread of the downloads' own limiter."""
    global _download_threads
    if _download_threads is None:  # made in the event loop that uses it
        _download_threads = anyio.CapacityLimiter(DOWNLOAD_THREADS)
    done = object()
    while True:
        chunk = await anyio.to_thread.run_sync(next, chunks, done, limiter=_download_threads)
        if chunk is done:
            return
        yield chunk  # type: ignore[misc]


def file_responses(*media_types: str) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI answer of a read that gives JSON or, asked with `format`, a file."""
    return {
        200: {
            "description": "The JSON document, or the file asked for with `format`",
            "content": {media_type: {"schema": {"type": "string"}} for media_type in media_types},
        }
    }


def download(
    chunks: Iterator[str], media_type: str, filename: str, coverage: StatedCoverage
) -> StreamingResponse:
    """A file streamed from the downloads' own threads, linking to its coverage notes."""
    response = StreamingResponse(
        limited(chunks),
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
    coverage.link(response)
    return response


def network_download(
    network: Network, wanted: NetworkFormat, coverage: StatedCoverage
) -> StreamingResponse:
    """The network as the file asked for: an edge list (CSV) or GraphML."""
    if wanted is NetworkFormat.csv:
        return download(edge_list_csv(network), CSV_MEDIA_TYPE, "network.csv", coverage)
    return download(graphml(network), GRAPHML_MEDIA_TYPE, "network.graphml", coverage)


def dyad_years_download(
    session: Session,
    session_factory: sessionmaker[Session],
    filters: dyads.DyadFilters,
    known: Mapping[TieChannel, ChannelCoverage],
    threat_slugs: list[str],
    coverage: StatedCoverage,
) -> StreamingResponse:
    """The dyad-years as one CSV file, read after the route has returned."""
    # The stream reads through a session of its own; the request's session (which resolved
    # the filters) would otherwise keep its pooled connection until the download ends, and
    # two downloads at a pool of two would wait for each other until the pool timed out.
    session.close()
    csv_text = dyad_years_csv(session_factory, filters, known, threat_slugs)
    filename = f"dyad-years-{filters.year_gte}-{filters.year_lte}.csv"
    return download(csv_text, CSV_MEDIA_TYPE, filename, coverage)


def csv_chunks(header: list[str], rows: Iterable[list[Any]]) -> Iterator[str]:
    """CSV text (RFC 4180) in chunks of rows, so that a long table is never held whole."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for number, row in enumerate(rows, start=1):
        writer.writerow(row)
        if number % _ROWS_PER_CHUNK == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def dyad_years_csv(
    session_factory: sessionmaker[Session],
    filters: dyads.DyadFilters,
    coverage: Mapping[TieChannel, ChannelCoverage],
    threat_slugs: list[str],
) -> Iterator[str]:
    """Every dyad-year as CSV, with a column per threat of `threat_slugs`. The body is
    written after the route has returned, so it reads through a session of its own rather
    than the request's."""
    with session_factory() as session:
        found = dyads.iter_dyad_years(session, filters, coverage)
        header = dyads.csv_header(threat_slugs)
        yield from csv_chunks(header, (dyads.csv_row(row, threat_slugs) for row in found))


def edge_list_csv(network: Network) -> Iterator[str]:
    """source, target, names, weight, one column per channel, one per threat addressed (in a
    directed network, source is the supplier)."""
    graph = network.graph
    slugs = list(network.threat_names)
    # In another language than English, each name's language (`en`: none in it), as in JSON.
    languages = localizing()
    header = [
        "source",
        "target",
        "source_name",
        "target_name",
        *(("source_name_lang", "target_name_lang") if languages else ()),
        "weight",
        *(channel.value for channel in TieChannel),
        *(dyads.threat_column(slug) for slug in slugs),
    ]

    def rows() -> Iterator[list[Any]]:
        for source, target, data in sorted(graph.edges(data=True)):
            names = [localized("country", n, graph.nodes[n]["name"]) for n in (source, target)]
            yield [
                source,
                target,
                *(name for name, _ in names),
                *((str(language) for _, language in names) if languages else ()),
                data["weight"],
                *(data["channels"][channel] for channel in TieChannel),
                *(data["threats"].get(slug, 0) for slug in slugs),
            ]

    return csv_chunks(header, rows())


def graphml(network: Network) -> Iterator[str]:
    """GraphML by networkx's writer; attributes flattened to the scalars GraphML allows."""
    graph = network.graph
    slugs = list(network.threat_names)
    export = (nx.DiGraph if graph.is_directed() else nx.Graph)(name="defcoop cooperation network")
    for node, data in graph.nodes(data=True):
        name, language = localized("country", node, data["name"])
        export.add_node(
            node,
            name=name,
            # In another language than English: the language of `name` (`en`: none in it).
            **({"name_lang": language.value} if language is not None else {}),
            region=data["region"] or "",
            subregion=data["subregion"] or "",
        )
    for source, target, data in graph.edges(data=True):
        export.add_edge(
            source,
            target,
            weight=data["weight"],
            **{channel.value: data["channels"][channel] for channel in TieChannel},
            **{dyads.threat_column(slug): data["threats"].get(slug, 0) for slug in slugs},
        )
    # One chunk per line would cost a round trip through the server per line.
    lines = nx.generate_graphml(export)
    while chunk := list(islice(lines, _LINES_PER_CHUNK)):
        yield "\n".join(chunk) + "\n"
