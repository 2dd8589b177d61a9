from datetime import date
from enum import StrEnum

from sqlalchemy import Boolean, Date, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.columns import part_of, precision_column, refers_to
from app.core.db import Base, Versioned
from app.core.meanings import DESCRIPTION, NAME_ID, ROW_ID, SLUG, period_docs
from app.core.periods import DatePrecision, NoteMixin, PeriodMixin, enum_column
from app.countries.models import Country
from app.sources.models import Certainty, Citation, certainty_column, citations_of
from app.threats.models import ThreatLink, threat_link_table, threat_links


class OrganizationKind(StrEnum):
    alliance = "alliance"
    regional_organization = "regional_organization"
    defense_forum = "defense_forum"
    international_organization = "international_organization"
    intelligence_partnership = "intelligence_partnership"
    security_dialogue = "security_dialogue"


class MembershipRole(StrEnum):
    member = "member"
    associate = "associate"  # COW IGO's associate membership: part of it, not a full member
    observer = "observer"
    partner = "partner"
    suspended = "suspended"


organization_threats = threat_link_table("organization_threats", "organization_id", "organizations")


class Organization(Versioned, Base):
    """An international organization, alliance or forum with member countries."""

    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(primary_key=True, doc=ROW_ID)
    slug: Mapped[str] = mapped_column(String(80), unique=True, doc=SLUG)
    name: Mapped[str] = mapped_column(String(200), doc="English name")
    name_id: Mapped[str | None] = mapped_column(String(200), doc=NAME_ID)
    acronym: Mapped[str | None] = mapped_column(String(40), doc="Acronym; empty: none recorded")
    kind: Mapped[OrganizationKind] = mapped_column(
        enum_column(OrganizationKind, "kind"), doc="What kind of body it is"
    )
    founded_date: Mapped[date | None] = mapped_column(
        Date, doc="When it was founded; empty: unknown"
    )
    founded_precision: Mapped[DatePrecision | None] = precision_column("founded")
    ended_date: Mapped[date | None] = mapped_column(
        Date, doc="Exclusive: the first day it no longer existed; empty: still active"
    )
    ended_precision: Mapped[DatePrecision | None] = precision_column("ended")
    # Co-membership in a universal body (the UN) says nothing about cooperation.
    universal: Mapped[bool] = mapped_column(
        Boolean,
        default=False,
        doc="true: a universal body (the UN), whose co-membership makes no tie",
    )
    description: Mapped[str | None] = mapped_column(Text, doc=DESCRIPTION)

    # Its threats, each link with its period and source (ordered by slug in the API).
    threats: Mapped[list[ThreatLink]] = threat_links(organization_threats)
    memberships: Mapped[list["Membership"]] = relationship(
        back_populates="organization", lazy="raise", cascade="all, delete-orphan"
    )
    citations: Mapped[list[Citation]] = citations_of(Citation.organization_id)


class Membership(PeriodMixin, NoteMixin, Base):
    """A country's period in one role in an organization; members at the same time are tied."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("organization_id", "country_id", "role", "start_date"),)
    __column_docs__ = period_docs("First day in the role", "the first day no longer in the role")

    id: Mapped[int] = mapped_column(primary_key=True, doc=ROW_ID)
    organization_id: Mapped[int] = part_of("organizations", doc="The organization")
    country_id: Mapped[int] = refers_to("countries", doc="The country")
    role: Mapped[MembershipRole] = mapped_column(
        enum_column(MembershipRole, "role"),
        doc="`member` (only members are tied to each other), `associate` (COW IGO's "
        "associate membership), `observer`, `partner` or `suspended`",
    )
    certainty: Mapped[Certainty] = certainty_column()

    organization: Mapped[Organization] = relationship(back_populates="memberships", lazy="raise")
    country: Mapped[Country] = relationship(lazy="raise")
    citations: Mapped[list[Citation]] = citations_of(Citation.membership_id)
