from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from app.core.pagination import PageParams, SortKey, fetch_page
from app.core.problems import InvalidParameter
from app.core.queries import one_or_404
from app.sources.models import CITED_TABLES, Citation, Source, SourceKind


def list_sources(
    session: Session, *, kind: SourceKind | None, page: PageParams
) -> tuple[Sequence[Source], int, str | None]:
    statement = select(Source)
    if kind is not None:
        statement = statement.where(Source.kind == kind)
    return fetch_page(session, statement, SortKey(Source.id, Source.id), page)


def get_source(session: Session, source_id: str) -> Source:
    missing = f"No source with id {source_id!r}; GET /v1/sources lists them."
    return one_or_404(session, select(Source).where(Source.id == source_id), missing)


def citation_counts(session: Session, source_id: str) -> dict[str, int]:
    counts: list[Any] = [
        func.count(getattr(Citation, column)).label(table) for column, table in CITED_TABLES.items()
    ]
    row = session.execute(select(*counts).where(Citation.source_id == source_id)).one()
    return {table: count for table, count in row._mapping.items() if count}


def cite(session: Session, citations: Sequence[Any], pointer: str) -> list[Citation]:
    """New citation rows for `CitationIn`s; an unknown or repeated source is a 422."""
    known = {
        source.id: source
        for source in session.scalars(
            select(Source).where(Source.id.in_({c.source for c in citations}))
        )
    }
    rows: list[Citation] = []
    seen: set[tuple[str, str | None]] = set()
    for index, citation in enumerate(citations):
        source = known.get(citation.source)
        if source is None:
            raise InvalidParameter(
                f"{pointer}/{index}/source",
                f"Unknown source {citation.source!r}; GET /v1/sources lists them.",
            )
        if (citation.source, citation.locator) in seen:
            raise InvalidParameter(
                f"{pointer}/{index}", f"Source {citation.source!r} is cited twice."
            )
        seen.add((citation.source, citation.locator))
        rows.append(Citation(source=source, locator=citation.locator))
    return rows


def with_sources(citations: Any) -> Any:
    """The loader of a relationship to `Citation`s together with the source each cites."""
    return selectinload(citations).joinedload(Citation.source)
