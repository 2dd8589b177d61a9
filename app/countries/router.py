from fastapi import APIRouter
from sqlalchemy.orm import Session

from app.core.lists import list_route
from app.core.pagination import Fetch
from app.countries import queries
from app.countries.models import Country
from app.countries.params import CountryFilters
from app.countries.queries import CowCodeFilter
from app.countries.schemas import CountryOut

router = APIRouter(prefix="/v1/countries", tags=["countries"])


@list_route(router, CountryOut)
def list_countries(session: Session, filters: CountryFilters) -> Fetch[Country]:
    """Every ISO 3166-1 country, historical states (USSR, East Germany, Bavaria...) and
    Kosovo. `cow` finds a country by its Correlates of War code, dated with `as_of` or `year`
    (a code is a fact with a period: `cow=260&as_of=1980-01-01` is DEU, `cow=255&year=1980`
    none)."""
    cow = CowCodeFilter.of(filters.cow, filters.as_of, filters.year)
    return lambda page: queries.list_countries(
        session,
        q=filters.q,
        region=filters.region,
        kind=filters.kind,
        cow=cow,
        sort=filters.sort,
        page=page,
    )
