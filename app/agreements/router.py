from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse

from app.agreements import queries, writes
from app.agreements.details import agreement_detail
from app.agreements.models import AgreementKind
from app.agreements.schemas import (
    AgreementCreate,
    AgreementDetail,
    AgreementOut,
    AgreementUpdate,
    PartyPut,
)
from app.auth.deps import CuratorDep
from app.core.deps import SessionDep
from app.core.pagination import LIST_RESPONSES, Page, PageDep, list_response
from app.core.params import CountryCode, CountryFilter, SearchText, Slug, ThreatFilter
from app.core.problems import NOT_FOUND_RESPONSES
from app.countries.queries import country_ids
from app.curation.inputs import ThreatSlug, slug_path
from app.curation.transaction import IfMatch, write_responses, write_transaction, written
from app.threats.queries import threat_ids

router = APIRouter(prefix="/v1/agreements", tags=["agreements"])


@router.get("", response_model=Page[AgreementOut], responses=LIST_RESPONSES)
def list_agreements(
    request: Request,
    response: Response,
    session: SessionDep,
    page: PageDep,
    kind: Annotated[
        list[AgreementKind] | None,
        Query(
            max_length=5,
            description="Agreement kind; repeat for any of several",
            examples=[["defense_treaty"]],
        ),
    ] = None,
    party: CountryFilter = None,
    threat: ThreatFilter = None,
    q: SearchText = None,
) -> Page[AgreementOut] | StreamingResponse:
    """Defense treaties, technology-transfer programs, intelligence sharing and strategies."""
    parties = country_ids(session, party or [], "/query/party")
    threats = threat_ids(session, threat or [])
    return list_response(
        request,
        response,
        page,
        lambda p: queries.list_agreements(
            session, kind=kind or [], party_ids=parties, threat_ids=threats, q=q, page=p
        ),
        lambda rows: [AgreementOut.model_validate(row) for row in rows],
    )


@router.get("/{slug}", response_model=AgreementDetail, responses=NOT_FOUND_RESPONSES)
def get_agreement(session: SessionDep, slug: Slug) -> AgreementDetail:
    """One agreement with its parties (countries or organizations), threats and sources."""
    return agreement_detail(session, slug)


# --- writes (curator scope) ---------------------------------------------------------------

OrganizationSlug = Annotated[
    str, slug_path("Organization slug (GET /v1/organizations lists them)", "asean", 80)
]


def _no_store() -> Response:
    return Response(status_code=204, headers={"Cache-Control": "no-store"})


@router.post(
    "",
    status_code=201,
    response_model=AgreementDetail,
    responses=write_responses(precondition=False),
)
def create_agreement(
    request: Request, response: Response, principal: CuratorDep, body: AgreementCreate
) -> AgreementDetail:
    """Add an agreement with its parties and threats; the parties' partners reflect it at once.

    Every fact needs a source; a party without sources cites the agreement's.
    """
    with write_transaction(request, principal) as tx:
        created = writes.create_agreement(tx, body)
    path = f"{router.prefix}/{created.slug}"
    written(response, tx, request, path)
    response.headers["Location"] = path
    return created


@router.patch("/{slug}", response_model=AgreementDetail, responses=write_responses())
def update_agreement(
    request: Request,
    response: Response,
    principal: CuratorDep,
    slug: Slug,
    body: AgreementUpdate,
    if_match: IfMatch = None,
) -> AgreementDetail:
    """Change some fields of an agreement; send `If-Match` with the ETag of your GET."""
    with write_transaction(request, principal, if_match) as tx:
        updated = writes.update_agreement(tx, slug, body)
    written(response, tx, request, request.url.path)
    return updated


@router.delete("/{slug}", status_code=204, responses=write_responses())
def delete_agreement(
    request: Request, principal: CuratorDep, slug: Slug, if_match: IfMatch = None
) -> Response:
    """Delete an agreement with its parties, threat links and citations."""
    with write_transaction(request, principal, if_match) as tx:
        writes.delete_agreement(tx, slug)
    return _no_store()


@router.put(
    "/{slug}/parties/countries/{code}",
    response_model=AgreementDetail,
    responses=write_responses(),
)
def put_agreement_country_party(
    request: Request,
    response: Response,
    principal: CuratorDep,
    slug: Slug,
    code: CountryCode,
    body: PartyPut,
    if_match: IfMatch = None,
) -> AgreementDetail:
    """Set a country's part in an agreement (create or replace), with role and period.

    `If-Match` is checked against the agreement. Answers with the agreement.
    """
    with write_transaction(request, principal, if_match) as tx:
        updated = writes.put_party(tx, slug, body, country=code)
    written(response, tx, request, f"{router.prefix}/{slug}")
    return updated


@router.delete("/{slug}/parties/countries/{code}", status_code=204, responses=write_responses())
def delete_agreement_country_party(
    request: Request, principal: CuratorDep, slug: Slug, code: CountryCode, if_match: IfMatch = None
) -> Response:
    """Remove a country from an agreement's parties."""
    with write_transaction(request, principal, if_match) as tx:
        writes.delete_party(tx, slug, country=code)
    return _no_store()


@router.put(
    "/{slug}/parties/organizations/{organization}",
    response_model=AgreementDetail,
    responses=write_responses(),
)
def put_agreement_organization_party(
    request: Request,
    response: Response,
    principal: CuratorDep,
    slug: Slug,
    organization: OrganizationSlug,
    body: PartyPut,
    if_match: IfMatch = None,
) -> AgreementDetail:
    """Set an organization's part in an agreement; it stands for its members at the time."""
    with write_transaction(request, principal, if_match) as tx:
        updated = writes.put_party(tx, slug, body, organization=organization)
    written(response, tx, request, f"{router.prefix}/{slug}")
    return updated


@router.delete(
    "/{slug}/parties/organizations/{organization}",
    status_code=204,
    responses=write_responses(),
)
def delete_agreement_organization_party(
    request: Request,
    principal: CuratorDep,
    slug: Slug,
    organization: OrganizationSlug,
    if_match: IfMatch = None,
) -> Response:
    """Remove an organization from an agreement's parties."""
    with write_transaction(request, principal, if_match) as tx:
        writes.delete_party(tx, slug, organization=organization)
    return _no_store()


@router.put("/{slug}/threats/{threat}", response_model=AgreementDetail, responses=write_responses())
def link_agreement_threat(
    request: Request,
    response: Response,
    principal: CuratorDep,
    slug: Slug,
    threat: ThreatSlug,
    if_match: IfMatch = None,
) -> AgreementDetail:
    """Record that the agreement addresses a threat (idempotent)."""
    with write_transaction(request, principal, if_match) as tx:
        detail = writes.link_threat(tx, slug, threat)
    written(response, tx, request, f"{router.prefix}/{slug}")
    return detail


@router.delete("/{slug}/threats/{threat}", status_code=204, responses=write_responses())
def unlink_agreement_threat(
    request: Request,
    principal: CuratorDep,
    slug: Slug,
    threat: ThreatSlug,
    if_match: IfMatch = None,
) -> Response:
    """Remove the link between the agreement and a threat."""
    with write_transaction(request, principal, if_match) as tx:
        writes.unlink_threat(tx, slug, threat)
    return _no_store()
