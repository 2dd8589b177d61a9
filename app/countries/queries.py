import difflib
from collections.abc import Sequence
from enum import StrEnum

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.core.pagination import PageParams, SortKey, fetch_page
from app.core.problems import InvalidParameter, NotFound
from app.core.search import contains_text
from app.countries.models import Country, CountryKind


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


def list_countries(
    session: Session,
    *,
    q: str | None,
    region: str | None,
    kind: CountryKind | None,
    sort: CountrySort,
    page: PageParams,
) -> tuple[Sequence[Country], int, str | None]:
    statement = select(Country)
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
        statement = statement.where(
            or_(
                func.lower(Country.region) == region.lower(),
                func.lower(Country.subregion) == region.lower(),
            )
        )
    if kind is not None:
        statement = statement.where(Country.kind == kind)
    column, descending = _SORT_COLUMNS[sort]
    if sort is CountrySort.cow_code:
        statement = statement.where(Country.cow_code.is_not(None))
    return fetch_page(session, statement, SortKey(column, Country.id, descending), page)
