from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, contains_eager, joinedload, selectinload

from app.core.pagination import PageParams, SortKey, encode_cursor, fetch_page
from app.core.problems import InvalidParameter, NotFound
from app.core.search import contains_text
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
from app.sources.models import Citation
from app.threats.models import ThreatCategory


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
        statement = select(ExerciseEdition.id).join(ExerciseEdition.series)
        if self.participant_ids:
            statement = statement.where(
                ExerciseEdition.id.in_(
                    select(Participation.edition_id).where(
                        Participation.country_id.in_(self.participant_ids)
                    )
                )
            )
        if self.host_ids:
            statement = statement.where(
                ExerciseEdition.id.in_(
                    select(Participation.edition_id).where(
                        Participation.country_id.in_(self.host_ids), Participation.is_host
                    )
                )
            )
        if self.threat_ids:
            statement = statement.where(
                ExerciseEdition.id.in_(
                    select(edition_threats.c.edition_id).where(
                        edition_threats.c.threat_id.in_(self.threat_ids)
                    )
                )
            )
        if self.activities:
            statement = statement.where(
                ExerciseEdition.id.in_(
                    select(edition_activities.c.edition_id).where(
                        edition_activities.c.activity.in_(self.activities)
                    )
                )
            )
        if self.year_gte is not None:
            statement = statement.where(ExerciseEdition.year >= self.year_gte)
        if self.year_lte is not None:
            statement = statement.where(ExerciseEdition.year <= self.year_lte)
        if self.q:
            statement = statement.where(
                or_(
                    contains_text(ExerciseSeries.name, self.q),
                    contains_text(ExerciseEdition.name, self.q),
                )
            )
        return statement


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
    statement = (
        select(ExerciseSeries)
        .where(ExerciseSeries.slug == slug)
        .options(
            selectinload(ExerciseSeries.citations).joinedload(Citation.source),
            selectinload(ExerciseSeries.editions).options(
                selectinload(ExerciseEdition.threats),
                selectinload(ExerciseEdition.citations).joinedload(Citation.source),
                selectinload(ExerciseEdition.participations).options(
                    joinedload(Participation.country),
                    selectinload(Participation.citations).joinedload(Citation.source),
                ),
            ),
        )
    )
    series = session.scalars(statement).one_or_none()
    if series is None:
        raise NotFound(f"No exercise series with slug {slug!r}; GET /v1/exercises lists them.")
    return series


def edition_tags(
    session: Session, edition_ids: list[int]
) -> tuple[dict[int, list[ActivityKind]], dict[int, list[Domain]]]:
    activities: dict[int, list[ActivityKind]] = defaultdict(list)
    for edition_id, activity in session.execute(
        select(edition_activities.c.edition_id, edition_activities.c.activity)
        .where(edition_activities.c.edition_id.in_(edition_ids))
        .order_by(edition_activities.c.activity)
    ):
        activities[edition_id].append(ActivityKind(activity))
    domains: dict[int, list[Domain]] = defaultdict(list)
    for edition_id, domain in session.execute(
        select(edition_domains.c.edition_id, edition_domains.c.domain)
        .where(edition_domains.c.edition_id.in_(edition_ids))
        .order_by(edition_domains.c.domain)
    ):
        domains[edition_id].append(Domain(domain))
    return activities, domains


def get_edition(session: Session, slug: str, edition_slug: str) -> ExerciseEdition:
    statement = (
        select(ExerciseEdition)
        .join(ExerciseEdition.series)
        .where(ExerciseSeries.slug == slug, ExerciseEdition.slug == edition_slug)
        .options(
            selectinload(ExerciseEdition.threats),
            selectinload(ExerciseEdition.citations).joinedload(Citation.source),
            selectinload(ExerciseEdition.participations).options(
                joinedload(Participation.country),
                selectinload(Participation.citations).joinedload(Citation.source),
            ),
        )
    )
    edition = session.scalars(statement).one_or_none()
    if edition is None:
        raise NotFound(
            f"No edition {edition_slug!r} in exercise series {slug!r}; "
            f"GET /v1/exercises/{slug} lists its editions."
        )
    return edition


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
                selectinload(ExerciseEdition.citations).joinedload(Citation.source),
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
