"""Curating organizations, their memberships and their threat links.

The worked example of the write framework (`app.curation.transaction`): each function runs inside a
`Write`, locks what it changes and records the audit entries; the change path re-derives the
ties of the organization and of the agreements it is a party to.
"""

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.agreements.models import Agreement, AgreementParty
from app.audit.models import AuditOperation
from app.cooperation.models import TieChannel
from app.core.inputs import period_error
from app.core.problems import InvalidParameter, ProblemError
from app.countries.models import Country
from app.countries.queries import named_country
from app.countries.schemas import CountryRef
from app.curation.inputs import patch_values, snapshot
from app.curation.transaction import Conflict, ThreatLinks, Write
from app.organizations import queries
from app.organizations.models import Membership, Organization
from app.organizations.schemas import (
    MembershipHistory,
    MembershipPeriod,
    MembershipPut,
    OrganizationCreate,
    OrganizationDetail,
    OrganizationRef,
    OrganizationUpdate,
)
from app.sources.queries import cite

ORGANIZATION = "organization"
MEMBERSHIP = "membership"


def _missing(slug: str) -> str:
    return f"No organization with slug {slug!r}; GET /v1/organizations lists them."


def _target(tx: Write, slug: str) -> Organization:
    return tx.target(select(Organization).where(Organization.slug == slug), _missing(slug))


def organization_detail(session: Session, slug: str) -> OrganizationDetail:
    return OrganizationDetail.model_validate(queries.get_organization(session, slug))


def membership_history(
    session: Session, organization: Organization, country: Country
) -> MembershipHistory:
    rows = queries.membership_history(session, organization.id, country.id)
    return MembershipHistory(
        organization=OrganizationRef.model_validate(organization),
        country=CountryRef.model_validate(country),
        data=[MembershipPeriod.model_validate(row) for row in rows],
    )


def create_organization(tx: Write, body: OrganizationCreate) -> OrganizationDetail:
    if tx.session.scalar(select(Organization.id).where(Organization.slug == body.slug)):
        raise Conflict(f"An organization with slug {body.slug!r} already exists.")
    fields = body.model_dump(exclude={"sources"})
    organization = Organization(**fields, modified_in_version=tx.version)
    organization.citations = cite(tx.session, body.sources, "/body/sources")
    organization.threats = []
    tx.session.add(organization)
    tx.reload()
    after = organization_detail(tx.session, body.slug)
    tx.audit(ORGANIZATION, body.slug, AuditOperation.create, None, snapshot(after))
    return after


def update_organization(tx: Write, slug: str, body: OrganizationUpdate) -> OrganizationDetail:
    organization = _target(tx, slug)
    before = organization_detail(tx.session, slug)
    for name, value in patch_values(body, ("founded", "ended"), {"sources"}).items():
        setattr(organization, name, value)
    error = period_error(
        organization.founded_date, organization.ended_date, "founded_date", "ended_date"
    )
    if error:
        raise InvalidParameter("/body/ended_date", f"Invalid request: {error}.")
    if body.sources is not None:
        organization.citations = cite(tx.session, body.sources, "/body/sources")
    tx.reload()
    after = organization_detail(tx.session, slug)
    tx.audit(ORGANIZATION, slug, AuditOperation.update, snapshot(before), snapshot(after))
    return after


def delete_organization(tx: Write, slug: str) -> None:
    organization = _target(tx, slug)
    before = organization_detail(tx.session, slug)
    agreements = tx.session.scalars(
        select(Agreement.slug)
        .join(AgreementParty, AgreementParty.agreement_id == Agreement.id)
        .where(AgreementParty.organization_id == organization.id)
        .order_by(Agreement.slug)
    ).all()
    if agreements:
        raise Conflict(
            f"Organization {slug!r} is a party to agreements ({', '.join(agreements)}); "
            "remove it from them first."
        )
    tx.session.execute(delete(Organization).where(Organization.id == organization.id))
    tx.audit(ORGANIZATION, slug, AuditOperation.delete, snapshot(before), None)


def put_membership(tx: Write, slug: str, code: str, body: MembershipPut) -> MembershipHistory:
    organization = _target(tx, slug)
    country = named_country(tx.session, code, "/path/code")
    before = membership_history(tx.session, organization, country)
    tx.session.execute(
        delete(Membership).where(
            Membership.organization_id == organization.id, Membership.country_id == country.id
        )
    )
    for index, period in enumerate(body.periods):
        membership = Membership(
            organization_id=organization.id,
            country_id=country.id,
            **period.model_dump(exclude={"sources"}),
        )
        membership.citations = cite(tx.session, period.sources, f"/body/periods/{index}/sources")
        tx.session.add(membership)
    tx.reload()
    after = membership_history(tx.session, organization, country)
    operation = AuditOperation.update if before.data else AuditOperation.create
    entity_id = f"{slug}/{country.iso3}"
    tx.audit(
        MEMBERSHIP, entity_id, operation, snapshot(before) if before.data else None, snapshot(after)
    )
    return after


def delete_membership(tx: Write, slug: str, code: str) -> None:
    organization = _target(tx, slug)
    country = named_country(tx.session, code, "/path/code")
    before = membership_history(tx.session, organization, country)
    if not before.data:
        raise ProblemError(404, f"{country.name} has no membership in {slug!r} to delete.")
    tx.session.execute(
        delete(Membership).where(
            Membership.organization_id == organization.id, Membership.country_id == country.id
        )
    )
    tx.audit(MEMBERSHIP, f"{slug}/{country.iso3}", AuditOperation.delete, snapshot(before), None)


_THREATS = ThreatLinks(TieChannel.organization)


def link_threat(tx: Write, slug: str, threat: str) -> OrganizationDetail:
    organization = _target(tx, slug)
    _THREATS.link(tx, organization.id, slug, threat)
    return organization_detail(tx.session, slug)


def unlink_threat(tx: Write, slug: str, threat: str) -> None:
    organization = _target(tx, slug)
    _THREATS.unlink(tx, organization.id, slug, threat)
