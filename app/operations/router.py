from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse

from app.auth.deps import CuratorDep
from app.core.deps import SessionDep
from app.core.pagination import LIST_RESPONSES, Page, PageDep, list_response
from app.core.params import CountryCode, CountryFilter, SearchText, Slug, ThreatFilter
from app.core.problems import NOT_FOUND_RESPONSES
from app.countries.queries import country_ids
from app.curation.inputs import ThreatSlug
from app.curation.transaction import IfMatch, write_responses, write_transaction, written
from app.operations import queries, writes
from app.operations.details import operation_detail
from app.operations.models import OperationKind
from app.operations.schemas import (
    ContributorPut,
    OperationCreate,
    OperationDetail,
    OperationOut,
    OperationUpdate,
)
from app.threats.queries import threat_ids

router = APIRouter(prefix="/v1/operations", tags=["operations"])


@router.get("", response_model=Page[OperationOut], responses=LIST_RESPONSES)
def list_operations(
    request: Request,
    response: Response,
    session: SessionDep,
    page: PageDep,
    kind: Annotated[
        OperationKind | None,
        Query(description="peacekeeping or humanitarian", examples=["peacekeeping"]),
    ] = None,
    host: CountryFilter = None,
    contributor: CountryFilter = None,
    threat: ThreatFilter = None,
    q: SearchText = None,
) -> Page[OperationOut] | StreamingResponse:
    """Peacekeeping missions and humanitarian operations."""
    hosts = country_ids(session, host or [], "/query/host")
    contributors = country_ids(session, contributor or [], "/query/contributor")
    threats = threat_ids(session, threat or [])
    return list_response(
        request,
        response,
        page,
        lambda p: queries.list_operations(
            session,
            kind=kind,
            host_ids=hosts,
            contributor_ids=contributors,
            threat_ids=threats,
            q=q,
            page=p,
        ),
        lambda rows: [OperationOut.model_validate(row) for row in rows],
    )


@router.get("/{slug}", response_model=OperationDetail, responses=NOT_FOUND_RESPONSES)
def get_operation(session: SessionDep, slug: Slug) -> OperationDetail:
    """One operation with its lead organization, host country and contributing countries."""
    return operation_detail(session, slug)


# --- writes (curator scope) ---------------------------------------------------------------


def _no_store() -> Response:
    return Response(status_code=204, headers={"Cache-Control": "no-store"})


@router.post(
    "",
    status_code=201,
    response_model=OperationDetail,
    responses=write_responses(precondition=False),
)
def create_operation(
    request: Request, response: Response, principal: CuratorDep, body: OperationCreate
) -> OperationDetail:
    """Add an operation with its contributors; their partners reflect it at once.

    Every fact needs a source; a contributor without sources cites the operation's.
    """
    with write_transaction(request, principal) as tx:
        created = writes.create_operation(tx, body)
    path = f"{router.prefix}/{created.slug}"
    written(response, tx, request, path)
    response.headers["Location"] = path
    return created


@router.patch("/{slug}", response_model=OperationDetail, responses=write_responses())
def update_operation(
    request: Request,
    response: Response,
    principal: CuratorDep,
    slug: Slug,
    body: OperationUpdate,
    if_match: IfMatch = None,
) -> OperationDetail:
    """Change some fields of an operation; send `If-Match` with the ETag of your GET."""
    with write_transaction(request, principal, if_match) as tx:
        updated = writes.update_operation(tx, slug, body)
    written(response, tx, request, request.url.path)
    return updated


@router.delete("/{slug}", status_code=204, responses=write_responses())
def delete_operation(
    request: Request, principal: CuratorDep, slug: Slug, if_match: IfMatch = None
) -> Response:
    """Delete an operation with its contributors, threat links and citations."""
    with write_transaction(request, principal, if_match) as tx:
        writes.delete_operation(tx, slug)
    return _no_store()


@router.put(
    "/{slug}/contributors/{code}", response_model=OperationDetail, responses=write_responses()
)
def put_operation_contributor(
    request: Request,
    response: Response,
    principal: CuratorDep,
    slug: Slug,
    code: CountryCode,
    body: ContributorPut,
    if_match: IfMatch = None,
) -> OperationDetail:
    """Set a country's contribution to an operation (create or replace).

    `If-Match` is checked against the operation. Answers with the operation.
    """
    with write_transaction(request, principal, if_match) as tx:
        updated = writes.put_contributor(tx, slug, code, body)
    written(response, tx, request, f"{router.prefix}/{slug}")
    return updated


@router.delete("/{slug}/contributors/{code}", status_code=204, responses=write_responses())
def delete_operation_contributor(
    request: Request,
    principal: CuratorDep,
    slug: Slug,
    code: CountryCode,
    if_match: IfMatch = None,
) -> Response:
    """Remove a country from an operation's contributors."""
    with write_transaction(request, principal, if_match) as tx:
        writes.delete_contributor(tx, slug, code)
    return _no_store()


@router.put("/{slug}/threats/{threat}", response_model=OperationDetail, responses=write_responses())
def link_operation_threat(
    request: Request,
    response: Response,
    principal: CuratorDep,
    slug: Slug,
    threat: ThreatSlug,
    if_match: IfMatch = None,
) -> OperationDetail:
    """Record that the operation addresses a threat (idempotent)."""
    with write_transaction(request, principal, if_match) as tx:
        detail = writes.link_threat(tx, slug, threat)
    written(response, tx, request, f"{router.prefix}/{slug}")
    return detail


@router.delete("/{slug}/threats/{threat}", status_code=204, responses=write_responses())
def unlink_operation_threat(
    request: Request,
    principal: CuratorDep,
    slug: Slug,
    threat: ThreatSlug,
    if_match: IfMatch = None,
) -> Response:
    """Remove the link between the operation and a threat."""
    with write_transaction(request, principal, if_match) as tx:
        writes.unlink_threat(tx, slug, threat)
    return _no_store()
