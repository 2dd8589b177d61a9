"""A domain's list route, declared instead of written: `GET {collection}` with its page
parameters, its filters, the JSON page or the CSV of every row, all in one place.

A domain declares what differs: the filters (a dataclass whose fields are the query
parameters, with their bounds and examples) and how to read them, a function decorated with
`@list_route(router, Item)` that resolves the filters once (e.g. country codes to ids, with
their 422 pointer) and returns the reader of one page, or a `Listing` when its items need
more than their rows. A list about years (`covered=True`) states in its meta which of them
the data does not cover: its `Listing` carries that `coverage`. Route order is declaration
order: declare the list before `/{slug}`.
"""

import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar, get_type_hints

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel
from sqlalchemy.orm import Session

from app.core.coverage import StatedCoverage
from app.core.deps import SessionDep
from app.core.pagination import (
    LIST_RESPONSES,
    CoveredPage,
    Fetch,
    Page,
    Paging,
    PagingDep,
)

Filters = TypeVar("Filters")
Row = TypeVar("Row")
Item = TypeVar("Item", bound=BaseModel)


@dataclass(frozen=True)
class Listing(Generic[Row, Item]):
    """The reader of one page and the maker of its items, for lists whose items are more
    than their rows (an exercise series with the summary of its matching editions)."""

    fetch: Fetch[Row]
    to_items: Callable[[Sequence[Row]], list[Item]]
    # For a list about years: what the data does not cover (the request gives the version).
    coverage: Callable[[Request], StatedCoverage] | None = None


@dataclass(frozen=True)
class NoFilters:
    """A list without filters but its page parameters."""


Read = Callable[[Session, Filters], Fetch[Any] | Listing[Any, Item]]


def list_route(
    router: APIRouter, item: type[Item], covered: bool = False
) -> Callable[[Read[Filters, Item]], Read[Filters, Item]]:
    """Declare `read` as the list route of `router`: `GET ""`, operationId the function's
    name, description its docstring, a page of `item`s or their CSV, the query parameters the
    fields of the dataclass its `filters` parameter is annotated with. `covered`: the page's
    meta has the `coverage` of the `Listing` that `read` returns."""

    def declare(read: Read[Filters, Item]) -> Read[Filters, Item]:
        filters = get_type_hints(read)["filters"]

        def endpoint(session: Session, paging: Paging, filters: Any) -> Any:
            reader = read(session, filters)
            if isinstance(reader, Listing):
                coverage = reader.coverage(paging.request) if reader.coverage else None
                return paging.of(reader.fetch, reader.to_items, coverage)
            return paging.of(reader, lambda rows: [item.model_validate(row) for row in rows])

        # FastAPI reads the parameters from the signature; in the document the filters come
        # first, then the page's, as in a route that declares its filters itself.
        endpoint.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
            [
                _parameter("session", SessionDep),
                _parameter("filters", Annotated[filters, Depends(filters)]),
                _parameter("paging", PagingDep),
            ]
        )
        router.add_api_route(
            "",
            endpoint,
            methods=["GET"],
            name=read.__name__,
            description=inspect.getdoc(read),
            response_model=(CoveredPage if covered else Page)[item],
            responses=LIST_RESPONSES,
        )
        return read

    return declare


def _parameter(name: str, annotation: Any) -> inspect.Parameter:
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation)
