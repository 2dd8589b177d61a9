from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import StreamingResponse

from app.core.deps import SessionDep
from app.core.pagination import LIST_RESPONSES, Page, PageDep, list_response
from app.core.problems import NOT_FOUND_RESPONSES
from app.sources import queries
from app.sources.details import source_detail
from app.sources.models import SourceKind
from app.sources.schemas import SourceDetail, SourceOut

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
