"""Curating organizations, their memberships and their threat links.

The worked example of the write framework: the resource is declared once (`Curated`, whose
skeleton in `app.curation.curated` locks, checks If-Match, cites, audits); what is left here are
its rules (a valid period, no delete while a party to agreements) and its memberships. Each
function runs inside a `Write` (`app.curation.transaction`); the change path re-derives the
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
from app.curation.curated import Curated
from app.curation.inputs import patch_values, snapshot
from app.curation.transaction import Conflict, Write
from app.organizations import queries
from app.organizations.details import organization_detail
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

ORGANIZATIONS = Curated(
    Organization, "organization", "/v1/organizations", organization_detail, TieChannel.organization
)
MEMBERSHIP = "membership"


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
    return ORGANIZATIONS.create(
        tx,
        body.slug,
        lambda: Organization(**body.model_dump(exclude={"sources"}), threats=[]),
        body.sources,
    )


def update_organization(tx: Write, slug: str, body: OrganizationUpdate) -> OrganizationDetail:
    def check(organization: Organization) -> None:
        error = period_error(
            organization.founded_date, organization.ended_date, "founded_date", "ended_date"
        )
        if error:
            raise InvalidParameter("/body/ended_date", f"Invalid request: {error}.")

    changes = patch_values(body, ("founded", "ended"), {"sources"})
    return ORGANIZATIONS.update(tx, slug, changes, body.sources, check)


def _refuse_while_a_party(tx: Write, organization: Organization) -> None:
    agreements = tx.session.scalars(
        select(Agreement.slug)
        .join(AgreementParty, AgreementParty.agreement_id == Agreement.id)
        .where(AgreementParty.organization_id == organization.id)
        .order_by(Agreement.slug)
    ).all()
    if agreements:
        raise Conflict(
            f"Organization {organization.slug!r} is a party to agreements "
            f"({', '.join(agreements)}); remove it from them first."
        )


def delete_organization(tx: Write, slug: str) -> None:
    ORGANIZATIONS.delete_unless(tx, slug, lambda row, _: _refuse_while_a_party(tx, row))


def put_membership(tx: Write, slug: str, code: str, body: MembershipPut) -> MembershipHistory:
    organization = ORGANIZATIONS.target(tx, slug)
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
    organization = ORGANIZATIONS.target(tx, slug)
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
