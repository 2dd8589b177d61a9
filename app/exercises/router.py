from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse

from app.core.deps import SessionDep
from app.core.pagination import LIST_RESPONSES, Page, PageDep, list_response
from app.core.params import CountryFilter, SearchText, Slug, ThreatFilter, YearGte, YearLte
from app.core.problems import NOT_FOUND_RESPONSES
from app.countries.queries import country_ids
from app.countries.schemas import CountryRef
from app.exercises import queries
from app.exercises.models import ActivityKind, Domain, ExerciseEdition, ExerciseSeries
from app.exercises.queries import EditionFilters, SeriesSort, SeriesSummary
from app.exercises.schemas import EditionOut, Participant, SeriesDetail, SeriesOut
from app.sources.schemas import CitationOut
from app.threats.queries import threat_ids
from app.threats.schemas import ThreatRef

router = APIRouter(prefix="/v1/exercises", tags=["exercises"])


def _series_out(series: ExerciseSeries, summary: SeriesSummary) -> SeriesOut:
    return SeriesOut(
        slug=series.slug,
        name=series.name,
        name_id=series.name_id,
        edition_count=summary.edition_count,
        first_year=summary.first_year,
        last_year=summary.last_year,
        activities=summary.activities,
        threats=[ThreatRef.model_validate(t) for t in summary.threats],
    )


@router.get("", response_model=Page[SeriesOut], responses=LIST_RESPONSES)
def list_exercises(
    request: Request,
    response: Response,
    session: SessionDep,
    page: PageDep,
    participant: CountryFilter = None,
    host: CountryFilter = None,
    threat: ThreatFilter = None,
    kind: Annotated[
        list[ActivityKind] | None,
        Query(
            max_length=7,
            description="Activity kind; repeat for any of several",
            examples=[["disaster_response"]],
        ),
    ] = None,
    year_gte: YearGte = None,
    year_lte: YearLte = None,
    q: SearchText = None,
    sort: Annotated[
        SeriesSort, Query(description="Sort order", examples=["name"])
    ] = SeriesSort.slug,
) -> Page[SeriesOut] | StreamingResponse:
    """Exercise series that have at least one edition matching every filter."""
    filters = EditionFilters(
        participant_ids=country_ids(session, participant or [], "/query/participant"),
        host_ids=country_ids(session, host or [], "/query/host"),
        threat_ids=threat_ids(session, threat or []),
        activities=kind or [],
        year_gte=year_gte,
        year_lte=year_lte,
        q=q,
    )

    def to_items(rows: Sequence[ExerciseSeries]) -> list[SeriesOut]:
        summaries = queries.summarize_series(session, [row.id for row in rows], filters)
        return [_series_out(row, summaries[row.id]) for row in rows]

    return list_response(
        request,
        response,
        page,
        lambda p: queries.list_series(session, filters, sort, p),
        to_items,
    )


_EDITION_COLUMNS = (
    "slug",
    "name",
    "year",
    "ordinal",
    "start_date",
    "start_precision",
    "end_date",
    "end_precision",
    "location",
    "latitude",
    "longitude",
    "personnel",
    "description",
    "certainty",
    "note",
)


def _edition_out(
    edition: ExerciseEdition, activities: list[ActivityKind], domains: list[Domain]
) -> EditionOut:
    participants = sorted(edition.participations, key=lambda p: (not p.is_host, p.country.name))
    return EditionOut.model_validate(
        {
            **{column: getattr(edition, column) for column in _EDITION_COLUMNS},
            "activities": activities,
            "domains": domains,
            "threats": [ThreatRef.model_validate(t) for t in edition.threats],
            "hosts": [CountryRef.model_validate(p.country) for p in participants if p.is_host],
            "participants": [Participant.model_validate(p) for p in participants],
            "sources": [CitationOut.model_validate(c) for c in edition.citations],
        }
    )


@router.get("/{slug}", response_model=SeriesDetail, responses=NOT_FOUND_RESPONSES)
def get_exercise(session: SessionDep, slug: Slug) -> SeriesDetail:
    """One exercise series with every edition, its hosts and its participants with roles."""
    series = queries.get_series(session, slug)
    summary = queries.summarize_series(session, [series.id], EditionFilters())[series.id]
    activities, domains = queries.edition_tags(session, [e.id for e in series.editions])
    return SeriesDetail(
        **_series_out(series, summary).model_dump(),
        description=series.description,
        sources=[CitationOut.model_validate(c) for c in series.citations],
        editions=[
            _edition_out(e, activities.get(e.id, []), domains.get(e.id, []))
            for e in series.editions
        ],
    )
