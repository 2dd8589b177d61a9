"""Evidence: where every fact comes from, and how certain it is."""

from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.columns import precision_column, refers_to
from app.core.db import Base, Versioned
from app.core.periods import DatePrecision, enum_column


class SourceKind(StrEnum):
    article = "article"
    dataset = "dataset"
    reference = "reference"


class Certainty(StrEnum):
    confirmed = "confirmed"
    unconfirmed = "unconfirmed"
    disputed = "disputed"


def certainty_column() -> Mapped[Certainty]:
    return mapped_column(
        enum_column(Certainty, "certainty"), default=Certainty.confirmed, nullable=False
    )


class Source(Versioned, Base):
    __tablename__ = "sources"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    kind: Mapped[SourceKind] = mapped_column(enum_column(SourceKind, "kind"))
    title: Mapped[str] = mapped_column(String(300))
    publisher: Mapped[str | None] = mapped_column(String(200))
    url: Mapped[str | None] = mapped_column(String(500))
    published_date: Mapped[date | None] = mapped_column(Date)
    published_precision: Mapped[DatePrecision | None] = precision_column("published")
    language: Mapped[str | None] = mapped_column(String(8))
    note: Mapped[str | None] = mapped_column(String(2000))


# Citation column -> the fact-bearing table it points at; exactly one is set per citation.
CITED_TABLES = {
    "organization_id": "organizations",
    "membership_id": "memberships",
    "series_id": "exercise_series",
    "edition_id": "exercise_editions",
    "participation_id": "participations",
    "agreement_id": "agreements",
    "party_id": "agreement_parties",
    "operation_id": "operations",
    "contribution_id": "contributions",
    "transfer_id": "transfers",
    "transfer_party_id": "transfer_parties",
    "threat_id": "threat_categories",
    "response_id": "threat_responses",
}
_EXACTLY_ONE_TARGET = (
    " + ".join(f"(CASE WHEN {column} IS NULL THEN 0 ELSE 1 END)" for column in CITED_TABLES)
    + " = 1"
)


def _cited_column(column: str) -> Mapped[int | None]:
    return mapped_column(
        Integer,
        ForeignKey(f"{CITED_TABLES[column]}.id", ondelete="CASCADE"),
        index=True,
        nullable=True,
    )


class Citation(Base):
    """One source cited for one fact-bearing row, with where in the source it stands."""

    __tablename__ = "citations"
    __table_args__ = (CheckConstraint(_EXACTLY_ONE_TARGET, name="one_target"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[str] = refers_to("sources")
    locator: Mapped[str | None] = mapped_column(String(300))
    # Where this source disagrees with the fact as stored (a curated fact stands): what it
    # says instead, so that both sources are shown side by side. Null: it agrees.
    note: Mapped[str | None] = mapped_column(String(1000))

    organization_id: Mapped[int | None] = _cited_column("organization_id")
    membership_id: Mapped[int | None] = _cited_column("membership_id")
    series_id: Mapped[int | None] = _cited_column("series_id")
    edition_id: Mapped[int | None] = _cited_column("edition_id")
    participation_id: Mapped[int | None] = _cited_column("participation_id")
    agreement_id: Mapped[int | None] = _cited_column("agreement_id")
    party_id: Mapped[int | None] = _cited_column("party_id")
    operation_id: Mapped[int | None] = _cited_column("operation_id")
    contribution_id: Mapped[int | None] = _cited_column("contribution_id")
    transfer_id: Mapped[int | None] = _cited_column("transfer_id")
    transfer_party_id: Mapped[int | None] = _cited_column("transfer_party_id")
    threat_id: Mapped[int | None] = _cited_column("threat_id")
    response_id: Mapped[int | None] = _cited_column("response_id")

    source: Mapped[Source] = relationship(lazy="raise")


def citations_of(target: Any) -> Any:
    """The relationship of a fact-bearing row to its citations (`target`: the `Citation`
    column that names such rows); they go with the row."""
    return relationship(lazy="raise", cascade="all, delete-orphan", foreign_keys=[target])
