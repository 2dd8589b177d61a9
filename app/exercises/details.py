"""The representations of a series and of an edition, as the reads and the writes return them."""

from sqlalchemy.orm import Session

from app.countries.schemas import CountryRef
from app.exercises import queries
from app.exercises.models import ActivityKind, Domain, ExerciseEdition, ExerciseSeries
from app.exercises.queries import EditionFilters, SeriesSummary
from app.exercises.schemas import EditionOut, Participant, SeriesDetail, SeriesOut
from app.sources.schemas import CitationOut
from app.threats.schemas import ThreatRef

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


def series_out(series: ExerciseSeries, summary: SeriesSummary) -> SeriesOut:
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


def edition_out(
    edition: ExerciseEdition, activities: list[ActivityKind], domains: list[Domain]
) -> EditionOut:
    participants = sorted(edition.participations, key=lambda p: (not p.is_host, p.country.name))
    return EditionOut.model_validate(
        {
            **{column: getattr(edition, column) for column in _EDITION_COLUMNS},
            "activities": activities,
            "domains": domains,
            "threats": edition.threats,
            "hosts": [CountryRef.model_validate(p.country) for p in participants if p.is_host],
            "participants": [Participant.model_validate(p) for p in participants],
            "sources": [CitationOut.model_validate(c) for c in edition.citations],
        }
    )


def series_detail(session: Session, slug: str) -> SeriesDetail:
    series = queries.get_series(session, slug)
    summary = queries.summarize_series(session, [series.id], EditionFilters())[series.id]
    activities, domains = queries.edition_tags(session, [e.id for e in series.editions])
    return SeriesDetail(
        **series_out(series, summary).model_dump(),
        description=series.description,
        sources=[CitationOut.model_validate(c) for c in series.citations],
        editions=[
            edition_out(e, activities.get(e.id, []), domains.get(e.id, [])) for e in series.editions
        ],
    )


def edition_detail(session: Session, slug: str, edition_slug: str) -> EditionOut:
    edition = queries.get_edition(session, slug, edition_slug)
    activities, domains = queries.edition_tags(session, [edition.id])
    return edition_out(edition, activities.get(edition.id, []), domains.get(edition.id, []))
