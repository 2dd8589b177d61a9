"""The query and path parameters of the exercise reads."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Query

from app.core.params import (
    CountryFilter,
    SearchText,
    SlugItem,
    ThreatFilter,
    YearGte,
    YearLte,
    repeatable,
    slug_path,
)
from app.exercises.models import ActivityKind, ParticipantRole
from app.exercises.queries import SeriesSort


@dataclass
class ExerciseFilters:
    participant: CountryFilter = None
    host: CountryFilter = None
    threat: ThreatFilter = None
    kind: Annotated[
        list[ActivityKind] | None, repeatable("Activity kind", ["disaster_response"], 7)
    ] = None
    year_gte: YearGte = None
    year_lte: YearLte = None
    q: SearchText = None
    sort: Annotated[SeriesSort, Query(description="Sort order", examples=["name"])] = (
        SeriesSort.slug
    )


@dataclass
class ParticipationQuery:
    country: CountryFilter = None
    series: Annotated[
        list[SlugItem] | None, repeatable("Exercise series slug", ["cobra-gold"], 20)
    ] = None
    role: Annotated[
        list[ParticipantRole] | None, repeatable("Participant role", ["full_participant"], 4)
    ] = None
    year_gte: YearGte = None
    year_lte: YearLte = None


EditionSlug = Annotated[
    str, slug_path("Exercise edition slug (GET /v1/exercises/{slug} lists them)", "cobra-gold-2024")
]
