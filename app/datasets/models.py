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
from app.core.meanings import ROW_ID


def _last_import(figure: str) -> str:
    return f"{figure}; empty: never imported"


class Dataset(Base):
    """A research dataset defcoop imports: what a citation of it cannot say (version, terms,
    provenance) and what its last import did with each row."""

    __tablename__ = "datasets"

    id: Mapped[str] = mapped_column(
        String(80),
        ForeignKey("sources.id"),
        primary_key=True,
        doc="The dataset's source id (`sources.id`), which the facts it brought cite",
    )
    name: Mapped[str] = mapped_column(String(200), doc="The dataset's name")
    version: Mapped[str] = mapped_column(String(40), doc="The version imported")
    citation: Mapped[str] = mapped_column(String(1000), doc="How to cite the dataset")
    terms: Mapped[str] = mapped_column(String(1000), doc="Its terms of use")
    provenance: Mapped[str] = mapped_column(
        String(1000), doc="Where the file defcoop reads comes from"
    )
    bundled_path: Mapped[str | None] = mapped_column(
        String(300),
        doc="Where the file ships in defcoop's repository; empty: users bring the file themselves",
    )
    # The last import: the file(s) read, when, and how their rows were accounted for. All
    # empty: the dataset was never imported into this database.
    file_sha256: Mapped[str | None] = mapped_column(
        String(64), doc="sha-256 of the file(s) the last import read; empty: never imported"
    )
    imported_at: Mapped[datetime | None] = mapped_column(
        UtcDateTime, doc="When the last import ran (UTC); empty: never imported"
    )
    rows_read: Mapped[int | None] = mapped_column(
        Integer, doc=_last_import("Rows the last import read")
    )
    rows_imported: Mapped[int | None] = mapped_column(
        Integer, doc=_last_import("Of `rows_read`, rows that became new records")
    )
    rows_merged: Mapped[int | None] = mapped_column(
        Integer,
        doc=_last_import("Of `rows_read`, rows merged into a curated record of the same thing"),
    )
    rows_already_imported: Mapped[int | None] = mapped_column(
        Integer,
        doc=_last_import("Of `rows_read`, rows an earlier import had loaded (by their citation)"),
    )
    rows_left_to_curators: Mapped[int | None] = mapped_column(
        Integer,
        doc=_last_import(
            "Of `rows_read`, rows whose record curators changed or deleted through the write "
            "API, left as the curators made them"
        ),
    )
    rows_rejected: Mapped[int | None] = mapped_column(
        Integer,
        doc=_last_import("Of `rows_read`, rows refused (the import's report gives each reason)"),
    )

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

    id: Mapped[int] = mapped_column(primary_key=True, doc=ROW_ID)
    dataset_id: Mapped[str] = mapped_column(
        String(80),
        ForeignKey("datasets.id", ondelete="CASCADE"),
        index=True,
        doc="The dataset",
    )
    channel: Mapped[str] = mapped_column(
        String(20),
        doc="The tie channel it records (`organization`, `exercise`, `agreement`, "
        "`operation`, `transfer`), or `countries` for a reference list of states",
    )
    starts: Mapped[date] = mapped_column(Date, doc="First day covered")
    ends: Mapped[date] = mapped_column(Date, doc="Last day covered (inclusive: `2010-12-31`)")
    what: Mapped[str] = mapped_column(String(500), doc="What the dataset records over the period")
