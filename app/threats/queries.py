from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Table, select
from sqlalchemy.orm import Session, selectinload

from app.agreements.models import Agreement, agreement_threats
from app.core.pagination import PageParams, SortKey, fetch_page
from app.core.problems import NotFound
from app.core.queries import linked
from app.core.slugs import slug_ids
from app.exercises.models import ExerciseEdition, ExerciseSeries, edition_threats
from app.operations.models import Operation, operation_threats
from app.organizations.models import Organization, organization_threats
from app.sources.models import Source
from app.sources.queries import with_sources
from app.threats.models import ThreatCategory, ThreatResponse, response_threats


def threat_ids(session: Session, slugs: list[str], pointer: str = "/query/threat") -> list[int]:
    """Resolve filter slugs; an unknown one is a 422 that lists the known ones."""
    return slug_ids(
        session,
        ThreatCategory.slug,
        ThreatCategory.id,
        slugs,
        pointer=pointer,
        noun="threat category",
    )


def threat_slugs(session: Session) -> list[str]:
    """Every threat category's slug, in slug order."""
    return list(session.scalars(select(ThreatCategory.slug).order_by(ThreatCategory.slug)))


def addressing(initiative: Any, link: Any, threat_ids: list[int]) -> ColumnElement[bool] | None:
    """The `threat` filter of a list of initiatives: `link` (a threat-link table's column of
    the initiative) ties `initiative` to one of the threats (None: no threat asked for)."""
    if not threat_ids:
        return None
    return linked(initiative, link, link.table.c.threat_id.in_(threat_ids))


def list_threats(
    session: Session, page: PageParams
) -> tuple[Sequence[ThreatCategory], int, str | None]:
    statement = select(ThreatCategory)
    return fetch_page(session, statement, SortKey(ThreatCategory.slug, ThreatCategory.id), page)


def get_threat(session: Session, slug: str) -> ThreatCategory:
    statement = (
        select(ThreatCategory)
        .where(ThreatCategory.slug == slug)
        .options(with_sources(ThreatCategory.citations))
    )
    threat = session.scalars(statement).one_or_none()
    if threat is None:
        known = ", ".join(session.scalars(select(ThreatCategory.slug).order_by("slug")))
        raise NotFound(f"No threat category {slug!r}; known: {known}.")
    return threat


def responses_to(session: Session, threat_id: int) -> Sequence[ThreatResponse]:
    statement = (
        select(ThreatResponse)
        .join(response_threats)
        .where(response_threats.c.threat_id == threat_id)
        .order_by(ThreatResponse.slug)
        .options(
            selectinload(ThreatResponse.threats),
            with_sources(ThreatResponse.citations),
        )
    )
    return session.scalars(statement).all()


@dataclass
class Linked:
    """An initiative linked to a threat: its slug and name, the link's period and source,
    and, for an exercise edition, its year."""

    slug: str
    name: str
    link: Any  # a row with the link's start and end (with precisions) and locator
    source: Source | None
    year: int | None = None


def _link_columns(table: Table) -> list[Any]:
    return [
        table.c.start_date,
        table.c.start_precision,
        table.c.end_date,
        table.c.end_precision,
        table.c.locator,
        Source,
    ]


def initiatives_addressing(session: Session, threat_id: int) -> dict[str, list[Linked]]:
    """The initiatives linked to the threat, per kind of initiative, by slug, each with the
    link's period and source; for exercises, each linked edition (with its year) under its
    series' slug and name."""

    def linked(model: Any, table: Table, owner: str) -> list[Linked]:
        rows = session.execute(
            select(model.slug, model.name, *_link_columns(table))
            .join(table, table.c[owner] == model.id)
            .outerjoin(Source, Source.id == table.c.source_id)
            .where(table.c.threat_id == threat_id)
            .order_by(model.slug)
        )
        return [Linked(row[0], row[1], row, row.Source) for row in rows]

    editions = session.execute(
        select(ExerciseSeries.slug, ExerciseSeries.name, *_link_columns(edition_threats))
        .add_columns(ExerciseEdition.year)
        .join(ExerciseEdition, ExerciseEdition.series_id == ExerciseSeries.id)
        .join(edition_threats, edition_threats.c.edition_id == ExerciseEdition.id)
        .outerjoin(Source, Source.id == edition_threats.c.source_id)
        .where(edition_threats.c.threat_id == threat_id)
        .order_by(ExerciseSeries.slug, ExerciseEdition.year)
    )
    return {
        "organizations": linked(Organization, organization_threats, "organization_id"),
        "exercises": [Linked(row[0], row[1], row, row.Source, row.year) for row in editions],
        "agreements": linked(Agreement, agreement_threats, "agreement_id"),
        "operations": linked(Operation, operation_threats, "operation_id"),
    }
