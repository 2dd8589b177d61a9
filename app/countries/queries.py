import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from app.core.pagination import PageParams, SortKey, fetch_page
from app.core.periods import Span, held_longest_in
from app.core.problems import InvalidParameter, NotFound
from app.core.search import contains_text
from app.countries.models import Country, CountryKind, CowCodePeriod


class CountrySort(StrEnum):
    iso3 = "iso3"
    name = "name"
    name_desc = "-name"
    cow_code = "cow_code"


_SORT_COLUMNS = {
    CountrySort.iso3: (Country.iso3, False),
    CountrySort.name: (Country.name, False),
    CountrySort.name_desc: (Country.name, True),
    CountrySort.cow_code: (Country.cow_code, False),
}


def _lookup(session: Session, code: str) -> Country | None:
    code = code.upper()
    column = Country.iso3 if len(code) == 3 else Country.iso2
    return session.scalars(select(Country).where(column == code)).one_or_none()


def _suggest(session: Session, code: str) -> str:
    codes = session.scalars(select(Country.iso3)).all()
    close = difflib.get_close_matches(code.upper(), codes, n=3, cutoff=0.6)
    return f" Did you mean {', '.join(close)}?" if close else ""


def get_country(session: Session, code: str) -> Country:
    country = _lookup(session, code)
    if country is None:
        raise NotFound(f"No country with code {code!r}.{_suggest(session, code)}")
    return country


def named_country(session: Session, code: str, pointer: str) -> Country:
    """The country a filter or a request body names; an unknown code is the client's error
    (a 422 at `pointer`), not an empty result."""
    country = _lookup(session, code)
    if country is None:
        raise InvalidParameter(pointer, f"Unknown country code {code!r}.{_suggest(session, code)}")
    return country


def country_ids(session: Session, codes: list[str], pointer: str) -> list[int]:
    return [named_country(session, code, pointer).id for code in codes]


# The days a COW code can be asked for: the years the `year` parameter takes.
_FIRST_DAY, _LAST_DAY = date(1800, 1, 1), date(2200, 12, 31)


@dataclass(frozen=True)
class CowCodeFilter:
    """A COW code, and the span it is read for (None: at any time)."""

    code: int
    span: Span | None

    @classmethod
    def of(cls, code: int | None, as_of: date | None, year: int | None) -> "CowCodeFilter | None":
        """The filter the parameters ask for; a date without a code, or two dates, is a 422."""
        if as_of is not None and year is not None:
            raise InvalidParameter("/query/year", "Use either as_of or year, not both.")
        if code is None:
            if as_of is not None or year is not None:
                which = "as_of" if as_of is not None else "year"
                raise InvalidParameter(
                    f"/query/{which}", f"{which} dates a COW code: give `cow` with it."
                )
            return None
        if as_of is not None:
            if not _FIRST_DAY <= as_of <= _LAST_DAY:
                raise InvalidParameter(
                    "/query/as_of", f"as_of must be from {_FIRST_DAY} to {_LAST_DAY}."
                )
            return cls(code, Span(as_of, as_of + timedelta(days=1)))
        if year is not None:
            return cls(code, Span.of_years(year, year))
        return cls(code, None)

    def carriers(self) -> ColumnElement[bool]:
        """The countries that carried the code within the span (at any time without one)."""
        periods = select(CowCodePeriod.country_id).where(CowCodePeriod.cow_code == self.code)
        if self.span is not None:
            periods = periods.where(overlaps(CowCodePeriod, self.span))
        return Country.id.in_(periods)


def overlaps(period: type[CowCodePeriod], span: Span) -> ColumnElement[bool]:
    """The half-open [valid_from, valid_until) shares a day with the bounded span."""
    assert span.start is not None and span.end is not None
    return and_(
        or_(period.valid_from.is_(None), period.valid_from < span.end),
        or_(period.valid_until.is_(None), period.valid_until > span.start),
    )


class CowCodesByYear:
    """The COW code each country carried in a year (for the longest part of it), from every
    country's dated codes (a few hundred rows) read once; each (country, year) is worked out
    once, since a dyad-year table asks for it once per pair the country is in."""

    def __init__(self, session: Session) -> None:
        self._codes: dict[int, list[tuple[Span, int]]] = {}
        for country_id, code, valid_from, valid_until in session.execute(
            select(
                CowCodePeriod.country_id,
                CowCodePeriod.cow_code,
                CowCodePeriod.valid_from,
                CowCodePeriod.valid_until,
            )
        ):
            self._codes.setdefault(country_id, []).append((Span(valid_from, valid_until), code))
        self._in_year: dict[tuple[int, int], int | None] = {}

    def __call__(self, country_id: int, year: int) -> int | None:
        key = (country_id, year)
        if key not in self._in_year:
            self._in_year[key] = held_longest_in(self._codes.get(country_id, []), year)
        return self._in_year[key]


def in_region(region: str) -> ColumnElement[bool]:
    """The country is in the region or UN sub-region, in any case."""
    return or_(
        func.lower(Country.region) == region.lower(),
        func.lower(Country.subregion) == region.lower(),
    )


def list_countries(
    session: Session,
    *,
    q: str | None,
    region: str | None,
    kind: CountryKind | None,
    cow: CowCodeFilter | None,
    sort: CountrySort,
    page: PageParams,
) -> tuple[Sequence[Country], int, str | None]:
    statement = select(Country)
    if cow is not None:
        statement = statement.where(cow.carriers())
    if q:
        statement = statement.where(
            or_(
                contains_text(Country.name, q),
                contains_text(Country.name_id, q),
                contains_text(Country.official_name, q),
                func.lower(Country.iso3) == q.lower(),
                func.lower(Country.iso2) == q.lower(),
            )
        )
    if region:
        statement = statement.where(in_region(region))
    if kind is not None:
        statement = statement.where(Country.kind == kind)
    column, descending = _SORT_COLUMNS[sort]
    if sort is CountrySort.cow_code:
        statement = statement.where(Country.cow_code.is_not(None))
    return fetch_page(session, statement, SortKey(column, Country.id, descending), page)
