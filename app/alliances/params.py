"""The query and path parameters of the alliance reads."""

from dataclasses import dataclass
from typing import Annotated

from app.alliances.models import Obligation
from app.core.params import (
    CountryFilter,
    SearchText,
    YearFilter,
    YearGte,
    YearLte,
    repeatable,
    slug_path,
)

ObligationFilter = Annotated[
    list[Obligation] | None,
    repeatable("A member promises this (ATOP's obligations)", ["defense"], len(Obligation)),
]


AllianceSlug = Annotated[str, slug_path("The alliance: atop- and its ATOP id", "atop-3285", 40)]


@dataclass
class AllianceFilters:
    member: CountryFilter = None
    obligation: ObligationFilter = None
    directed_against: CountryFilter = None
    year: YearFilter = None
    year_gte: YearGte = None
    year_lte: YearLte = None
    q: SearchText = None
