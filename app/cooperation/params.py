"""The parameters of the partners and pair reads, each checked and resolved by a dependency.

The OpenAPI document lists the parameters in the order of the route's signature (dependencies
after the route's own): see `app/analytics/params.py`.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Query

from app.alliances.models import Obligation
from app.cooperation.channels import CHANNELS
from app.cooperation.models import TieChannel
from app.cooperation.queries import TieFilters
from app.core.deps import SessionDep
from app.core.params import (
    CountryCode,
    CountryCodeItem,
    ThreatFilter,
    YearFilter,
    YearGte,
    YearLte,
    check_years,
)
from app.core.problems import InvalidParameter
from app.countries.models import Country
from app.countries.queries import get_country, named_country
from app.threats.queries import threat_ids


def channel_filter(*example: TieChannel) -> Any:
    """The repeatable `channel` filter of the tie reads; each route documents its example."""
    return Query(
        max_length=len(CHANNELS),
        description="Channel of cooperation; repeat for any of several",
        examples=[list(example)],
    )


ChannelFilter = Annotated[list[TieChannel] | None, channel_filter(TieChannel.exercise)]
ObligationFilter = Annotated[
    list[Obligation] | None,
    Query(
        max_length=len(Obligation),
        description="Only ties through an alliance (ATOP) in which either country promises "
        "this; repeat for any of several",
        examples=[["defense"]],
    ),
]


TechnologyTransferFilter = Annotated[
    bool | None,
    Query(
        description="true: only ties that move technology, i.e. arms transfers and the "
        "agreements `/v1/agreements?technology_transfer=true` lists (of kind "
        "technology_transfer, or with a defense-industrial, procurement or research "
        "category); false: every other tie",
        examples=[True],
    ),
]


def tie_filters(
    session: SessionDep,
    threat: ThreatFilter = None,
    channel: ChannelFilter = None,
    obligation: ObligationFilter = None,
    technology_transfer: TechnologyTransferFilter = None,
    year: YearFilter = None,
    year_gte: YearGte = None,
    year_lte: YearLte = None,
) -> TieFilters:
    check_years(year, year_gte, year_lte)
    return TieFilters(
        threat_ids=threat_ids(session, threat or []),
        channels=channel or [],
        obligations=obligation or [],
        technology_transfer=technology_transfer,
        year=year,
        year_gte=year_gte,
        year_lte=year_lte,
    )


TieQuery = Annotated[TieFilters, Depends(tie_filters)]


def country(session: SessionDep, code: CountryCode) -> Country:
    return get_country(session, code)


CountryPath = Annotated[Country, Depends(country)]


@dataclass(frozen=True)
class CountryPair:
    country: Country
    other: Country


def country_pair(same_country: str) -> Callable[..., CountryPair]:
    """A dependency for two known, different countries: 404 for an unknown code, 422 with
    the message `same_country` for the same country twice."""

    def pair(session: SessionDep, code: CountryCode, other: CountryCode) -> CountryPair:
        found = CountryPair(get_country(session, code), get_country(session, other))
        if found.other.id == found.country.id:
            raise InvalidParameter("/path/other", same_country)
        return found

    return pair


PartnersPath = Annotated[CountryPair, Depends(country_pair("A country is not its own partner."))]

# Each country costs one read of its partners.
MAX_COMMON_COUNTRIES = 10


def common_countries(
    session: SessionDep,
    country: Annotated[
        list[CountryCodeItem],
        Query(
            max_length=MAX_COMMON_COUNTRIES,
            description=f"Country code (ISO3 or ISO2); repeat for each of 2 to "
            f"{MAX_COMMON_COUNTRIES} countries",
            examples=[["USA", "CHN"]],
        ),
    ],
) -> list[Country]:
    """Two or more known countries, each once: 422 at `/query/country` otherwise."""
    countries: dict[int, Country] = {}
    for code in country:
        found = named_country(session, code, "/query/country")
        countries.setdefault(found.id, found)
    if len(countries) < 2:
        raise InvalidParameter(
            "/query/country",
            "Give at least two different countries (repeat `country`), e.g. "
            "?country=USA&country=CHN.",
        )
    return list(countries.values())


CommonCountries = Annotated[list[Country], Depends(common_countries)]
