"""Partial dates: research data knows some dates to the day, some to the month or year.

A partial date is stored as its first day plus a precision, so that it sorts and compares
like a date while the API still says how much of it is known.
"""

import re
from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy import Date, Enum, String
from sqlalchemy.orm import Mapped, mapped_column


class DatePrecision(StrEnum):
    day = "day"
    month = "month"
    year = "year"


_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")


def parse_partial_date(value: Any) -> tuple[date, DatePrecision]:
    """Parse "YYYY", "YYYY-MM", "YYYY-MM-DD", an int year or a date."""
    if isinstance(value, date):
        return value, DatePrecision.day
    text = str(value).strip()
    match = _PARTIAL_DATE.match(text)
    if not match:
        raise ValueError(f"not a date of the form YYYY, YYYY-MM or YYYY-MM-DD: {text!r}")
    year, month, day = match.groups()
    if day is not None:
        return date(int(year), int(month), int(day)), DatePrecision.day
    if month is not None:
        return date(int(year), int(month), 1), DatePrecision.month
    return date(int(year), 1, 1), DatePrecision.year


def enum_column(enum: type[StrEnum], name: str) -> Enum:
    """A portable enum: a VARCHAR with a named CHECK constraint, same on SQLite and PostgreSQL."""
    return Enum(
        enum,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [member.value for member in members],
    )


class PeriodMixin:
    """Start and end of a fact, each with its precision; no end means ongoing."""

    start_date: Mapped[date | None] = mapped_column(Date)
    start_precision: Mapped[DatePrecision | None] = mapped_column(
        enum_column(DatePrecision, "start_precision")
    )
    end_date: Mapped[date | None] = mapped_column(Date)
    end_precision: Mapped[DatePrecision | None] = mapped_column(
        enum_column(DatePrecision, "end_precision")
    )


class NoteMixin:
    note: Mapped[str | None] = mapped_column(String(2000))
