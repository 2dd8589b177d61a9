"""The representations of an organization, its members and a country's memberships, as the
reads and the writes return them."""

from datetime import date

from sqlalchemy.orm import Session

from app.countries.models import Country
from app.countries.schemas import CountryDetail
from app.organizations import queries
from app.organizations.models import MembershipRole
from app.organizations.schemas import (
    CountryMembership,
    CountryMemberships,
    Member,
    OrganizationDetail,
    OrganizationMembers,
    OrganizationRef,
)


def organization_detail(session: Session, slug: str) -> OrganizationDetail:
    return OrganizationDetail.model_validate(queries.get_organization(session, slug))


def organization_members(
    session: Session, slug: str, day: date, roles: list[MembershipRole]
) -> OrganizationMembers:
    organization = queries.get_organization(session, slug)
    members = queries.members_on(session, organization.id, day, roles)
    return OrganizationMembers(
        organization=OrganizationRef.model_validate(organization),
        as_of=day,
        data=[Member.model_validate(m) for m in members],
        meta={"total": len(members)},
    )


def country_memberships(session: Session, country: Country) -> CountryMemberships:
    return CountryMemberships(
        country=CountryDetail.model_validate(country),
        data=[
            CountryMembership.model_validate(m)
            for m in queries.memberships_of_country(session, country.id)
        ],
    )
