"""Bounded field types and checks shared by the input schemas of the write routes."""

from collections.abc import Iterable
from datetime import date
from typing import Annotated, Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.core.params import (
    COUNTRY_CODE,
    COUNTRY_CODE_DOCS,
    NO_CONTROL_CHARACTERS,
    IsoDate,
    slug_bounds,
    slug_path,
)
from app.core.params import SLUG_PATTERN as SLUG_PATTERN  # the input schemas' slugs
from app.core.periods import DatePrecision

# Multi-line text: newlines and tabs, but no other control characters (PostgreSQL refuses NUL).
TEXT_CHARACTERS = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f]*$"

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


class Input(BaseModel):
    """A request body: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")


class Checked(Input):
    """A body with rules across its fields: `errors()` lists what breaks them, and the body is
    refused (422) with all of them at once."""

    def errors(self) -> list[str]:
        return []

    @model_validator(mode="after")
    def _check(self) -> Self:
        errors = self.errors()
        if errors:
            raise ValueError("; ".join(errors))
        return self


class Patch(Checked):
    """A PATCH body: `required` fields may be absent but never null, and the `dates` it names
    get their precision filled in (as in `fill_dates`)."""

    required: ClassVar[tuple[str, ...]] = ()
    dates: ClassVar[tuple[str, ...]] = ()

    def errors(self) -> list[str]:
        return [
            *required_fields_not_null(self, self.required),
            *fill_dates(self.__dict__, self.dates, self.model_fields_set),
        ]


def fill_dates(
    values: dict[str, Any], fields: Iterable[str], explicit: set[str] | None = None
) -> list[str]:
    """Fill in day precision for given dates and list what is wrong with the partial dates.

    With `explicit` (a PATCH's set fields), only the dates the body names are looked at.
    """
    errors = []
    for field in fields:
        if explicit is not None and not {f"{field}_date", f"{field}_precision"} & explicit:
            continue
        precision, error = date_error(
            values.get(f"{field}_date"), values.get(f"{field}_precision"), field
        )
        values[f"{field}_precision"] = precision
        if error:
            errors.append(error)
    return errors


def period_errors(
    model: BaseModel, dates: Iterable[str], period: tuple[str, str] = ("start", "end")
) -> list[str]:
    """Fill in the precision of `dates`, and list what is wrong with them and with the period
    (named by its start and end, e.g. `("founded", "ended")`)."""
    start, end = (f"{name}_date" for name in period)
    errors = fill_dates(model.__dict__, dates)
    error = period_error(getattr(model, start), getattr(model, end), start, end)
    return [*errors, *([error] if error else [])]


def required_fields_not_null(model: BaseModel, fields: Iterable[str]) -> list[str]:
    """A PATCH may clear optional fields with null, never required ones."""
    return [
        f"{field} cannot be null"
        for field in fields
        if field in model.model_fields_set and getattr(model, field) is None
    ]


def listed_twice(keys: Iterable[str], what: str) -> str | None:
    """An error naming the first key that appears twice in a list, if any."""
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            return f"{what} {key} is listed twice"
        seen.add(key)
    return None


ThreatSlug = Annotated[
    str, slug_path("Threat category slug (GET /v1/threat-categories lists them)", "terrorism", 80)
]


CountryCodeIn = Annotated[str, Field(**COUNTRY_CODE, **COUNTRY_CODE_DOCS)]
SlugIn = Annotated[str, Field(**slug_bounds(120))]
ThreatSlugIn = Annotated[
    str,
    Field(
        **slug_bounds(80),
        description="Threat category slug (GET /v1/threat-categories lists them)",
        examples=["terrorism"],
    ),
]
Threats = Annotated[
    list[ThreatSlugIn],
    Field(max_length=20, description="Threats addressed", examples=[["natural-disasters"]]),
]
