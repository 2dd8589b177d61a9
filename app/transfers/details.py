"""The representation of a transfer, as its read returns it."""

from sqlalchemy.orm import Session

from app.transfers import queries
from app.transfers.schemas import TransferDetail


def transfer_detail(session: Session, slug: str) -> TransferDetail:
    return TransferDetail.model_validate(queries.get_transfer(session, slug))
