"""Bounded field types and checks shared by the input schemas of the write routes."""

from datetime import date
from typing import Annotated

from pydantic import Field

from app.core.params import NO_CONTROL_CHARACTERS, IsoDate
from app.core.periods import DatePrecision

# Multi-line text: newlines and tabs, but no other control characters (PostgreSQL refuses NUL).
TEXT_CHARACTERS = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f]*$"
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"

Name = Annotated[
    str, Field(min_length=1, max_length=200, pattern=NO_CONTROL_CHARACTERS, examples=["ASEAN"])
]
ShortText = Annotated[str, Field(min_length=1, max_length=40, pattern=NO_CONTROL_CHARACTERS)]
Note = Annotated[str, Field(min_length=1, max_length=2000, pattern=TEXT_CHARACTERS)]
Description = Annotated[str, Field(min_length=1, max_length=10_000, pattern=TEXT_CHARACTERS)]
InputDate = Annotated[IsoDate, Field(examples=["1967-08-08"])]


def date_error(
    value: date | None, precision: DatePrecision | None, field: str
) -> tuple[DatePrecision | None, str | None]:
    """The precision to store for a date (day when not given), or an error message.

    A partial date is stored as its first day: `1967` is 1967-01-01 with precision `year`.
    """
    if value is None:
        if precision is not None:
            return None, f"{field}_precision is given without {field}_date"
        return None, None
    precision = precision or DatePrecision.day
    if precision is DatePrecision.month and value.day != 1:
        return precision, f"{field}_date with precision month must be the first of the month"
    if precision is DatePrecision.year and (value.month, value.day) != (1, 1):
        return precision, f"{field}_date with precision year must be 1 January"
    return precision, None


def period_error(
    start: date | None, end: date | None, start_name: str, end_name: str
) -> str | None:
    if start is not None and end is not None and end <= start:
        return f"{end_name} ({end}) must be after {start_name} ({start})"
    return None
