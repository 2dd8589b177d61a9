from collections.abc import Sequence

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from app.alliances.models import Alliance, AllianceMember, AllianceTarget, Obligation
from app.core.pagination import PageParams, SortKey, fetch_page
from app.core.periods import Span
from app.core.problems import NotFound
from app.core.search import contains_text
from app.sources.models import Source


def holds_obligation(obligations: Sequence[Obligation]) -> ColumnElement[bool]:
    """A member row that promises any of these."""
    return or_(*(getattr(AllianceMember, obligation.value).is_(True) for obligation in obligations))


def list_alliances(
    session: Session,
    *,
    member_ids: list[int],
    obligations: list[Obligation],
    target_ids: list[int],
    window: Span,
    q: str | None,
    page: PageParams,
) -> tuple[Sequence[Alliance], int, str | None]:
    statement = select(Alliance).options(
        selectinload(Alliance.members),
        selectinload(Alliance.targets).joinedload(AllianceTarget.country),
        joinedload(Alliance.agreement),
        joinedload(Alliance.created_organization),
    )
    members = select(AllianceMember.alliance_id)
    if member_ids:
        members = members.where(AllianceMember.country_id.in_(member_ids))
    if obligations:
        members = members.where(holds_obligation(obligations))
    period = window.met_by(AllianceMember.start_date, AllianceMember.end_date)
    members = members.where(*period)
    if member_ids or obligations or period:
        statement = statement.where(Alliance.id.in_(members))
    if target_ids:
        statement = statement.where(
            Alliance.id.in_(
                select(AllianceTarget.alliance_id).where(AllianceTarget.country_id.in_(target_ids))
            )
        )
    if q:
        statement = statement.where(contains_text(Alliance.name, q))
    return fetch_page(session, statement, SortKey(Alliance.atop_id, Alliance.id), page)


def get_alliance(session: Session, slug: str) -> Alliance:
    alliance = session.scalars(
        select(Alliance)
        .where(Alliance.slug == slug)
        .options(
            selectinload(Alliance.members).joinedload(AllianceMember.country),
            selectinload(Alliance.targets).joinedload(AllianceTarget.country),
            joinedload(Alliance.agreement),
            joinedload(Alliance.created_organization),
        )
    ).one_or_none()
    if alliance is None:
        raise NotFound(f"No alliance with slug {slug!r}; GET /v1/alliances lists them.")
    return alliance


def dataset_source(session: Session, source_id: str) -> Source | None:
    return session.get(Source, source_id)
