from collections.abc import Sequence
from datetime import date
from enum import StrEnum

from sqlalchemy import ColumnElement, Select, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session, joinedload, selectinload

from app.core.pagination import PageParams, SortKey, fetch_page
from app.core.queries import one_by_slug, where_given
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
from app.sources.queries import with_sources
from app.threats.queries import addressing


class OrganizationSort(StrEnum):
    slug = "slug"
    name = "name"


def active_on(
    start: InstrumentedAttribute[date | None], end: InstrumentedAttribute[date | None], day: date
) -> ColumnElement[bool]:
    """A period (unknown start: always; end exclusive, none: ongoing) covers the day."""
    return (or_(start.is_(None), start <= day)) & (or_(end.is_(None), end > day))


def _with_evidence(statement: Select[Membership]) -> Select[Membership]:
    return statement.options(with_sources(Membership.citations))


def list_organizations(
    session: Session,
    *,
    kind: OrganizationKind | None,
    threat_ids: list[int],
    q: str | None,
    sort: OrganizationSort,
    page: PageParams,
) -> tuple[Sequence[Organization], int, str | None]:
    statement = where_given(
        select(Organization).options(selectinload(Organization.threats)),
        None if kind is None else Organization.kind == kind,
        addressing(Organization.id, organization_threats.c.organization_id, threat_ids),
        _named(q),
    )
    column = Organization.slug if sort is OrganizationSort.slug else Organization.name
    return fetch_page(session, statement, SortKey(column, Organization.id), page)


def _named(q: str | None) -> ColumnElement[bool] | None:
    """The `q` filter: in the name, the acronym or the Indonesian name, or the whole slug."""
    if not q:
        return None
    names = (Organization.name, Organization.acronym, Organization.name_id)
    return or_(*(contains_text(name, q) for name in names), Organization.slug == q.lower())


def get_organization(session: Session, slug: str) -> Organization:
    threats, sources = selectinload(Organization.threats), with_sources(Organization.citations)
    return one_by_slug(
        session, Organization, slug, "organization", "/v1/organizations", threats, sources
    )


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
