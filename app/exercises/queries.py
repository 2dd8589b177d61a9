from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, contains_eager, joinedload, selectinload

from app.core.pagination import PageParams, SortKey, encode_cursor, fetch_page
from app.core.problems import InvalidParameter
from app.core.queries import linked, one_by_slug, one_or_404, text_in, where_given
from app.countries.models import Country
from app.exercises.models import (
    ActivityKind,
    Domain,
    ExerciseEdition,
    ExerciseSeries,
    ParticipantRole,
    Participation,
    edition_activities,
    edition_domains,
    edition_threats,
)
from app.sources.queries import with_sources
from app.threats.models import ThreatCategory
from app.threats.queries import addressing


class SeriesSort(StrEnum):
    slug = "slug"
    name = "name"


@dataclass
class EditionFilters:
    participant_ids: list[int] = field(default_factory=list)
    host_ids: list[int] = field(default_factory=list)
    threat_ids: list[int] = field(default_factory=list)
    activities: list[ActivityKind] = field(default_factory=list)
    year_gte: int | None = None
    year_lte: int | None = None
    q: str | None = None

    def editions(self) -> Select[Any]:
        edition, participant = ExerciseEdition.id, Participation.edition_id
        participants = Participation.country_id.in_(self.participant_ids)
        hosts = (Participation.country_id.in_(self.host_ids), Participation.is_host)
        activity = edition_activities.c.edition_id
        activities = edition_activities.c.activity.in_(self.activities)
        return where_given(
            select(ExerciseEdition.id).join(ExerciseEdition.series),
            linked(edition, participant, participants) if self.participant_ids else None,
            linked(edition, participant, *hosts) if self.host_ids else None,
            addressing(edition, edition_threats.c.edition_id, self.threat_ids),
            linked(edition, activity, activities) if self.activities else None,
            None if self.year_gte is None else ExerciseEdition.year >= self.year_gte,
            None if self.year_lte is None else ExerciseEdition.year <= self.year_lte,
            text_in(self.q, ExerciseSeries.name, ExerciseEdition.name),
        )


@dataclass
class SeriesSummary:
    edition_count: int
    first_year: int
    last_year: int
    activities: list[ActivityKind]
    threats: list[ThreatCategory]


def list_series(
    session: Session, filters: EditionFilters, sort: SeriesSort, page: PageParams
) -> tuple[Sequence[ExerciseSeries], int, str | None]:
    matching = filters.editions().subquery()
    statement = select(ExerciseSeries).where(
        ExerciseSeries.id.in_(
            select(ExerciseEdition.series_id).where(ExerciseEdition.id.in_(select(matching.c.id)))
        )
    )
    column = ExerciseSeries.slug if sort is SeriesSort.slug else ExerciseSeries.name
    return fetch_page(session, statement, SortKey(column, ExerciseSeries.id), page)


def summarize_series(
    session: Session, series_ids: list[int], filters: EditionFilters
) -> dict[int, SeriesSummary]:
    """Counts, years, activities and threats of each series' matching editions."""
    matching = select(filters.editions().subquery().c.id)
    in_scope = (ExerciseEdition.series_id.in_(series_ids), ExerciseEdition.id.in_(matching))
    summaries = {
        series_id: SeriesSummary(count, first, last, [], [])
        for series_id, count, first, last in session.execute(
            select(
                ExerciseEdition.series_id,
                func.count(),
                func.min(ExerciseEdition.year),
                func.max(ExerciseEdition.year),
            )
            .where(*in_scope)
            .group_by(ExerciseEdition.series_id)
        )
    }
    activity_rows = session.execute(
        select(ExerciseEdition.series_id, edition_activities.c.activity)
        .join(edition_activities)
        .where(*in_scope)
        .distinct()
        .order_by(edition_activities.c.activity)
    )
    for series_id, activity in activity_rows:
        summaries[series_id].activities.append(ActivityKind(activity))
    threat_rows = session.execute(
        select(ExerciseEdition.series_id, ThreatCategory)
        .join(edition_threats, edition_threats.c.edition_id == ExerciseEdition.id)
        .join(ThreatCategory, ThreatCategory.id == edition_threats.c.threat_id)
        .where(*in_scope)
        .distinct()
        .order_by(ThreatCategory.slug)
    )
    for series_id, threat in threat_rows:
        summaries[series_id].threats.append(threat)
    return summaries


def get_series(session: Session, slug: str) -> ExerciseSeries:
    participations = selectinload(ExerciseEdition.participations).options(
        joinedload(Participation.country), with_sources(Participation.citations)
    )
    editions = selectinload(ExerciseSeries.editions).options(
        selectinload(ExerciseEdition.threats),
        with_sources(ExerciseEdition.citations),
        participations,
    )
    sources = with_sources(ExerciseSeries.citations)
    noun = "exercise series"
    return one_by_slug(session, ExerciseSeries, slug, noun, "/v1/exercises", sources, editions)


