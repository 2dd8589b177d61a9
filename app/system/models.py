from datetime import datetime

from sqlalchemy import Integer, String
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


class TableVersion(Base):
    """For each table a change wrote: the data version of the last change that wrote it
    (`app.curation.changes`, in the change's transaction). A table never written since this
    record began has no row (version 0); `EVERY_TABLE` stands for every table, written by a
    change whose statements could not be told apart (text SQL). The response cache keeps an
    answer across versions while none of the tables it read moved (`app.core.caching`)."""

    __tablename__ = "table_versions"

    table_name: Mapped[str] = mapped_column(String(80), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)


EVERY_TABLE = "*"
