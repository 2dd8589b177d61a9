"""Column declarations that the domains' models share, each the same in every table that has
it (the migrations spell them out; tests/migrations checks that models and migrations agree).
A column's `doc` is its meaning in the release's codebook (`app/releases/tables.py`)."""

from typing import Any

from sqlalchemy import Float, ForeignKey
from sqlalchemy.orm import mapped_column

from app.core.meanings import precision_doc
from app.core.periods import DatePrecision, enum_column


def part_of(table: str, doc: str | None = None) -> Any:
    """The indexed reference of a row that is part of a row of `table` and goes with it."""
    return mapped_column(ForeignKey(f"{table}.id", ondelete="CASCADE"), index=True, doc=doc)


def refers_to(table: str, doc: str | None = None) -> Any:
    """The indexed reference to a row of `table`, which cannot go while a row names it."""
    return mapped_column(ForeignKey(f"{table}.id", ondelete="RESTRICT"), index=True, doc=doc)


def precision_column(date_name: str) -> Any:
    """The column of how much of the date `date_name` (`signed`: `signed_date`) is known."""
    return mapped_column(
        enum_column(DatePrecision, f"{date_name}_precision"), doc=precision_doc(f"{date_name}_date")
    )


def coordinate(axis: str, place: str) -> Any:
    """The latitude or longitude (`axis`) of the place a record names (`place`)."""
    return mapped_column(Float, doc=f"{axis} of {place} in decimal degrees; empty: not recorded")