def edition_tags(
    session: Session, edition_ids: list[int]
) -> tuple[dict[int, list[ActivityKind]], dict[int, list[Domain]]]:
    activities = _tags(session, edition_activities.c.activity, edition_ids, ActivityKind)
    return activities, _tags(session, edition_domains.c.domain, edition_ids, Domain)


Tag = TypeVar("Tag", bound=StrEnum)


def _tags(
    session: Session, tag: Any, edition_ids: list[int], kind: type[Tag]
) -> dict[int, list[Tag]]:
    """The tags of one kind (`tag`: the activities' or the domains' column) of each edition."""
    edition = tag.table.c.edition_id
    found: dict[int, list[Tag]] = defaultdict(list)
    rows = select(edition, tag).where(edition.in_(edition_ids)).order_by(tag)
    for edition_id, value in session.execute(rows):
        found[edition_id].append(kind(value))
    return found


def get_edition(session: Session, slug: str, edition_slug: str) -> ExerciseEdition:
    statement = (
        select(ExerciseEdition)
        .join(ExerciseEdition.series)
        .where(ExerciseSeries.slug == slug, ExerciseEdition.slug == edition_slug)
        .options(
            selectinload(ExerciseEdition.threats),
            with_sources(ExerciseEdition.citations),
            selectinload(ExerciseEdition.participations).options(
                joinedload(Participation.country),
                with_sources(Participation.citations),
            ),
        )
    )
    missing = (
        f"No edition {edition_slug!r} in exercise series {slug!r}; "
        f"GET /v1/exercises/{slug} lists its editions."
    )
    return one_or_404(session, statement, missing)


# --- the participation table: one row per edition and country ------------------------------


@dataclass
class ParticipationFilters:
    country_ids: list[int] = field(default_factory=list)
    series_ids: list[int] = field(default_factory=list)
    roles: list[ParticipantRole] = field(default_factory=list)
    year_gte: int | None = None
    year_lte: int | None = None


def series_ids(session: Session, slugs: list[str], pointer: str) -> list[int]:
    """Resolve series slugs; an unknown one is a 422 (an empty table would hide the typo)."""
    known = dict(
        session.execute(
            select(ExerciseSeries.slug, ExerciseSeries.id).where(ExerciseSeries.slug.in_(slugs))
        ).all()
    )
    if unknown := [slug for slug in slugs if slug not in known]:
        raise InvalidParameter(
            pointer, f"Unknown exercise series {unknown[0]!r}; GET /v1/exercises lists them."
        )
    return [known[slug] for slug in slugs]


class _ByEditionYear(SortKey):
    """The edition's year, then the participation's id: the year is read through the row's
    edition, loaded with it, since a participation has no year of its own."""

    def __init__(self) -> None:
        super().__init__(ExerciseEdition.year, Participation.id)

    def cursor_for(self, row: Any) -> str:
        return encode_cursor([row.edition.year, row.id])


def list_participations(
    session: Session, filters: ParticipationFilters, page: PageParams
) -> tuple[Sequence[Participation], int, str | None]:
    statement = (
        select(Participation)
        .join(Participation.edition)
        .options(
            joinedload(Participation.country),
            contains_eager(Participation.edition).options(
                joinedload(ExerciseEdition.series),
                selectinload(ExerciseEdition.threats),
                with_sources(ExerciseEdition.citations),
            ),
        )
    )
    if filters.country_ids:
        statement = statement.where(Participation.country_id.in_(filters.country_ids))
    if filters.series_ids:
        statement = statement.where(ExerciseEdition.series_id.in_(filters.series_ids))
    if filters.roles:
        statement = statement.where(Participation.role.in_(filters.roles))
    if filters.year_gte is not None:
        statement = statement.where(ExerciseEdition.year >= filters.year_gte)
    if filters.year_lte is not None:
        statement = statement.where(ExerciseEdition.year <= filters.year_lte)
    return fetch_page(session, statement, _ByEditionYear(), page)


def edition_hosts(session: Session, edition_ids: list[int]) -> dict[int, list[Country]]:
    hosts: dict[int, list[Country]] = defaultdict(list)
    for edition_id, country in session.execute(
        select(Participation.edition_id, Country)
        .join(Country, Country.id == Participation.country_id)
        .where(Participation.edition_id.in_(edition_ids), Participation.is_host)
        .order_by(Country.name)
    ):
        hosts[edition_id].append(country)
    return hosts
