from collections.abc import Sequence

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from app.agreements.models import Agreement, agreement_threats
from app.core.pagination import PageParams, SortKey, fetch_page
from app.core.problems import InvalidParameter, NotFound
from app.exercises.models import ExerciseEdition, ExerciseSeries, edition_threats
from app.operations.models import Operation, operation_threats
from app.organizations.models import Organization, organization_threats
from app.sources.models import Citation
from app.threats.models import ThreatCategory, ThreatResponse, response_threats


def threat_ids(session: Session, slugs: list[str], pointer: str = "/query/threat") -> list[int]:
    """Resolve filter slugs; an unknown one is a 422 that lists the known ones."""
    known = dict(session.execute(select(ThreatCategory.slug, ThreatCategory.id)).all())
    unknown = [slug for slug in slugs if slug not in known]
    if unknown:
        raise InvalidParameter(
            pointer,
            f"Unknown threat category {unknown[0]!r}; known: {', '.join(sorted(known))}.",
        )
    return [known[slug] for slug in slugs]


def list_threats(
    session: Session, page: PageParams
) -> tuple[Sequence[ThreatCategory], int, str | None]:
    statement = select(ThreatCategory)
    return fetch_page(session, statement, SortKey(ThreatCategory.slug, ThreatCategory.id), page)


def get_threat(session: Session, slug: str) -> ThreatCategory:
    statement = (
        select(ThreatCategory)
        .where(ThreatCategory.slug == slug)
        .options(selectinload(ThreatCategory.citations).joinedload(Citation.source))
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
            selectinload(ThreatResponse.citations).joinedload(Citation.source),
        )
    )
    return session.scalars(statement).all()


def initiatives_addressing(session: Session, threat_id: int) -> dict[str, list[tuple[str, str]]]:
    """(slug, name) of the initiatives linked to the threat, per kind of initiative."""

    def refs(statement: Select[str, str]) -> list[tuple[str, str]]:
        return [(slug, name) for slug, name in session.execute(statement)]

    return {
        "organizations": refs(
            select(Organization.slug, Organization.name)
            .join(organization_threats)
            .where(organization_threats.c.threat_id == threat_id)
            .order_by(Organization.slug)
        ),
        "exercises": refs(
            select(ExerciseSeries.slug, ExerciseSeries.name)
            .where(
                ExerciseSeries.id.in_(
                    select(ExerciseEdition.series_id)
                    .join(edition_threats)
                    .where(edition_threats.c.threat_id == threat_id)
                )
            )
            .order_by(ExerciseSeries.slug)
        ),
        "agreements": refs(
            select(Agreement.slug, Agreement.name)
            .join(agreement_threats)
            .where(agreement_threats.c.threat_id == threat_id)
            .order_by(Agreement.slug)
        ),
        "operations": refs(
            select(Operation.slug, Operation.name)
            .join(operation_threats)
            .where(operation_threats.c.threat_id == threat_id)
            .order_by(Operation.slug)
        ),
    }
