"""The query parameters of the country list."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Query

from app.core.params import IsoDate, SearchText, region_query
from app.countries.models import CountryKind
from app.countries.queries import CountrySort


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
