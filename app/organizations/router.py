from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session

from app.core.csv_export import csv_response
from app.core.deps import SessionDep
from app.core.lists import list_route
from app.core.pagination import LIST_RESPONSES, Fetch, ListFormat, wants_csv
from app.core.params import CountryCode, IsoDate, Slug, described
from app.core.problems import NOT_FOUND_RESPONSES
from app.countries.queries import get_country
from app.organizations import details, queries
from app.organizations.models import Organization
from app.organizations.params import OrganizationFilters
from app.organizations.queries import RoleFilter, roles_listed
from app.organizations.schemas import (
    CountryMemberships,
    OrganizationDetail,
    OrganizationMembers,
    OrganizationOut,
)
from app.threats.queries import threat_ids

router = APIRouter(prefix="/v1/organizations", tags=["organizations"])


@list_route(router, OrganizationOut)
def list_organizations(session: Session, filters: OrganizationFilters) -> Fetch[Organization]:
    """Alliances, regional organizations, defense forums and intelligence partnerships."""
    threats = threat_ids(session, filters.threat or [])
    return lambda page: queries.list_organizations(
        session, kind=filters.kind, threat_ids=threats, q=filters.q, sort=filters.sort, page=page
    )


@router.get("/{slug}", response_model=OrganizationDetail, responses=NOT_FOUND_RESPONSES)
def get_organization(session: SessionDep, slug: Slug) -> OrganizationDetail:
    """One organization with the threats it addresses and its sources."""
    return details.organization_detail(session, slug)


@router.get(
    "/{slug}/members",
    response_model=OrganizationMembers,
    responses={**NOT_FOUND_RESPONSES, **LIST_RESPONSES},
)
def get_organization_members(
    request: Request,
    session: SessionDep,
    slug: Slug,
    as_of: Annotated[
        IsoDate | None,
        Query(
            description="The day to read membership for (default: today)", examples=["2024-03-07"]
        ),
    ] = None,
    role: Annotated[
        list[RoleFilter] | None,
        Query(
            max_length=5,
            description="The roles to list (repeatable: `role=member&role=observer`), or `any` "
            "for every role; members only by default",
            examples=[["member", "observer"]],
        ),
    ] = None,
    format: Annotated[
        ListFormat,
        described("json, or csv: one line per member (also chosen by `Accept: text/csv`)", "csv"),
    ] = ListFormat.json,
) -> OrganizationMembers | StreamingResponse:
    """The organization's members on a day, each with role, period and sources."""
    members = details.organization_members(
        session, slug, as_of or date.today(), roles_listed(role or [])
    )
    if wants_csv(request, format):
        return csv_response([members.data], f"{slug}-members")
    return members


# A country's memberships are read from the organizations: the countries package sits below.
country_router = APIRouter(prefix="/v1/countries", tags=["countries"])


@country_router.get(
    "/{code}/memberships", response_model=CountryMemberships, responses=NOT_FOUND_RESPONSES
)
def get_country_memberships(session: SessionDep, code: CountryCode) -> CountryMemberships:
    """Every organization the country belongs or belonged to, with role and period."""
    return details.country_memberships(session, get_country(session, code))
