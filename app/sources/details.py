"""The representation of a source, as the reads and the writes return it."""

from sqlalchemy.orm import Session

from app.sources import queries
from app.sources.schemas import SourceDetail, SourceOut


def source_detail(session: Session, source_id: str) -> SourceDetail:
    source = queries.get_source(session, source_id)
    return SourceDetail(
        **SourceOut.model_validate(source).model_dump(),
        cited_by=queries.citation_counts(session, source.id),
    )
