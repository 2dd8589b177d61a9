"""Evidence: where every fact comes from, and how certain it is."""

from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.columns import precision_column, refers_to
from app.core.db import Base, Versioned
from app.core.meanings import ROW_ID
from app.core.periods import DatePrecision, enum_column


class SourceKind(StrEnum):
    article = "article"  # the seed article the project started from
    dataset = "dataset"  # a research dataset (with a record in `datasets`)
    reference = "reference"  # any other publication or web page


class Certainty(StrEnum):
    confirmed = "confirmed"
    unconfirmed = "unconfirmed"
    disputed = "disputed"


def certainty_column() -> Mapped[Certainty]:
    return mapped_column(
        enum_column(Certainty, "certainty"),
        default=Certainty.confirmed,
        nullable=False,
        doc="How certain the fact is: `confirmed` (its sources confirm it), `unconfirmed` (no "
        "source confirms it) or `disputed` (sources differ); a tie takes the least certain "
        "of its facts",
    )


class Source(Versioned, Base):
    """A source that facts cite: the seed article, a research dataset, or another publication or
    page."""

    __tablename__ = "sources"

    id: Mapped[str] = mapped_column(
        String(80), primary_key=True, doc="Stable lowercase id, which citations name"
    )
    kind: Mapped[SourceKind] = mapped_column(
        enum_column(SourceKind, "kind"),
        doc="`article`: the seed article the project started from; `dataset`: a research "
        "dataset (its record is in `datasets`); `reference`: any other publication or page",
    )
    title: Mapped[str] = mapped_column(
        String(300), doc="Title (descriptive where the exact headline is not recorded)"
    )
    publisher: Mapped[str | None] = mapped_column(
        String(200), doc="Who published it; empty: not recorded"
    )
    url: Mapped[str | None] = mapped_column(
        String(500), doc="Where to read it; empty: not recorded"
    )
    published_date: Mapped[date | None] = mapped_column(
        Date, doc="When it was published; empty: not recorded"
    )
    published_precision: Mapped[DatePrecision | None] = precision_column("published")
    language: Mapped[str | None] = mapped_column(
        String(8), doc="BCP 47 language tag (`en`, `id`); empty: not recorded"
    )
    note: Mapped[str | None] = mapped_column(
        String(2000), doc="What the source says that the project relies on, or what to know of it"
    )


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
        doc=f"The row of `{CITED_TABLES[column]}` the source is cited for; exactly one of the "
        "citation's row columns is filled, the others are empty",
    )


class Citation(Base):
    """One source cited for one fact-bearing row, with where in the source it stands."""

    __tablename__ = "citations"
    __table_args__ = (CheckConstraint(_EXACTLY_ONE_TARGET, name="one_target"),)

    id: Mapped[int] = mapped_column(primary_key=True, doc=ROW_ID)
    source_id: Mapped[str] = refers_to("sources", doc="The source cited")
    locator: Mapped[str | None] = mapped_column(
        String(300),
        doc="Where in the source: a section of the article, a dataset's row (`mme243`) or a "
        "part of the page; empty: the source as a whole",
    )
    # Shown beside the fact, so that both sources are read side by side.
    note: Mapped[str | None] = mapped_column(
        String(1000),
        doc="Where this source disagrees with the fact as stored (a curated fact stands): what "
        "it says instead; empty: it agrees",
    )

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
