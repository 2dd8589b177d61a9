from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import StreamingResponse

from app.auth.deps import CuratorDep
from app.core.deps import SessionDep
from app.core.pagination import LIST_RESPONSES, Page, PageDep, list_response
from app.core.params import CountryCode, IsoDate, SearchText, Slug, ThreatFilter
from app.core.problems import NOT_FOUND_RESPONSES
from app.countries.queries import get_country
from app.curation.transaction import IfMatch, write_responses, write_transaction, written
from app.organizations import details, queries, writes
from app.organizations.models import MembershipRole, OrganizationKind
from app.organizations.queries import OrganizationSort
from app.organizations.schemas import (
    CountryMemberships,
    MembershipHistory,
    MembershipPut,
    OrganizationCreate,
    OrganizationDetail,
    OrganizationMembers,
    OrganizationOut,
    OrganizationUpdate,
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
    return details.organization_members(session, slug, as_of or date.today(), role or [])


# A country's memberships are read from the organizations: the countries package sits below.
country_router = APIRouter(prefix="/v1/countries", tags=["countries"])


@country_router.get(
    "/{code}/memberships", response_model=CountryMemberships, responses=NOT_FOUND_RESPONSES
)
def get_country_memberships(session: SessionDep, code: CountryCode) -> CountryMemberships:
    """Every organization the country belongs or belonged to, with role and period."""
    return details.country_memberships(session, get_country(session, code))


# --- writes (curator scope) ---------------------------------------------------------------

ThreatSlug = Annotated[
    str,
    Path(
        min_length=1,
        max_length=80,
        pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
        description="Threat category slug (GET /v1/threat-categories lists them)",
        examples=["terrorism"],
    ),
]


@router.post(
    "",
    status_code=201,
    response_model=OrganizationDetail,
    responses=write_responses(precondition=False),
)
def create_organization(
    request: Request, response: Response, principal: CuratorDep, body: OrganizationCreate
) -> OrganizationDetail:
    """Add an organization, with at least one source; answers with it as GET returns it."""
    with write_transaction(request, principal) as tx:
        created = writes.create_organization(tx, body)
    path = f"{router.prefix}/{created.slug}"
    written(response, tx, request, path)
    response.headers["Location"] = path
    return created


@router.patch("/{slug}", response_model=OrganizationDetail, responses=write_responses())
def update_organization(
    request: Request,
    response: Response,
    principal: CuratorDep,
    slug: Slug,
    body: OrganizationUpdate,
    if_match: IfMatch = None,
) -> OrganizationDetail:
    """Change some fields of an organization; send `If-Match` with the ETag of your GET."""
    with write_transaction(request, principal, if_match) as tx:
        updated = writes.update_organization(tx, slug, body)
    written(response, tx, request, request.url.path)
    return updated


@router.delete("/{slug}", status_code=204, responses=write_responses())
def delete_organization(
    request: Request, principal: CuratorDep, slug: Slug, if_match: IfMatch = None
) -> Response:
    """Delete an organization with its memberships, threat links and citations."""
    with write_transaction(request, principal, if_match) as tx:
        writes.delete_organization(tx, slug)
    return Response(status_code=204, headers={"Cache-Control": "no-store"})


@router.put("/{slug}/members/{code}", response_model=MembershipHistory, responses=write_responses())
def put_organization_member(
    request: Request,
    response: Response,
    principal: CuratorDep,
    slug: Slug,
    code: CountryCode,
    body: MembershipPut,
    if_match: IfMatch = None,
) -> MembershipHistory:
    """Set every membership period of a country in an organization (create or replace).

    `If-Match` is checked against the organization, and the answer carries the
    organization's new ETag: any write to it or its members makes an older tag stale.
    The country's partners reflect the change at once.
    """
    with write_transaction(request, principal, if_match) as tx:
        history = writes.put_membership(tx, slug, code, body)
    written(response, tx, request, f"{router.prefix}/{slug}")
    return history


@router.delete("/{slug}/members/{code}", status_code=204, responses=write_responses())
def delete_organization_member(
    request: Request, principal: CuratorDep, slug: Slug, code: CountryCode, if_match: IfMatch = None
) -> Response:
    """Delete every membership period of a country in an organization."""
    with write_transaction(request, principal, if_match) as tx:
        writes.delete_membership(tx, slug, code)
    return Response(status_code=204, headers={"Cache-Control": "no-store"})


@router.put(
    "/{slug}/threats/{threat}", response_model=OrganizationDetail, responses=write_responses()
)
def link_organization_threat(
    request: Request,
    response: Response,
    principal: CuratorDep,
    slug: Slug,
    threat: ThreatSlug,
    if_match: IfMatch = None,
) -> OrganizationDetail:
    """Record that the organization addresses a threat (idempotent)."""
    with write_transaction(request, principal, if_match) as tx:
        detail = writes.link_threat(tx, slug, threat)
    written(response, tx, request, f"{router.prefix}/{slug}")
    return detail


@router.delete("/{slug}/threats/{threat}", status_code=204, responses=write_responses())
def unlink_organization_threat(
    request: Request,
    principal: CuratorDep,
    slug: Slug,
    threat: ThreatSlug,
    if_match: IfMatch = None,
) -> Response:
    """Remove the link between the organization and a threat."""
    with write_transaction(request, principal, if_match) as tx:
        writes.unlink_threat(tx, slug, threat)
    return Response(status_code=204, headers={"Cache-Control": "no-store"})
