from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy.orm import Session

from app.core.lists import list_route
from app.core.pagination import Fetch
from app.core.params import IsoDate, SearchText, region_query
from app.countries import queries
from app.countries.models import Country, CountryKind
from app.countries.queries import CountrySort, CowCodeFilter
from app.countries.schemas import CountryOut

router = APIRouter(prefix="/v1/countries", tags=["countries"])


@dataclass
class CountryFilters:
    q: SearchText = None
    region: Annotated[str | None, region_query("Region or UN sub-region")] = None
    kind: Annotated[
        CountryKind | None, Query(description="iso, historical or non_iso", examples=["historical"])
    ] = None
    cow: Annotated[
        int | None,
        Query(
            ge=1,
            le=999,
            description="Countries that carried this Correlates of War code (at any time, or "
            "on `as_of`, or in `year`): 260 is the German Federal Republic, DEU, 1955-1990",
            examples=[260],
        ),
    ] = None
    as_of: Annotated[
        IsoDate | None,
        Query(
            description="With `cow`: the day the code is read for (1800-01-01 to 2200-12-31)",
            examples=["1980-01-01"],
        ),
    ] = None
    year: Annotated[
        int | None,
        Query(
            ge=1800,
            le=2200,
            description="With `cow`: the year the code is read for (any day of it; 365 in "
            "1991 is both the Soviet Union and Russia)",
            examples=[1980],
        ),
    ] = None
    sort: Annotated[CountrySort, Query(description="Sort order", examples=["-name"])] = (
        CountrySort.iso3
    )


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
