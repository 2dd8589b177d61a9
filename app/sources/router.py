from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import StreamingResponse

from app.auth.deps import CuratorDep
from app.core.deps import SessionDep
from app.core.pagination import LIST_RESPONSES, Page, PageDep, list_response
from app.core.problems import NOT_FOUND_RESPONSES
from app.curation.transaction import IfMatch, write_responses, write_transaction, written
from app.sources import queries, writes
from app.sources.details import source_detail
from app.sources.models import SourceKind
from app.sources.schemas import SourceCreate, SourceDetail, SourceOut, SourceUpdate

router = APIRouter(prefix="/v1/sources", tags=["sources"])


@router.get("", response_model=Page[SourceOut], responses=LIST_RESPONSES)
def list_sources(
    request: Request,
    response: Response,
    session: SessionDep,
    page: PageDep,
    kind: Annotated[
        SourceKind | None, Query(description="Only sources of this kind", examples=["dataset"])
    ] = None,
) -> Page[SourceOut] | StreamingResponse:
    """The sources that the facts cite: the seed article, datasets and public references."""
    return list_response(
        request,
        response,
        page,
        lambda p: queries.list_sources(session, kind=kind, page=p),
        lambda rows: [SourceOut.model_validate(row) for row in rows],
    )


SourceId = Annotated[
    str,
    Path(
        max_length=80,
        pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
        description="Source id",
        examples=["article"],
    ),
]


@router.get("/{source_id}", response_model=SourceDetail, responses=NOT_FOUND_RESPONSES)
def get_source(session: SessionDep, source_id: SourceId) -> SourceDetail:
    """One source, with how many facts of each kind cite it."""
    return source_detail(session, source_id)


# --- writes (curator scope) ---------------------------------------------------------------


@router.post(
    "",
    status_code=201,
    response_model=SourceDetail,
    responses=write_responses(precondition=False),
)
def create_source(
    request: Request, response: Response, principal: CuratorDep, body: SourceCreate
) -> SourceDetail:
    """Add a source (an article, a dataset, a reference) that facts can then cite."""
    with write_transaction(request, principal) as tx:
        created = writes.create_source(tx, body)
    path = f"{router.prefix}/{created.id}"
    written(response, tx, request, path)
    response.headers["Location"] = path
    return created


@router.patch("/{source_id}", response_model=SourceDetail, responses=write_responses())
def update_source(
    request: Request,
    response: Response,
    principal: CuratorDep,
    source_id: SourceId,
    body: SourceUpdate,
    if_match: IfMatch = None,
) -> SourceDetail:
    """Change some fields of a source; every fact citing it shows the change at once."""
    with write_transaction(request, principal, if_match) as tx:
        updated = writes.update_source(tx, source_id, body)
    written(response, tx, request, request.url.path)
    return updated


@router.delete("/{source_id}", status_code=204, responses=write_responses())
def delete_source(
    request: Request, principal: CuratorDep, source_id: SourceId, if_match: IfMatch = None
) -> Response:
    """Delete a source that no fact cites; a cited one is a 409 that counts the citations."""
    with write_transaction(request, principal, if_match) as tx:
        writes.delete_source(tx, source_id)
    return Response(status_code=204, headers={"Cache-Control": "no-store"})
