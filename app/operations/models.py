from datetime import date
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.columns import coordinate, part_of, precision_column, refers_to
from app.core.db import Base, Versioned
from app.core.meanings import DESCRIPTION, NAME_ID, ROW_ID, SLUG, period_docs
from app.core.periods import DatePrecision, NoteMixin, PeriodMixin, enum_column
from app.countries.models import Country
from app.organizations.models import Organization
from app.sources.models import Certainty, Citation, Source, certainty_column, citations_of
from app.threats.models import ThreatLink, threat_link_table, threat_links


class OperationKind(StrEnum):
    peacekeeping = "peacekeeping"
    humanitarian = "humanitarian"


operation_threats = threat_link_table("operation_threats", "operation_id", "operations")


class Operation(PeriodMixin, NoteMixin, Versioned, Base):
    """A peacekeeping or humanitarian operation, whose contributors are tied to each other while
    they contribute together."""

    __tablename__ = "operations"
    __column_docs__ = period_docs("When it began", "the first day it no longer ran")

    id: Mapped[int] = mapped_column(primary_key=True, doc=ROW_ID)
    slug: Mapped[str] = mapped_column(String(120), unique=True, doc=SLUG)
    name: Mapped[str] = mapped_column(
        String(300),
        doc="English name (an imported operation with no known official name: its acronym)",
    )
    name_id: Mapped[str | None] = mapped_column(String(300), doc=NAME_ID)
    kind: Mapped[OperationKind] = mapped_column(
        enum_column(OperationKind, "kind"), doc="`peacekeeping` or `humanitarian`"
    )
    lead_organization_id: Mapped[int | None] = refers_to(
        "organizations", doc="The organization that leads it (the UN); empty: none recorded"
    )
    host_country_id: Mapped[int | None] = refers_to(
        "countries", doc="Where it operates; empty: not recorded or several countries"
    )
    mandate: Mapped[str | None] = mapped_column(
        String(1000), doc="The resolutions that mandate it; empty: not recorded"
    )
    description: Mapped[str | None] = mapped_column(Text, doc=DESCRIPTION)
    headquarters: Mapped[str | None] = mapped_column(
        String(200), doc="Where its headquarters are; empty: not recorded"
    )
    latitude: Mapped[float | None] = coordinate("Latitude", "the headquarters")
    longitude: Mapped[float | None] = coordinate("Longitude", "the headquarters")
    certainty: Mapped[Certainty] = certainty_column()

    lead_organization: Mapped[Organization | None] = relationship(lazy="raise")
    host_country: Mapped[Country | None] = relationship(lazy="raise")
    contributions: Mapped[list["Contribution"]] = relationship(
        back_populates="operation", lazy="raise", cascade="all, delete-orphan"
    )
    # Its threats, each link with its period and source (ordered by slug in the API).
    threats: Mapped[list[ThreatLink]] = threat_links(operation_threats)
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
    __column_docs__ = period_docs(
        "When the country began contributing", "the first day it no longer contributed"
    )

    id: Mapped[int] = mapped_column(primary_key=True, doc=ROW_ID)
    operation_id: Mapped[int] = part_of("operations", doc="The operation")
    country_id: Mapped[int] = refers_to("countries", doc="The contributing country")
    personnel: Mapped[int | None] = mapped_column(
        Integer,
        doc="Personnel the country had in the operation on `personnel_as_of_date` (from a "
        "monthly report: the last month's total); empty: not recorded",
    )
    personnel_as_of_date: Mapped[date | None] = mapped_column(
        Date, doc="The day `personnel` refers to; empty: not recorded"
    )
    personnel_as_of_precision: Mapped[DatePrecision | None] = precision_column("personnel_as_of")
    certainty: Mapped[Certainty] = certainty_column()

    operation: Mapped[Operation] = relationship(back_populates="contributions", lazy="raise")
    country: Mapped[Country] = relationship(lazy="raise")
    citations: Mapped[list[Citation]] = citations_of(Citation.contribution_id)


def _personnel(who: str) -> Mapped[int | None]:
    return mapped_column(
        Integer,
        doc=f"{who} at the month's end, as the UN's report gives it; empty: the report gives "
        "no figure",
    )


class ContributionMonth(Base):
    """One month of a contribution: the personnel a country had in an operation at the end
    of that month, as the UN's monthly contributor report gives it (via a dataset: IPI).

    A contribution with months is a spell: its months are contiguous, and a month without a
    row inside the dataset's coverage is a month without personnel. Outside the coverage
    nothing is known (not zero). Figures by sex are null where the report gives none.
    """

    __tablename__ = "contribution_months"
    __table_args__ = (UniqueConstraint("contribution_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True, doc=ROW_ID)
    contribution_id: Mapped[int] = part_of("contributions", doc="The contribution (spell)")
    month: Mapped[date] = mapped_column(
        Date, index=True, doc="The month, stored as its first day; figures are at its end"
    )
    police_male: Mapped[int | None] = _personnel("Individual police, men")
    police_female: Mapped[int | None] = _personnel("Individual police, women")
    police_total: Mapped[int | None] = _personnel("Individual police")
    formed_police_male: Mapped[int | None] = _personnel("Formed police units, men")
    formed_police_female: Mapped[int | None] = _personnel("Formed police units, women")
    formed_police_total: Mapped[int | None] = _personnel("Formed police units")
    experts_male: Mapped[int | None] = _personnel("Experts on mission, men")
    experts_female: Mapped[int | None] = _personnel("Experts on mission, women")
    experts_total: Mapped[int | None] = _personnel("Experts on mission")
    troops_male: Mapped[int | None] = _personnel("Troops, men")
    troops_female: Mapped[int | None] = _personnel("Troops, women")
    troops_total: Mapped[int | None] = _personnel("Troops")
    total_male: Mapped[int | None] = _personnel("All personnel, men")
    total_female: Mapped[int | None] = _personnel("All personnel, women")
    total: Mapped[int] = mapped_column(
        Integer, doc="All personnel the country had in the operation at the month's end"
    )
    source_id: Mapped[str] = mapped_column(
        ForeignKey("sources.id", ondelete="RESTRICT"),
        doc="The dataset the month comes from (its citation: one per row)",
    )
    locator: Mapped[str] = mapped_column(String(300), doc="The dataset's row")

    contribution: Mapped[Contribution] = relationship(lazy="raise")
    source: Mapped[Source] = relationship(lazy="raise")
