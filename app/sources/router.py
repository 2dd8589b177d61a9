from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter
from sqlalchemy.orm import Session

from app.core.deps import SessionDep
from app.core.lists import list_route
from app.core.pagination import Fetch
from app.core.params import described
from app.core.problems import NOT_FOUND_RESPONSES
from app.sources import queries
from app.sources.details import source_detail
from app.sources.models import Source, SourceKind
from app.sources.params import SourceId
from app.sources.schemas import SourceDetail, SourceOut

router = APIRouter(prefix="/v1/sources", tags=["sources"])


@dataclass
class SourceFilters:
    kind: Annotated[SourceKind | None, described("Only sources of this kind", "dataset")] = None


@list_route(router, SourceOut)
def list_sources(session: Session, filters: SourceFilters) -> Fetch[Source]:
    """The sources that the facts cite: the seed article, datasets and public references."""
    return lambda page: queries.list_sources(session, kind=filters.kind, page=page)


@router.get("/{source_id}", response_model=SourceDetail, responses=NOT_FOUND_RESPONSES)
def get_source(session: SessionDep, source_id: SourceId) -> SourceDetail:
    """One source, with how many facts of each kind cite it."""
    return source_detail(session, source_id)
