from collections.abc import Sequence
from datetime import date
from enum import StrEnum

from sqlalchemy import ColumnElement, Select, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session, joinedload, selectinload

from app.core.pagination import PageParams, SortKey, fetch_page
from app.core.problems import NotFound
from app.core.search import contains_text
from app.core.slugs import slug_ids
from app.countries.models import Country
from app.organizations.models import (
    Membership,
    MembershipRole,
    Organization,
    OrganizationKind,
    organization_threats,
)
from app.sources.models import Citation


class OrganizationSort(StrEnum):
    slug = "slug"
    name = "name"


def active_on(
    start: InstrumentedAttribute[date | None], end: InstrumentedAttribute[date | None], day: date
) -> ColumnElement[bool]:
    """A period (unknown start: always; end exclusive, none: ongoing) covers the day."""
    return (or_(start.is_(None), start <= day)) & (or_(end.is_(None), end > day))


def _with_evidence(statement: Select[Membership]) -> Select[Membership]:
    return statement.options(selectinload(Membership.citations).joinedload(Citation.source))


def list_organizations(
    session: Session,
    *,
    kind: OrganizationKind | None,
    threat_ids: list[int],
    q: str | None,
    sort: OrganizationSort,
    page: PageParams,
) -> tuple[Sequence[Organization], int, str | None]:
    statement = select(Organization).options(selectinload(Organization.threats))
    if kind is not None:
        statement = statement.where(Organization.kind == kind)
    if threat_ids:
        statement = statement.where(
            Organization.id.in_(
                select(organization_threats.c.organization_id).where(
                    organization_threats.c.threat_id.in_(threat_ids)
                )
            )
        )
    if q:
        statement = statement.where(
            or_(
                contains_text(Organization.name, q),
                contains_text(Organization.acronym, q),
                contains_text(Organization.name_id, q),
                Organization.slug == q.lower(),
            )
        )
    column = Organization.slug if sort is OrganizationSort.slug else Organization.name
    return fetch_page(session, statement, SortKey(column, Organization.id), page)


def get_organization(session: Session, slug: str) -> Organization:
    statement = (
        select(Organization)
        .where(Organization.slug == slug)
        .options(
            selectinload(Organization.threats),
            selectinload(Organization.citations).joinedload(Citation.source),
        )
    )
    organization = session.scalars(statement).one_or_none()
    if organization is None:
        raise NotFound(f"No organization with slug {slug!r}; GET /v1/organizations lists them.")
    return organization


class RoleFilter(StrEnum):
    """A role to list, or every role."""

    member = "member"
    associate = "associate"
    observer = "observer"
    partner = "partner"
    suspended = "suspended"
    any = "any"


def roles_listed(asked: list[RoleFilter]) -> list[MembershipRole]:
    """Members only unless other roles are asked for: an observer is not a member (issue 15:
    ASEAN had 10 members, not 11, the day before Timor-Leste's admission). An empty list (from
    `any`) lists every role."""
    if not asked:
        return [MembershipRole.member]
    if RoleFilter.any in asked:
        return []
    return [MembershipRole(role) for role in asked]


def organization_ids(session: Session, slugs: list[str], pointer: str) -> list[int]:
    """Resolve filter slugs; an unknown one is a 422 at `pointer` that lists the known ones."""
    return slug_ids(
        session, Organization.slug, Organization.id, slugs, pointer=pointer, noun="organization"
    )


def members_on(
    session: Session, organization_id: int, day: date, roles: list[MembershipRole]
) -> Sequence[Membership]:
    statement = (
        select(Membership)
        .join(Membership.country)
        .where(
            Membership.organization_id == organization_id,
            active_on(Membership.start_date, Membership.end_date, day),
        )
        .options(joinedload(Membership.country))
        .order_by(Membership.start_date, Country.name)
    )
    if roles:
        statement = statement.where(Membership.role.in_(roles))
    return session.scalars(_with_evidence(statement)).all()


def memberships_of_country(session: Session, country_id: int) -> Sequence[Membership]:
    statement = (
        select(Membership)
        .join(Membership.organization)
        .where(Membership.country_id == country_id)
        .options(joinedload(Membership.organization))
        .order_by(Organization.slug, Membership.start_date)
    )
    return session.scalars(_with_evidence(statement)).all()


def membership_history(
    session: Session, organization_id: int, country_id: int
) -> Sequence[Membership]:
    statement = (
        select(Membership)
        .where(Membership.organization_id == organization_id, Membership.country_id == country_id)
        .order_by(Membership.start_date.is_not(None), Membership.start_date, Membership.role)
    )
    return session.scalars(_with_evidence(statement)).all()
