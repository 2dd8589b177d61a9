"""Alliances as ATOP codes them: a treaty among states, with each member's obligations.

An alliance's members are tied through the record that stands for the treaty in defcoop, its
*carrier*: an agreement (a curated one, such as the ANZUS Treaty, or one the ATOP import
creates) whose parties are the members, or a curated organization (NATO, the CSTO) whose
memberships are. So a pair is tied once per treaty, in one channel, and the curated dates stay
what curators made them. The ATOP rows themselves are kept here as `AllianceMember`s (one per
(atopid, member, entry date): phases and re-entries are separate spells) with their own
dates and obligations, each pointing at the party or membership it stands behind.
"""

from datetime import date
from enum import StrEnum

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.agreements.models import Agreement, AgreementParty
from app.core.columns import part_of, precision_column
from app.core.db import Base
from app.core.periods import DatePrecision, NoteMixin, PeriodMixin
from app.countries.models import Country
from app.organizations.models import Membership, Organization


class Obligation(StrEnum):
    """What a member promises, as ATOP codes it (one flag each on `AllianceMember`)."""

    defense = "defense"
    offense = "offense"
    neutrality = "neutrality"
    non_aggression = "non_aggression"
    consultation = "consultation"


class Alliance(Base):
    __tablename__ = "alliances"
    id: Mapped[int] = mapped_column(primary_key=True)
    atop_id: Mapped[int] = mapped_column(Integer, unique=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)  # "atop-3180"
    name: Mapped[str] = mapped_column(String(300))
    # No name known: `name` is the neutral label "ATOP 1234".
    name_is_label: Mapped[bool] = mapped_column(Boolean)
    # The agreement whose parties are the members (null: the organization's members are, or
    # curators deleted the agreement the import made).
    agreement_id: Mapped[int | None] = mapped_column(
        ForeignKey("agreements.id", ondelete="SET NULL"), index=True
    )
    # The curated organization the alliance created (NATO for ATOP 3180), if any.
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="SET NULL"), index=True
    )
    start_date: Mapped[date] = mapped_column(Date)
    start_precision: Mapped[DatePrecision] = precision_column("start")
    # Null: still in force at the end of ATOP's coverage (2018).
    end_date: Mapped[date | None] = mapped_column(Date)
    end_precision: Mapped[DatePrecision | None] = precision_column("end")
    phases: Mapped[int] = mapped_column(Integer)
    # COW Formal Alliances ids (`cowid`: v3, `cow4id`: v4.1), when COW codes it too.
    cow_id: Mapped[int | None] = mapped_column(Integer)
    cow4_id: Mapped[int | None] = mapped_column(Integer, index=True)
    # Alliance-level provisions (ATOP `milaid`, `base`, `intcom`, `organ1` greater than 0).
    military_aid: Mapped[bool] = mapped_column(Boolean)
    bases: Mapped[bool] = mapped_column(Boolean)
    integrated_command: Mapped[bool] = mapped_column(Boolean)
    organization: Mapped[bool] = mapped_column(Boolean)
    locator: Mapped[str] = mapped_column(String(80))  # where in the dataset: "atopid 3180"

    agreement: Mapped[Agreement | None] = relationship(lazy="raise")
    created_organization: Mapped[Organization | None] = relationship(lazy="raise")

    @property
    def obligations(self) -> list[Obligation]:
        """What any member promises in any phase (the members say who promises what)."""
        return [o for o in Obligation if any(getattr(m, o.value) for m in self.members)]

    members: Mapped[list["AllianceMember"]] = relationship(
        back_populates="alliance",
        lazy="raise",
        cascade="all, delete-orphan",
        order_by="[AllianceMember.start_date, AllianceMember.cow_code]",
    )
    targets: Mapped[list["AllianceTarget"]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="AllianceTarget.cow_code"
    )


class AllianceMember(PeriodMixin, NoteMixin, Base):
    """One ATOP member row: a state's spell in one phase of an alliance, with its obligations.

    Its dates are ATOP's; the party or membership it stands behind carries the tie, with the
    curated dates where curators recorded the membership (a disagreement is in `note`).
    """

    __tablename__ = "alliance_members"
    id: Mapped[int] = mapped_column(primary_key=True)
    alliance_id: Mapped[int] = part_of("alliances")
    country_id: Mapped[int] = mapped_column(ForeignKey("countries.id", ondelete="RESTRICT"))
    cow_code: Mapped[int] = mapped_column(Integer)
    phase: Mapped[int] = mapped_column(Integer)
    defense: Mapped[bool] = mapped_column(Boolean)
    offense: Mapped[bool] = mapped_column(Boolean)
    neutrality: Mapped[bool] = mapped_column(Boolean)
    non_aggression: Mapped[bool] = mapped_column(Boolean)
    consultation: Mapped[bool] = mapped_column(Boolean)
    party_id: Mapped[int | None] = mapped_column(
        ForeignKey("agreement_parties.id", ondelete="SET NULL"), index=True
    )
    membership_id: Mapped[int | None] = mapped_column(
        ForeignKey("memberships.id", ondelete="SET NULL"), index=True
    )
    # The row in the dataset, "atop3180:2:1949-04-04": (atopid, member, entry date), with the
    # phase where two rows share those.
    locator: Mapped[str] = mapped_column(String(80), unique=True)

    alliance: Mapped[Alliance] = relationship(back_populates="members", lazy="raise")

    @property
    def obligations(self) -> list[Obligation]:
        return [obligation for obligation in Obligation if getattr(self, obligation.value)]

    country: Mapped[Country] = relationship(lazy="raise")
    party: Mapped[AgreementParty | None] = relationship(lazy="raise")
    membership: Mapped[Membership | None] = relationship(lazy="raise")


class AllianceTarget(Base):
    """A state the alliance is directed against (ATOP `statthr1`, `statthr2`)."""

    __tablename__ = "alliance_targets"

    alliance_id: Mapped[int] = mapped_column(
        ForeignKey("alliances.id", ondelete="CASCADE"), primary_key=True
    )
    cow_code: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Null: a COW code that names no country in defcoop (kept, and said so).
    country_id: Mapped[int | None] = mapped_column(ForeignKey("countries.id", ondelete="RESTRICT"))

    country: Mapped[Country | None] = relationship(lazy="raise")
