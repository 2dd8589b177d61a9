from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session, selectinload

from app.core.pagination import PageParams, SortKey, fetch_page
from app.core.problems import NotFound
from app.core.queries import linked
from app.core.slugs import slug_ids
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
