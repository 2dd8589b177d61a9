"""Research datasets as records: what each is, what it covers, and what its last import did.

A dataset is also a `Source` (of kind `dataset`), which every fact it brought cites with the
row as locator; the record here adds what a citation cannot say: the version, the terms, the
years and channels it covers, the file that was read and how each of its rows was accounted
for.
"""

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import Base, UtcDateTime


class Dataset(Base):
    __tablename__ = "datasets"

    # The dataset's Source id: the one name a citation and this record share.
    id: Mapped[str] = mapped_column(String(80), ForeignKey("sources.id"), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    version: Mapped[str] = mapped_column(String(40))
    citation: Mapped[str] = mapped_column(String(1000))
    terms: Mapped[str] = mapped_column(String(1000))
    provenance: Mapped[str] = mapped_column(String(1000))
    # Where the file ships in the repository, or null for data users bring themselves.
    bundled_path: Mapped[str | None] = mapped_column(String(300))
    # The last import: the sha-256 of the file(s) read, when, and how the rows were accounted.
    file_sha256: Mapped[str | None] = mapped_column(String(64))
    imported_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    rows_read: Mapped[int | None] = mapped_column(Integer)
    rows_imported: Mapped[int | None] = mapped_column(Integer)
    rows_merged: Mapped[int | None] = mapped_column(Integer)
    rows_already_imported: Mapped[int | None] = mapped_column(Integer)
    rows_left_to_curators: Mapped[int | None] = mapped_column(Integer)
    rows_rejected: Mapped[int | None] = mapped_column(Integer)

    coverage: Mapped[list["DatasetCoverage"]] = relationship(
        order_by="DatasetCoverage.channel, DatasetCoverage.starts",
        cascade="all, delete-orphan",
        lazy="selectin",
    )


class DatasetCoverage(Base):
    """The period over which a dataset records one channel's facts: outside it, the dataset
    says nothing (a missing tie there is unknown, not absent)."""

    __tablename__ = "dataset_coverage"
    __table_args__ = (UniqueConstraint("dataset_id", "channel", "starts"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_id: Mapped[str] = mapped_column(
        String(80),
        ForeignKey("datasets.id", ondelete="CASCADE"),
        index=True,
    )
    # A tie channel (`exercise`, `agreement`...), or `countries` for a reference list.
    channel: Mapped[str] = mapped_column(String(20))
    starts: Mapped[date] = mapped_column(Date)
    ends: Mapped[date] = mapped_column(Date)
    what: Mapped[str] = mapped_column(String(500))
