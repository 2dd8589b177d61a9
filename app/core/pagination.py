"""Keyset pagination with opaque cursors, and the list envelope."""

import base64
import binascii
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from app.core.config import PAGE_SIZE_CEILING, Settings
from app.core.coverage import COVERAGE_DESCRIPTION, CoverageNote, StatedCoverage
from app.core.csv_export import csv_response
from app.core.problems import PROBLEM_RESPONSES, InvalidParameter

Item = TypeVar("Item", bound=BaseModel)
Row = TypeVar("Row")
# The documented bounds of `limit` are the defaults; the app's settings apply per request.
_DEFAULT_LIMIT: int = Settings.model_fields["page_size_default"].default


class Links(BaseModel):
    self: str = Field(description="This page")
    next: str | None = Field(description="The next page, or null on the last page")


class ListMeta(BaseModel):
    limit: int = Field(description="Page size used", examples=[50])
    total: int = Field(description="Number of matching items across all pages", examples=[32])
    data_version: int = Field(description="Version of the data this page was read from")


class Page(BaseModel, Generic[Item]):
    data: list[Item]
    links: Links
    meta: ListMeta


class CoveredListMeta(ListMeta):
    coverage: list[CoverageNote] = Field(description=COVERAGE_DESCRIPTION)


class CoveredPage(Page[Item], Generic[Item]):
    """A page of an answer about years: its meta says which years the data does not cover."""

    meta: CoveredListMeta


# Pydantic keeps parametrized models only while something refers to them: without this
# reference every page would build the class anew.
_ANY_PAGE = Page[Any]


class ListFormat(StrEnum):
    json = "json"
    csv = "csv"


@dataclass
class PageParams:
    limit: int
    cursor: str | None
    wants_csv: bool
    resource: str
    page_size_max: int

    def walking(self, cursor: str | None) -> "PageParams":
        """Full pages for walking a whole list, as the CSV export does."""
        return PageParams(self.page_size_max, cursor, False, self.resource, self.page_size_max)


def wants_csv(request: Request, format: ListFormat) -> bool:
    """A list answers CSV when `format=csv` asks for it or the client accepts `text/csv`."""
    return format is ListFormat.csv or "text/csv" in request.headers.get("accept", "")


async def page_params(
    request: Request,
    limit: Annotated[
        int,
        Query(
            ge=1,
            le=PAGE_SIZE_CEILING,
            description=f"Page size, at most {PAGE_SIZE_CEILING} (or the server's lower setting)",
            examples=[50],
        ),
    ] = _DEFAULT_LIMIT,
    cursor: Annotated[
        str | None,
        Query(
            max_length=200,
            pattern=r"^[A-Za-z0-9_\-=]+$",
            description="Opaque cursor from `links.next`",
            examples=["WyJJRE4iLCAxMDNd"],
        ),
    ] = None,
    format: Annotated[
        ListFormat,
        Query(
            description="json: one page; csv: every matching row, as a download "
            "(also chosen by `Accept: text/csv`)",
            examples=["csv"],
        ),
    ] = ListFormat.json,
) -> PageParams:
    """Async: it does no I/O, so it need not cost a trip through the threadpool (issue 7)."""
    settings: Settings = request.app.state.settings
    if "limit" not in request.query_params:
        limit = settings.page_size_default
    elif limit > settings.page_size_max:
        raise InvalidParameter(
            "/query/limit", f"Input should be less than or equal to {settings.page_size_max}"
        )
    return PageParams(
        limit=limit,
        cursor=cursor,
        wants_csv=wants_csv(request, format),
        resource=request.url.path.strip("/").replace("/", "-"),
        page_size_max=settings.page_size_max,
    )


PageDep = Annotated[PageParams, Depends(page_params)]


