"""The query parameters of the operation reads: the list's filters and the months' windows."""

from dataclasses import dataclass
from datetime import date
from typing import Annotated

from app.core.params import (
    CountryFilter,
    SearchText,
    SlugItem,
    ThreatFilter,
    described,
    repeatable,
    text_param,
)
from app.operations.models import OperationKind
from app.operations.schemas import MONTH_PATTERN


@dataclass
class OperationFilters:
    kind: Annotated[
        OperationKind | None, described("peacekeeping or humanitarian", "peacekeeping")
    ] = None
    host: CountryFilter = None
    contributor: CountryFilter = None
    threat: ThreatFilter = None
    q: SearchText = None


MonthBound = Annotated[
    str | None,
    text_param(
        "A month, YYYY-MM (inclusive)", "2012-01", min_length=7, max_length=7, pattern=MONTH_PATTERN
    ),
]


@dataclass
class MonthWindow:
    month_gte: MonthBound = None
    month_lte: MonthBound = None

    def bounds(self) -> tuple[date | None, date | None]:
        """The months asked for, each as its first day."""
        return _first_day(self.month_gte), _first_day(self.month_lte)


def _first_day(month: str | None) -> date | None:
    return date.fromisoformat(f"{month}-01") if month else None


@dataclass
class OperationMonthFilters(MonthWindow):
    country: CountryFilter = None


@dataclass
class CountryMonthFilters(MonthWindow):
    operation: Annotated[list[SlugItem] | None, repeatable("Operation slug", ["unifil"], 20)] = None
