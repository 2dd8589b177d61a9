"""Typed, documented, bounded parameters reused across routers."""

import re
from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import Path, Query, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pydantic import AfterValidator, AwareDatetime, BeforeValidator, StringConstraints

from app.core.language import LangQuery
from app.core.problems import InvalidParameter

COUNTRY_CODE_PATTERN = r"^[A-Za-z]{2,3}$"
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
# A country code's bounds and documentation, wherever one is read (a path, a filter's item,
# a request body).
COUNTRY_CODE: dict[str, Any] = {"min_length": 2, "max_length": 3, "pattern": COUNTRY_CODE_PATTERN}
COUNTRY_CODE_DOCS: dict[str, Any] = {
    "description": "ISO 3166-1 alpha-3 (or alpha-2) code, any case",
    "examples": ["IDN"],
}


def slug_bounds(max_length: int = 160) -> dict[str, Any]:
    """A slug's bounds, wherever one is read."""
    return {"min_length": 1, "max_length": max_length, "pattern": SLUG_PATTERN}


def slug_path(description: str, example: str, max_length: int = 160) -> Any:
    """A slug path parameter naming one kind of record (`Slug` with its own prose)."""
    return Path(**slug_bounds(max_length), description=description, examples=[example])


CountryCode = Annotated[str, Path(**COUNTRY_CODE, **COUNTRY_CODE_DOCS)]
Slug = Annotated[str, slug_path("Stable lowercase slug", "nato")]


# PostgreSQL refuses NUL characters in text; refuse them at the door instead of failing later.
NO_CONTROL_CHARACTERS = r"^[^\x00-\x1f]*$"


def region_query(description: str) -> Any:
    """A region (or UN sub-region) query parameter, with its own prose."""
    return Query(
        max_length=60,
        pattern=NO_CONTROL_CHARACTERS,
        description=description,
        examples=["South-eastern Asia"],
    )


def text_param(
    description: str,
    example: str,
    *,
    max_length: int,
    min_length: int | None = 1,
    pattern: str = NO_CONTROL_CHARACTERS,
    where: Any = Query,
) -> Any:
    """A bounded text parameter (`Query` by default, or `where=Path`): one declaration of the
    length, pattern and prose that every free-text parameter carries."""
    return where(
        min_length=min_length,
        max_length=max_length,
        pattern=pattern,
        description=description,
        examples=[example],
    )


def described(description: str, example: Any) -> Any:
    """The `Query` of a parameter that needs no bounds but its type's: its prose and example."""
    return Query(description=description, examples=[example])


def bounded(description: str, example: float, *, ge: float, le: float) -> Any:
    """The `Query` of a number between two bounds (inclusive), with its prose and example."""
    return Query(ge=ge, le=le, description=description, examples=[example])


def year_query(description: str, example: int) -> Any:
    """The `Query` of a year: one of 1800-2200, the years any record may hold."""
    return bounded(description, example, ge=1800, le=2200)


def repeatable(what: str, example: list[Any], most: int) -> Any:
    """The `Query` of a filter that may be repeated, up to `most` times, matching any of them."""
    return Query(
        max_length=most, description=f"{what}; repeat for any of several", examples=[example]
    )


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
# Items of repeatable filters: bounded one by one too, not only in number.
CountryCodeItem = Annotated[str, StringConstraints(**COUNTRY_CODE)]
SlugItem = Annotated[str, StringConstraints(**slug_bounds())]


ThreatFilter = Annotated[
    list[SlugItem] | None, repeatable("Threat category slug", ["terrorism"], 10)
]
CountryFilter = Annotated[
    list[CountryCodeItem] | None, repeatable("Country code (ISO3 or ISO2)", ["IDN"], 20)
]
YearFilter = Annotated[
    int | None, year_query("Only ties active in this year (not with year_gte/year_lte)", 2024)
]
YearGte = Annotated[int | None, year_query("From this year on", 2000)]
YearLte = Annotated[int | None, year_query("Up to this year", 2025)]


def check_years(year: int | None, year_gte: int | None, year_lte: int | None) -> None:
    """One year, or a range whose ends are in order (422 otherwise)."""
    if year is not None and (year_gte is not None or year_lte is not None):
        raise InvalidParameter("/query/year", "Use either year or year_gte/year_lte, not both.")
    if year_gte is not None and year_lte is not None and year_gte > year_lte:
        raise InvalidParameter("/query/year_gte", "year_gte is after year_lte.")


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


def _representable_in_utc(value: datetime) -> datetime:
    """Timestamps are compared in UTC: one whose offset pushes it past year 1 or 9999 cannot be."""
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("the timestamp is out of range once converted to UTC") from None


IsoTimestamp = Annotated[
    AwareDatetime, BeforeValidator(_rfc3339_only), AfterValidator(_representable_in_utc)
]


# Parameters every route takes, declared by the dependency below.
SHARED_QUERY_NAMES = frozenset({"lang"})


async def known_query_parameters(request: Request, lang: LangQuery = None) -> None:
    """Refuse a query parameter a read does not take (422, pointer `/query/<name>`), and
    declare those every route takes (`lang`, the language of names: `core/language.py`).

    A misspelt filter (`?thraet=terrorism`) would otherwise be ignored, and the answer, not
    filtered at all, would look like a right one. Set on every router of the API (not on the
    explorer page, whose own URL keeps its state in the query). Writes take no filters, and
    their answer to a request without a valid key stays a 401 whatever the query holds.
    """
    route = request.scope.get("route")
    if request.method != "GET" or not isinstance(route, APIRoute):
        return
    known = _route_query_names(route) | SHARED_QUERY_NAMES
    unknown = [name for name in dict.fromkeys(request.query_params) if name not in known]
    if unknown:
        takes = ", ".join(sorted(known)) or "no query parameters"
        raise InvalidParameter(
            f"/query/{unknown[0]}",
            f"Unknown query parameter {unknown[0]!r}; {request.url.path} takes {takes}.",
        )


_QUERY_NAMES: dict[tuple[str, frozenset[str]], frozenset[str]] = {}


def _route_query_names(route: APIRoute) -> frozenset[str]:
    # Routes are not hashable; an operation is its path and methods.
    key = (route.path, frozenset(route.methods or ()))
    if key not in _QUERY_NAMES:
        _QUERY_NAMES[key] = frozenset(_query_names(route.dependant))
    return _QUERY_NAMES[key]


def _query_names(dependant: Dependant) -> set[str]:
    names = {field.alias for field in dependant.query_params}
    for dependency in dependant.dependencies:
        names |= _query_names(dependency)
    return names
