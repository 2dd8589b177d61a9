from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse

from app.core.csv_export import csv_response
from app.core.deps import SessionDep
from app.core.pagination import LIST_RESPONSES, ListFormat, Page, PageDep, list_response
from app.core.params import CountryCode, IsoDate, SearchText, Slug, ThreatFilter
from app.core.problems import NOT_FOUND_RESPONSES
from app.countries.queries import get_country
from app.organizations import details, queries
from app.organizations.models import OrganizationKind
from app.organizations.queries import OrganizationSort, RoleFilter, roles_listed
from app.organizations.schemas import (
    CountryMemberships,
    OrganizationDetail,
    OrganizationMembers,
    OrganizationOut,
)
from app.threats.queries import threat_ids

router = APIRouter(prefix="/v1/organizations", tags=["organizations"])


@router.get("", response_model=Page[OrganizationOut], responses=LIST_RESPONSES)
def list_organizations(
    request: Request,
    response: Response,
    session: SessionDep,
    page: PageDep,
    kind: Annotated[
        OrganizationKind | None, Query(description="Only this kind", examples=["alliance"])
    ] = None,
    threat: ThreatFilter = None,
    q: SearchText = None,
    sort: Annotated[
        OrganizationSort, Query(description="Sort order", examples=["name"])
    ] = OrganizationSort.slug,
) -> Page[OrganizationOut] | StreamingResponse:
    """Alliances, regional organizations, defense forums and intelligence partnerships."""
    threats = threat_ids(session, threat or [])
    return list_response(
        request,
        response,
        page,
        lambda p: queries.list_organizations(
            session, kind=kind, threat_ids=threats, q=q, sort=sort, page=p
        ),
        lambda rows: [OrganizationOut.model_validate(row) for row in rows],
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
        Query(
            description="json, or csv: one line per member (also chosen by `Accept: text/csv`)",
            examples=["csv"],
        ),
    ] = ListFormat.json,
) -> OrganizationMembers | StreamingResponse:
    """The organization's members on a day, each with role, period and sources."""
    members = details.organization_members(
        session, slug, as_of or date.today(), roles_listed(role or [])
    )
    if format is ListFormat.csv or "text/csv" in request.headers.get("accept", ""):
        return csv_response(lambda: [members.data], f"{slug}-members")
    return members


# A country's memberships are read from the organizations: the countries package sits below.
country_router = APIRouter(prefix="/v1/countries", tags=["countries"])


@country_router.get(
    "/{code}/memberships", response_model=CountryMemberships, responses=NOT_FOUND_RESPONSES
)
def get_country_memberships(session: SessionDep, code: CountryCode) -> CountryMemberships:
    """Every organization the country belongs or belonged to, with role and period."""
    return details.country_memberships(session, get_country(session, code))
