from fastapi import APIRouter, Request, Response
from fastapi.responses import StreamingResponse

from app.auth.deps import CuratorDep
from app.core.deps import SessionDep
from app.core.pagination import LIST_RESPONSES, Page, PageDep, list_response
from app.core.params import Slug
from app.core.problems import NOT_FOUND_RESPONSES
from app.curation.transaction import IfMatch, write_responses, write_transaction, written
from app.threats import queries, writes
from app.threats.details import threat_detail
from app.threats.schemas import ThreatCreate, ThreatDetail, ThreatOut, ThreatUpdate

router = APIRouter(prefix="/v1/threat-categories", tags=["threat-categories"])


@router.get("", response_model=Page[ThreatOut], responses=LIST_RESPONSES)
def list_threat_categories(
    request: Request, response: Response, session: SessionDep, page: PageDep
) -> Page[ThreatOut] | StreamingResponse:
    """The threats that cooperation addresses, traditional and non-traditional."""
    return list_response(
        request,
        response,
        page,
        lambda p: queries.list_threats(session, p),
        lambda rows: [ThreatOut.model_validate(row) for row in rows],
    )


@router.get("/{slug}", response_model=ThreatDetail, responses=NOT_FOUND_RESPONSES)
def get_threat_category(session: SessionDep, slug: Slug) -> ThreatDetail:
    """One threat, the ways of cooperating against it and the initiatives that address it."""
    return threat_detail(session, slug)


# --- writes (curator scope) ---------------------------------------------------------------


@router.post(
    "",
    status_code=201,
    response_model=ThreatDetail,
    responses=write_responses(precondition=False),
)
def create_threat_category(
    request: Request, response: Response, principal: CuratorDep, body: ThreatCreate
) -> ThreatDetail:
    """Add a threat category, with at least one source; link initiatives to it afterwards."""
    with write_transaction(request, principal) as tx:
        created = writes.create_threat(tx, body)
    path = f"{router.prefix}/{created.slug}"
    written(response, tx, request, path)
    response.headers["Location"] = path
    return created


@router.patch("/{slug}", response_model=ThreatDetail, responses=write_responses())
def update_threat_category(
    request: Request,
    response: Response,
    principal: CuratorDep,
    slug: Slug,
    body: ThreatUpdate,
    if_match: IfMatch = None,
) -> ThreatDetail:
    """Change the names, kind, description or sources of a threat category."""
    with write_transaction(request, principal, if_match) as tx:
        updated = writes.update_threat(tx, slug, body)
    written(response, tx, request, request.url.path)
    return updated


@router.delete("/{slug}", status_code=204, responses=write_responses())
def delete_threat_category(
    request: Request, principal: CuratorDep, slug: Slug, if_match: IfMatch = None
) -> Response:
    """Delete a threat category that nothing links to any more.

    A category still linked to an organization, an exercise edition, an agreement, an
    operation or a way of cooperating is a 409 that counts the links: unlink them first.
    """
    with write_transaction(request, principal, if_match) as tx:
        writes.delete_threat(tx, slug)
    return Response(status_code=204, headers={"Cache-Control": "no-store"})
