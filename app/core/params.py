"""Typed, documented, bounded parameters reused across routers."""

import re
from datetime import date
from typing import Annotated, Any

from fastapi import Path, Query
from pydantic import AwareDatetime, BeforeValidator

CountryCode = Annotated[
    str,
    Path(
        min_length=2,
        max_length=3,
        pattern=r"^[A-Za-z]{2,3}$",
        description="ISO 3166-1 alpha-3 (or alpha-2) code, any case",
        examples=["IDN"],
    ),
]
Slug = Annotated[
    str,
    Path(
        min_length=1,
        max_length=160,
        pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
        description="Stable lowercase slug",
        examples=["nato"],
    ),
]
# PostgreSQL refuses NUL characters in text; refuse them at the door instead of failing later.
NO_CONTROL_CHARACTERS = r"^[^\x00-\x1f]*$"

SearchText = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=100,
        pattern=NO_CONTROL_CHARACTERS,
        description="Case-insensitive text search",
        examples=["gold"],
    ),
]
ThreatFilter = Annotated[
    list[str] | None,
    Query(
        max_length=10,
        description="Threat category slug; repeat for any of several",
        examples=[["terrorism"]],
    ),
]
CountryFilter = Annotated[
    list[str] | None,
    Query(
        max_length=20,
        description="Country code (ISO3 or ISO2); repeat for any of several",
        examples=[["IDN"]],
    ),
]
YearGte = Annotated[
    int | None, Query(ge=1800, le=2200, description="From this year on", examples=[2000])
]
YearLte = Annotated[
    int | None, Query(ge=1800, le=2200, description="Up to this year", examples=[2025])
]


def _iso_date_only(value: Any) -> Any:
    """Only YYYY-MM-DD: pydantic alone would also take a number as a Unix timestamp."""
    if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("expected a date as YYYY-MM-DD")
    if not isinstance(value, str | date):
        raise ValueError("expected a date as YYYY-MM-DD")
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_date_only)]


_RFC3339 = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?([Zz]|[+-]\d{2}:\d{2})"
)


def _rfc3339_only(value: Any) -> Any:
    """Only RFC 3339 with an offset: pydantic alone would also take a number as a timestamp."""
    if not isinstance(value, str) or not _RFC3339.fullmatch(value):
        raise ValueError("expected a timestamp as YYYY-MM-DDTHH:MM:SSZ (with Z or an offset)")
    return value


IsoTimestamp = Annotated[AwareDatetime, BeforeValidator(_rfc3339_only)]
