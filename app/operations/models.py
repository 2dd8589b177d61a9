from datetime import date
from enum import StrEnum

from sqlalchemy import Date, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.columns import part_of, precision_column, refers_to
from app.core.db import Base, Versioned
from app.core.periods import DatePrecision, NoteMixin, PeriodMixin, enum_column
from app.countries.models import Country
from app.organizations.models import Organization
from app.sources.models import Certainty, Citation, Source, certainty_column, citations_of
from app.threats.models import ThreatLink, threat_link_table


class OperationKind(StrEnum):
    peacekeeping = "peacekeeping"
    humanitarian = "humanitarian"


operation_threats = threat_link_table("operation_threats", "operation_id", "operations")


class OperationThreat(ThreatLink, Base):
    """A link of one operation to a threat, with its period and source."""

    __table__ = operation_threats


class Operation(PeriodMixin, NoteMixin, Versioned, Base):
    __tablename__ = "operations"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    name_id: Mapped[str | None] = mapped_column(String(300))
    kind: Mapped[OperationKind] = mapped_column(enum_column(OperationKind, "kind"))
    lead_organization_id: Mapped[int | None] = refers_to("organizations")
    host_country_id: Mapped[int | None] = refers_to("countries")
    mandate: Mapped[str | None] = mapped_column(String(1000))
    description: Mapped[str | None] = mapped_column(Text)
    headquarters: Mapped[str | None] = mapped_column(String(200))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    certainty: Mapped[Certainty] = certainty_column()

    lead_organization: Mapped[Organization | None] = relationship(lazy="raise")
    host_country: Mapped[Country | None] = relationship(lazy="raise")
    contributions: Mapped[list["Contribution"]] = relationship(
        back_populates="operation", lazy="raise", cascade="all, delete-orphan"
    )
    # Its threats, each link with its period and source (ordered by slug in the API).
    threats: Mapped[list[OperationThreat]] = relationship(lazy="raise", viewonly=True)
    citations: Mapped[list[Citation]] = citations_of(Citation.operation_id)

    @property
    def name_is_label(self) -> bool:
        """Named by its acronym alone (the slug's own: "unavem-ii" is "UNAVEM II"), as an
        imported operation without a known official name is."""
        return self.name == self.slug.upper().replace("-", " ")


class Contribution(PeriodMixin, NoteMixin, Base):
    """A country contributing personnel to an operation."""

    __tablename__ = "contributions"
    __table_args__ = (UniqueConstraint("operation_id", "country_id", "start_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    operation_id: Mapped[int] = part_of("operations")
    country_id: Mapped[int] = refers_to("countries")
    personnel: Mapped[int | None] = mapped_column(Integer)
    personnel_as_of_date: Mapped[date | None] = mapped_column(Date)
    personnel_as_of_precision: Mapped[DatePrecision | None] = precision_column("personnel_as_of")
    certainty: Mapped[Certainty] = certainty_column()

    operation: Mapped[Operation] = relationship(back_populates="contributions", lazy="raise")
    country: Mapped[Country] = relationship(lazy="raise")
    citations: Mapped[list[Citation]] = citations_of(Citation.contribution_id)


class ContributionMonth(Base):
    """One month of a contribution: the personnel a country had in an operation at the end
    of that month, as the UN's monthly contributor report gives it (via a dataset: IPI).

    A contribution with months is a spell: its months are contiguous, and a month without a
    row inside the dataset's coverage is a month without personnel. Outside the coverage
    nothing is known (not zero). Figures by sex are null where the report gives none.
    """

    __tablename__ = "contribution_months"
    __table_args__ = (UniqueConstraint("contribution_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contribution_id: Mapped[int] = part_of("contributions")
    month: Mapped[date] = mapped_column(Date, index=True)  # its first day
    police_male: Mapped[int | None] = mapped_column(Integer)
    police_female: Mapped[int | None] = mapped_column(Integer)
    police_total: Mapped[int | None] = mapped_column(Integer)
    formed_police_male: Mapped[int | None] = mapped_column(Integer)
    formed_police_female: Mapped[int | None] = mapped_column(Integer)
    formed_police_total: Mapped[int | None] = mapped_column(Integer)
    experts_male: Mapped[int | None] = mapped_column(Integer)
    experts_female: Mapped[int | None] = mapped_column(Integer)
    experts_total: Mapped[int | None] = mapped_column(Integer)
    troops_male: Mapped[int | None] = mapped_column(Integer)
    troops_female: Mapped[int | None] = mapped_column(Integer)
    troops_total: Mapped[int | None] = mapped_column(Integer)
    total_male: Mapped[int | None] = mapped_column(Integer)
    total_female: Mapped[int | None] = mapped_column(Integer)
    total: Mapped[int] = mapped_column(Integer)
    # The dataset row the month comes from (the month's citation, one per row).
    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id", ondelete="RESTRICT"))
    locator: Mapped[str] = mapped_column(String(300))

    contribution: Mapped[Contribution] = relationship(lazy="raise")
    source: Mapped[Source] = relationship(lazy="raise")
