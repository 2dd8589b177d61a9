"""The representation of an operation, as the reads and the writes return it."""

from sqlalchemy.orm import Session

from app.operations import queries
from app.operations.schemas import OperationDetail


def operation_detail(session: Session, slug: str) -> OperationDetail:
    return OperationDetail.model_validate(queries.get_operation(session, slug))
