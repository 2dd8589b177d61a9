"""Partial dates from the separate year, month and day fields that research datasets use."""

import calendar
from datetime import date
from typing import NamedTuple

from app.core.periods import DatePrecision


class PartialDate(NamedTuple):
    """A date known to the day, the month or the year, stored as its first day."""

    first_day: date
    precision: DatePrecision

    @property
    def last_day(self) -> date:
        day = self.first_day
        if self.precision is DatePrecision.year:
            return date(day.year, 12, 31)
        if self.precision is DatePrecision.month:
            return date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])
        return day


def _number(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isdigit() else None


def partial_date_from_parts(year: str, month: str, day: str) -> PartialDate | None:
    """The most precise date the parts give, or None without a year.

    A part that is not a valid number ("xx", "-9", "", or 0 as ATOP writes it) is unknown,
    and so is every finer part: a known day without a month means nothing.
    """
    year_number = _number(year)
    if year_number is None or not 1000 <= year_number <= 9999:
        return None
    month_number = _number(month)
    if month_number is None or not 1 <= month_number <= 12:
        return PartialDate(date(year_number, 1, 1), DatePrecision.year)
    first_of_month = PartialDate(date(year_number, month_number, 1), DatePrecision.month)
    day_number = _number(day)
    if day_number is None:
        return first_of_month
    try:
        return PartialDate(date(year_number, month_number, day_number), DatePrecision.day)
    except ValueError:  # a day the month does not have: keep what is certain
        return first_of_month
