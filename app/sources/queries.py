from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core.pagination import PageParams, SortKey, fetch_page
from app.core.problems import NotFound
from app.sources.models import CITED_TABLES, Citation, Source, SourceKind


def list_sources(
    session: Session, *, kind: SourceKind | None, page: PageParams
) -> tuple[Sequence[Source], int, str | None]:
    statement = select(Source)
    if kind is not None:
        statement = statement.where(Source.kind == kind)
    return fetch_page(session, statement, SortKey(Source.id, Source.id), page)


def get_source(session: Session, source_id: str) -> Source:
    source = session.get(Source, source_id)
    if source is None:
        raise NotFound(f"No source with id {source_id!r}; GET /v1/sources lists them.")
    return source


def citation_counts(session: Session, source_id: str) -> dict[str, int]:
    counts: list[Any] = [
        func.count(getattr(Citation, column)).label(table) for column, table in CITED_TABLES.items()
    ]
    row = session.execute(select(*counts).where(Citation.source_id == source_id)).one()
    return {table: count for table, count in row._mapping.items() if count}