def encode_cursor(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode()


def decode_cursor(cursor: str, types: Sequence[type]) -> list[Any]:
    """The key values in a cursor, checked against the types of the sort key."""
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        values = None
    if (
        not isinstance(values, list)
        or len(values) != len(types)
        or not all(type(value) is kind for value, kind in zip(values, types, strict=True))
    ):
        raise InvalidParameter("/query/cursor", "Invalid cursor; use the one from links.next.")
    return values


class SortKey:
    """A column to sort on plus the primary key as tie-breaker, in either direction."""

    def __init__(
        self,
        column: InstrumentedAttribute[Any],
        id_column: InstrumentedAttribute[Any],
        descending: bool = False,
    ) -> None:
        self.column = column
        self.id_column = id_column
        self.descending = descending

    def order_by(self) -> list[ColumnElement[Any]]:
        if self.descending:
            return [self.column.desc(), self.id_column.desc()]
        return [self.column.asc(), self.id_column.asc()]

    def after(self, values: list[Any]) -> ColumnElement[bool]:
        value, row_id = values
        if self.descending:
            return or_(self.column < value, and_(self.column == value, self.id_column < row_id))
        return or_(self.column > value, and_(self.column == value, self.id_column > row_id))

    def cursor_for(self, row: Any) -> str:
        value = getattr(row, self.column.key)
        # A date travels as its ISO text (JSON has no dates); `key_values` reads it back.
        if isinstance(value, date):
            value = value.isoformat()
        return encode_cursor([value, getattr(row, self.id_column.key)])

    def key_values(self, cursor: str) -> list[Any]:
        """The values of a cursor this key made, typed as its columns are."""
        kinds = [column.type.python_type for column in (self.column, self.id_column)]
        values = decode_cursor(cursor, [str if kind is date else kind for kind in kinds])
        try:
            return [
                date.fromisoformat(v) if kind is date else v
                for v, kind in zip(values, kinds, strict=True)
            ]
        except ValueError:
            raise InvalidParameter(
                "/query/cursor", "Invalid cursor; use the one from links.next."
            ) from None


def fetch_page(
    session: Session, statement: Select[Any], sort: SortKey, page: PageParams
) -> tuple[Sequence[Any], int, str | None]:
    """Rows of one page, the total count, and the cursor of the next page."""
    total = session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    if page.cursor:
        statement = statement.where(sort.after(sort.key_values(page.cursor)))
    rows = session.scalars(statement.order_by(*sort.order_by()).limit(page.limit + 1)).all()
    next_cursor = sort.cursor_for(rows[page.limit - 1]) if len(rows) > page.limit else None
    return rows[: page.limit], total or 0, next_cursor


def page_of_sorted(
    items: Sequence[Row], key: Callable[[Row], list[Any]], page: PageParams
) -> tuple[Sequence[Row], str | None]:
    """Keyset pagination over items already sorted by `key` (computed lists, not tables)."""
    if page.cursor and items:
        after = decode_cursor(page.cursor, [type(value) for value in key(items[0])])
        items = [item for item in items if key(item) > after]
    rows = items[: page.limit]
    next_cursor = encode_cursor(key(rows[-1])) if len(items) > page.limit else None
    return rows, next_cursor


Fetch = Callable[[PageParams], tuple[Sequence[Row], int, str | None]]


LIST_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {"schema": {"type": "string"}}}},
    **PROBLEM_RESPONSES,
}


@dataclass(frozen=True)
class Paging:
    """The page a list route was asked for, with the request and response it answers: a
    route that pages takes this one parameter and hands it its rows."""

    request: Request
    response: Response
    page: PageParams

    def of(
        self,
        fetch: Fetch[Row],
        to_items: Callable[[Sequence[Row]], list[Item]],
        coverage: StatedCoverage | None = None,
    ) -> Page[Item] | StreamingResponse:
        """One page as the JSON envelope, or, for CSV, every matching row walked page by
        page; an answer about years states its `coverage` in the meta, or links to it from
        the CSV."""
        page = self.page
        if not page.wants_csv:
            rows, total, next_cursor = fetch(page)
            return self.envelope(to_items(rows), total, next_cursor, coverage)

        def pages() -> Iterator[list[Item]]:
            cursor: str | None = None
            while True:
                rows, _, cursor = fetch(page.walking(cursor))
                yield to_items(rows)
                if cursor is None:
                    return

        download = csv_response(pages(), page.resource)
        if coverage is not None:
            coverage.link(download)
        return download

    def of_sorted(
        self,
        items: Sequence[Row],
        key: Callable[[Row], list[Any]],
        to_item: Callable[[Row], Item],
        coverage: StatedCoverage | None = None,
        *,
        csv: bool = True,
    ) -> Page[Item] | StreamingResponse:
        """`of` over a computed list, already sorted by `key` (`page_of_sorted`); a list with
        no CSV form (`csv=False`) answers JSON whatever the client asks."""

        def fetch(p: PageParams) -> tuple[Sequence[Row], int, str | None]:
            rows, cursor = page_of_sorted(items, key, p)
            return rows, len(items), cursor

        paging = self if csv else replace(self, page=replace(self.page, wants_csv=False))
        return paging.of(fetch, lambda rows: [to_item(row) for row in rows], coverage)

    def envelope(
        self,
        data: list[Item],
        total: int,
        next_cursor: str | None,
        coverage: StatedCoverage | None = None,
    ) -> Page[Item]:
        """The JSON page: its items, the link to the next page (also as `Link`), its meta."""
        request, next_url = self.request, None
        if next_cursor is not None:
            next_url = str(request.url.include_query_params(cursor=next_cursor))
            self.response.headers["Link"] = f'<{next_url}>; rel="next"'
        figures = {
            "limit": self.page.limit,
            "total": total,
            "data_version": request.state.data_version,
        }
        meta = (
            ListMeta(**figures)
            if coverage is None
            else CoveredListMeta(**figures, coverage=coverage.notes)
        )
        return _ANY_PAGE(data=data, links=Links(self=str(request.url), next=next_url), meta=meta)


async def paging(request: Request, response: Response, page: PageDep) -> Paging:
    """Async: it does no I/O (as `page_params`)."""
    return Paging(request, response, page)


PagingDep = Annotated[Paging, Depends(paging)]
