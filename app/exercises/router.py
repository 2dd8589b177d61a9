from collections.abc import Sequence

from fastapi import APIRouter
from sqlalchemy.orm import Session

from app.cooperation.models import TieChannel
from app.cooperation.representations import stated_coverage
from app.core.deps import SessionDep
from app.core.lists import Listing, list_route
from app.core.params import (
    Slug,
    check_years,
)
from app.core.problems import NOT_FOUND_RESPONSES
from app.countries.queries import country_ids
from app.exercises import queries
from app.exercises.details import edition_detail, participation_rows, series_detail, series_out
from app.exercises.models import ExerciseSeries, Participation
from app.exercises.params import EditionSlug, ExerciseFilters, ParticipationQuery
from app.exercises.queries import EditionFilters, ParticipationFilters
from app.exercises.schemas import EditionOut, ParticipationRow, SeriesDetail, SeriesOut
from app.threats.queries import threat_ids

router = APIRouter(prefix="/v1/exercises", tags=["exercises"])


@list_route(router, SeriesOut, covered=True)
def list_exercises(
    session: Session, filters: ExerciseFilters
) -> Listing[ExerciseSeries, SeriesOut]:
    """Exercise series that have at least one edition matching every filter.

    `meta.coverage` names the years of `year_gte`..`year_lte` (open ends: from the first
    exercise on, up to this year) that the exercise data does not fully cover: there, a
    series without an edition may have held one that no dataset records."""
    editions = EditionFilters(
        participant_ids=country_ids(session, filters.participant or [], "/query/participant"),
        host_ids=country_ids(session, filters.host or [], "/query/host"),
        threat_ids=threat_ids(session, filters.threat or []),
        activities=filters.kind or [],
        year_gte=filters.year_gte,
        year_lte=filters.year_lte,
        q=filters.q,
    )

    def to_items(rows: Sequence[ExerciseSeries]) -> list[SeriesOut]:
        summaries = queries.summarize_series(session, [row.id for row in rows], editions)
        return [series_out(row, summaries[row.id]) for row in rows]

    return Listing(
        lambda page: queries.list_series(session, editions, filters.sort, page),
        to_items,
        lambda request: stated_coverage(
            request, session, [TieChannel.exercise], filters.year_gte, filters.year_lte
        ),
    )


participations = APIRouter(prefix="/participations")


@list_route(participations, ParticipationRow)
def list_exercise_participations(
    session: Session, filters: ParticipationQuery
) -> Listing[Participation, ParticipationRow]:
    """Event-level data: one row per exercise edition and participating country, with the
    edition's year, series, dates, hosts, domains, activities, threats and sources, in the
    order of the editions' years. `format=csv` gives the whole table, flat, to merge with a
    country-year panel."""
    check_years(None, filters.year_gte, filters.year_lte)
    resolved = ParticipationFilters(
        country_ids=country_ids(session, filters.country or [], "/query/country"),
        series_ids=queries.series_ids(session, filters.series or [], "/query/series"),
        roles=filters.role or [],
        year_gte=filters.year_gte,
        year_lte=filters.year_lte,
    )
    return Listing(
        lambda page: queries.list_participations(session, resolved, page),
        lambda rows: participation_rows(session, rows),
    )


# Before `/{slug}`, which would otherwise take "participations" for a series' slug.
router.include_router(participations)


@router.get("/{slug}", response_model=SeriesDetail, responses=NOT_FOUND_RESPONSES)
def get_exercise(session: SessionDep, slug: Slug) -> SeriesDetail:
    """One exercise series with every edition, its hosts and its participants with roles."""
    return series_detail(session, slug)


@router.get("/{slug}/editions/{edition}", response_model=EditionOut, responses=NOT_FOUND_RESPONSES)
def get_exercise_edition(session: SessionDep, slug: Slug, edition: EditionSlug) -> EditionOut:
    """One edition of a series with its hosts, participants with roles, threats and sources."""
    return edition_detail(session, slug, edition)
