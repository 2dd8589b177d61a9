"""Partial dates: research data knows some dates to the day, some to the month or year.

A partial date is stored as its first day plus a precision, so that it sorts and compares
like a date while the API still says how much of it is known.
"""

import re
from calendar import monthrange
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Date, Enum, String
from sqlalchemy.orm import InstrumentedAttribute, Mapped, mapped_column

from app.core.meanings import NOTE, precision_doc


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
    """Start and end of a fact, each with its precision; no end means ongoing. What the dates
    mean differs by table: each model says it (`Base.__column_docs__`)."""

    start_date: Mapped[date | None] = mapped_column(Date)
    start_precision: Mapped[DatePrecision | None] = mapped_column(
        enum_column(DatePrecision, "start_precision"), doc=precision_doc("start_date")
    )
    end_date: Mapped[date | None] = mapped_column(Date)
    end_precision: Mapped[DatePrecision | None] = mapped_column(
        enum_column(DatePrecision, "end_precision"), doc=precision_doc("end_date")
    )


class NoteMixin:
    note: Mapped[str | None] = mapped_column(String(2000), doc=NOTE)


@dataclass(frozen=True)
class Span:
    """A half-open period [start, end); None means unbounded on that side."""

    start: date | None
    end: date | None

    def overlap(self, other: "Span") -> "Span | None":
        starts = [d for d in (self.start, other.start) if d is not None]
        ends = [d for d in (self.end, other.end) if d is not None]
        span = Span(max(starts) if starts else None, min(ends) if ends else None)
        if span.start is not None and span.end is not None and span.start >= span.end:
            return None
        return span

    def union(self, other: "Span") -> "Span":
        """The smallest span covering both."""
        starts = [self.start, other.start]
        ends = [self.end, other.end]
        return Span(
            None if None in starts else min(d for d in starts if d is not None),
            None if None in ends else max(d for d in ends if d is not None),
        )

    @classmethod
    def of_day(cls, day: date) -> "Span":
        return cls(day, day + timedelta(days=1))

    @classmethod
    def of_years(cls, first: int | None, last: int | None) -> "Span":
        return cls(
            date(first, 1, 1) if first is not None else None,
            date(last + 1, 1, 1) if last is not None else None,
        )

    @property
    def first_year(self) -> int | None:
        return self.start.year if self.start else None

    def met_by(
        self,
        start: InstrumentedAttribute[date | None],
        end: InstrumentedAttribute[date | None],
    ) -> list[ColumnElement[bool]]:
        """The SQL conditions that a row's period [start, end) (None: unbounded on that
        side) meets this span; none for an unbounded side of the span."""
        conditions: list[ColumnElement[bool]] = []
        if self.start is not None:
            conditions.append(end.is_(None) | (end > self.start))
        if self.end is not None:
            conditions.append(start.is_(None) | (start < self.end))
        return conditions

    @property
    def last_year(self) -> int | None:
        return (self.end - timedelta(days=1)).year if self.end else None


# Months, stored as their first day (monthly data: personnel reported at each month's end).


def next_month(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def previous_month(month: date) -> date:
    return (month.replace(day=1) - timedelta(days=1)).replace(day=1)


def month_text(month: date) -> str:
    """`YYYY-MM`, as the API writes a month."""
    return f"{month:%Y-%m}"


T = TypeVar("T")


def held_on(holdings: Iterable[tuple[Span, T]], day: date) -> T | None:
    """What is held on that day, of (period, thing) pairs whose periods do not overlap."""
    the_day = Span(day, day + timedelta(days=1))
    return next((thing for span, thing in holdings if span.overlap(the_day)), None)


def held_longest_in(holdings: Iterable[tuple[Span, T]], year: int) -> T | None:
    """What is held for the longest part of the year (the first of equals), or None: how data
    by year reads a dated fact (COW 365 in 1991 is the Soviet Union, to 25 December)."""
    whole_year = Span.of_years(year, year)
    days: dict[T, int] = {}
    for span, thing in holdings:
        part = span.overlap(whole_year)
        if part is not None and part.start is not None and part.end is not None:
            days[thing] = days.get(thing, 0) + (part.end - part.start).days
    return max(days, key=lambda thing: days[thing]) if days else None


def merged_spans(spans: Iterable[Span]) -> list[Span]:
    """The days the spans cover, as disjoint spans in order (touching ones joined)."""
    found: list[Span] = []
    for span in sorted(spans, key=lambda span: span.start or date.min):
        last = found[-1] if found else None
        if last is not None and (last.end is None or span.start is None or span.start <= last.end):
            found[-1] = last.union(span)
        else:
            found.append(span)
    return found


def common_spans(some: Iterable[Span], others: Iterable[Span]) -> list[Span]:
    """The days covered by both sets of spans, as disjoint spans in order."""
    others = list(others)
    return merged_spans(
        shared for span in some for other in others if (shared := span.overlap(other)) is not None
    )


def latest_day(day: date, precision: DatePrecision | None) -> date:
    """The last day a partial date may mean: 31 December of a year, the end of a month."""
    if precision is DatePrecision.year:
        return date(day.year, 12, 31)
    if precision is DatePrecision.month:
        return date(day.year, day.month, monthrange(day.year, day.month)[1])
    return day


def widest(start: date | None, end: date | None, end_precision: DatePrecision | None) -> Span:
    """The longest period a start and an exclusive end may mean, given the end's precision
    (the start is stored as its first day already)."""
    if end is None or end_precision in (None, DatePrecision.day):
        return Span(start, end)
    latest = latest_day(end, end_precision)
    return Span(start, None if latest == date.max else latest + timedelta(days=1))
