from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse

from app.core.deps import SessionDep
from app.core.pagination import LIST_RESPONSES, Page, PageDep, list_response
from app.core.params import IsoDate, SearchText, Slug, ThreatFilter
from app.core.problems import NOT_FOUND_RESPONSES
from app.organizations import queries
from app.organizations.models import MembershipRole, OrganizationKind
from app.organizations.queries import OrganizationSort
from app.organizations.schemas import (
    Member,
    OrganizationDetail,
    OrganizationMembers,
    OrganizationOut,
    OrganizationRef,
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
    return OrganizationDetail.model_validate(queries.get_organization(session, slug))


@router.get("/{slug}/members", response_model=OrganizationMembers, responses=NOT_FOUND_RESPONSES)
def get_organization_members(
    session: SessionDep,
    slug: Slug,
    as_of: Annotated[
        IsoDate | None,
        Query(
            description="The day to read membership for (default: today)", examples=["2024-03-07"]
        ),
    ] = None,
    role: Annotated[
        list[MembershipRole] | None,
        Query(max_length=4, description="Only these roles (default: all)", examples=[["member"]]),
    ] = None,
) -> OrganizationMembers:
    """The organization's members on a day, each with role, period and sources."""
    organization = queries.get_organization(session, slug)
    day = as_of or date.today()
    members = queries.members_on(session, organization.id, day, role or [])
    return OrganizationMembers(
        organization=OrganizationRef.model_validate(organization),
        as_of=day,
        data=[Member.model_validate(m) for m in members],
        meta={"total": len(members)},
    )
