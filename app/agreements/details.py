"""The representation of an agreement, as the reads and the writes return it."""

from sqlalchemy.orm import Session

from app.agreements import queries
from app.agreements.schemas import AgreementDetail


def agreement_detail(session: Session, slug: str) -> AgreementDetail:
    return AgreementDetail.model_validate(queries.get_agreement(session, slug))
