"""The query parameters of the country list."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Query

from app.core.params import IsoDate, SearchText, bounded, region_query, year_query
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
        bounded(
            "Countries that carried this Correlates of War code (at any time, or on `as_of`, "
            "or in `year`): 260 is the German Federal Republic, DEU, 1955-1990",
            260,
            ge=1,
            le=999,
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
        year_query(
            "With `cow`: the year the code is read for (any day of it; 365 in 1991 is both the "
            "Soviet Union and Russia)",
            1980,
        ),
    ] = None
    sort: Annotated[CountrySort, Query(description="Sort order", examples=["-name"])] = (
        CountrySort.iso3
    )
