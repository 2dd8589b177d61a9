"""The representations of a series and of an edition, as the reads and the writes return them."""

from collections.abc import Sequence

from sqlalchemy.orm import Session

from app.countries.schemas import CountryRef
from app.exercises import queries
from app.exercises.models import (
    ActivityKind,
    Domain,
    ExerciseEdition,
    ExerciseSeries,
    Participation,
)
from app.exercises.queries import EditionFilters, SeriesSummary
from app.exercises.schemas import (
    EditionOut,
    EditionRef,
    Participant,
    ParticipationRow,
    SeriesDetail,
    SeriesOut,
    SeriesRef,
)
from app.sources.schemas import CitationOut
from app.threats.schemas import ThreatLinkOut

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
    names = {"slug": series.slug, "name": series.name, "name_id": series.name_id}
    return SeriesOut.model_validate({**names, **vars(summary)})


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


def participation_rows(
    session: Session, participations: Sequence[Participation]
) -> list[ParticipationRow]:
    """A page of participations, each with its edition's series, dates, hosts, tags, sources."""
    edition_ids = list({p.edition_id for p in participations})
    activities, domains = queries.edition_tags(session, edition_ids)
    hosts = queries.edition_hosts(session, edition_ids)
    rows = []
    for participation in participations:
        edition = participation.edition
        sources = [CitationOut.model_validate(c) for c in edition.citations]
        rows.append(
            ParticipationRow(
                edition=EditionRef.model_validate(edition),
                series=SeriesRef.model_validate(edition.series),
                year=edition.year,
                start_date=edition.start_date,
                start_precision=edition.start_precision,
                end_date=edition.end_date,
                end_precision=edition.end_precision,
                country=CountryRef.model_validate(participation.country),
                role=participation.role,
                is_host=participation.is_host,
                certainty=participation.certainty,
                hosts=[CountryRef.model_validate(c) for c in hosts.get(edition.id, [])],
                domains=domains.get(edition.id, []),
                activities=activities.get(edition.id, []),
                threats=[ThreatLinkOut.model_validate(link) for link in edition.threats],
                sources=sources,
                citations=[
                    f"{s.source_id}:{s.locator}" if s.locator else s.source_id for s in sources
                ],
            )
        )
    return rows
