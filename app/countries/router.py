from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy.orm import Session

from app.core.lists import list_route
from app.core.pagination import Fetch
from app.core.params import NO_CONTROL_CHARACTERS, SearchText
from app.countries import queries
from app.countries.models import Country, CountryKind
from app.countries.queries import CountrySort
from app.countries.schemas import CountryOut

router = APIRouter(prefix="/v1/countries", tags=["countries"])


@dataclass
class CountryFilters:
    q: SearchText = None
    region: Annotated[
        str | None,
        Query(
            max_length=60,
            pattern=NO_CONTROL_CHARACTERS,
            description="Region or UN sub-region",
            examples=["South-eastern Asia"],
        ),
    ] = None
    kind: Annotated[
        CountryKind | None, Query(description="iso, historical or non_iso", examples=["historical"])
    ] = None
    sort: Annotated[CountrySort, Query(description="Sort order", examples=["-name"])] = (
        CountrySort.iso3
    )


@list_route(router, CountryOut)
def list_countries(session: Session, filters: CountryFilters) -> Fetch[Country]:
    """Every ISO 3166-1 country, historical states (USSR, East Germany...) and Kosovo."""
    return lambda page: queries.list_countries(
        session, q=filters.q, region=filters.region, kind=filters.kind, sort=filters.sort, page=page
    )
