from datetime import datetime

from sqlalchemy import Integer
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, UtcDateTime

# The data version is row 1. Row 2, when present, is a marker written by the downgrade of the
# curation revision when it dropped curated data (keys, the audit trail, curators' versions):
# the seed then refuses to run over what curators made (`app.curation.downgrades`).
CURATION_DROPPED_ROW = 2


class DataState(Base):
    """Row 1: the version of the data, bumped by every change, keying every cache."""

    __tablename__ = "data_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
