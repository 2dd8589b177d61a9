"""Pieces of SQL that the domains' list and detail queries share."""

from typing import Any, TypeVar, cast

from sqlalchemy import ColumnElement, Select, or_, select
from sqlalchemy.orm import Session

from app.core.problems import NotFound
from app.core.search import contains_text

T = TypeVar("T")


def where_given(statement: Select[T], *conditions: ColumnElement[bool] | None) -> Select[T]:
    """`statement` narrowed by the condition of each filter a client gave (None: not given)."""
    return statement.where(*(condition for condition in conditions if condition is not None))


def linked(column: Any, link: Any, *where: Any) -> ColumnElement[bool]:
    """`column` is the `link` of a row that meets `where`: a filter through a link table (the
    agreements with a party among some countries, the operations addressing some threats)."""
    return column.in_(select(link).where(*where))  # type: ignore[no-any-return]


def text_in(text: str | None, *columns: Any) -> ColumnElement[bool] | None:
    """The `q` filter over several columns: any of them contains `text` (None: no `q`)."""
    return or_(*(contains_text(column, text) for column in columns)) if text else None


def one_or_404(session: Session, statement: Select[T], missing: str) -> T:
    """The one row `statement` finds, or a 404 whose detail is `missing`."""
    found = session.scalars(statement).one_or_none()
    if found is None:
        raise NotFound(missing)
    return found


def one_by_slug(
    session: Session, model: type[T], slug: str, noun: str, listed_at: str, *loaders: Any
) -> T:
    """The `model` row with this slug, its relationships loaded by `loaders`, or a 404 that
    names the `noun` and the path that lists them."""
    statement = select(model).where(cast(Any, model).slug == slug).options(*loaders)
    return one_or_404(
        session, statement, f"No {noun} with slug {slug!r}; GET {listed_at} lists them."
    )
