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
from typing import ClassVar

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.agreements.models import Agreement, AgreementParty
from app.core.columns import part_of, precision_column
from app.core.db import Base
from app.core.meanings import ROW_ID
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


def _stands_behind(table: str, doc: str) -> Mapped[int | None]:
    """The indexed reference to the curated or imported row of `table` that carries the
    ties of an ATOP record: cleared, not cascaded, when curators delete that row."""
    return mapped_column(ForeignKey(f"{table}.id", ondelete="SET NULL"), index=True, doc=doc)


def _provision(what: str, atop_column: str) -> Mapped[bool]:
    return mapped_column(Boolean, doc=f"The treaty provides for {what} (ATOP `{atop_column}` > 0)")


def _obligation(what: str, atop_column: str) -> Mapped[bool]:
    return mapped_column(
        Boolean, doc=f"In this phase, the member promises to {what} (ATOP `{atop_column}`)"
    )


class Alliance(Base):
    """An alliance as ATOP codes it: a treaty among states, whose members are tied through the
    agreement or organization that carries it in defcoop."""

    __tablename__ = "alliances"
    id: Mapped[int] = mapped_column(primary_key=True, doc=ROW_ID)
    atop_id: Mapped[int] = mapped_column(
        Integer, unique=True, doc="The ATOP alliance id (`atopid`)"
    )
    slug: Mapped[str] = mapped_column(String(40), unique=True, doc="Stable key: `atop-<atopid>`")
    name: Mapped[str] = mapped_column(
        String(300), doc="English name, or the label `ATOP <atopid>` when none is known"
    )
    name_is_label: Mapped[bool] = mapped_column(
        Boolean, doc="true: ATOP gives no name and none is known: `name` is the label"
    )
    agreement_id: Mapped[int | None] = _stands_behind(
        "agreements",
        "The agreement whose parties are the members and carry their ties; empty: an "
        "organization's members do, or curators deleted the agreement the import made",
    )
    organization_id: Mapped[int | None] = _stands_behind(
        "organizations",
        "The curated organization the alliance created (NATO for ATOP 3180); empty: none",
    )
    start_date: Mapped[date] = mapped_column(Date, doc="When the alliance began (ATOP)")
    start_precision: Mapped[DatePrecision] = precision_column("start")
    end_date: Mapped[date | None] = mapped_column(
        Date, doc="When it ended (ATOP); empty: in force at the end of ATOP's coverage (2018)"
    )
    end_precision: Mapped[DatePrecision | None] = precision_column("end")
    phases: Mapped[int] = mapped_column(
        Integer, doc="How many phases ATOP codes (a phase changes members or obligations)"
    )
    cow_id: Mapped[int | None] = mapped_column(
        Integer, doc="COW Formal Alliances v3 id (ATOP `cowid`); empty: COW does not code it"
    )
    cow4_id: Mapped[int | None] = mapped_column(
        Integer,
        index=True,
        doc="COW Formal Alliances v4.1 id (ATOP `cow4id`); empty: COW does not code it",
    )
    military_aid: Mapped[bool] = _provision("military aid", "milaid")
    bases: Mapped[bool] = _provision("bases on a member's territory", "base")
    integrated_command: Mapped[bool] = _provision("an integrated military command", "intcom")
    organization: Mapped[bool] = _provision("a formal organization", "organ1")
    locator: Mapped[str] = mapped_column(String(80), doc="Where in ATOP: `atopid 3180`")

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
    __column_docs__: ClassVar[dict[str, str]] = {
        "start_date": "When the member entered this phase (ATOP)",
        "end_date": "When it left (ATOP); empty: in force at the end of ATOP's coverage",
        "note": "Where ATOP's dates differ from the curated record's, which stand; empty: they "
        "do not",
    }

    id: Mapped[int] = mapped_column(primary_key=True, doc=ROW_ID)
    alliance_id: Mapped[int] = part_of("alliances", doc="The alliance")
    country_id: Mapped[int] = mapped_column(
        ForeignKey("countries.id", ondelete="RESTRICT"), doc="The member state"
    )
    cow_code: Mapped[int] = mapped_column(Integer, doc="The member's COW state code in ATOP")
    phase: Mapped[int] = mapped_column(Integer, doc="The alliance's phase of the row (ATOP)")
    defense: Mapped[bool] = _obligation("defend its allies if attacked", "defense")
    offense: Mapped[bool] = _obligation("join an offensive", "offense")
    neutrality: Mapped[bool] = _obligation("stay neutral if an ally is at war", "neutral")
    non_aggression: Mapped[bool] = _obligation("not attack its allies", "nonagg")
    consultation: Mapped[bool] = _obligation("consult in a crisis", "consul")
    party_id: Mapped[int | None] = _stands_behind(
        "agreement_parties",
        "The agreement party the row stands behind (which carries the tie); empty when a "
        "membership does, or curators deleted it",
    )
    membership_id: Mapped[int | None] = _stands_behind(
        "memberships",
        "The organization membership the row stands behind (which carries the tie); empty "
        "when an agreement party does, or curators deleted it",
    )
    locator: Mapped[str] = mapped_column(
        String(80),
        unique=True,
        doc="The row in ATOP: `atop3180:2:1949-04-04` (atopid, member COW code, entry date), "
        "with the phase where two rows share those",
    )

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
        ForeignKey("alliances.id", ondelete="CASCADE"), primary_key=True, doc="The alliance"
    )
    cow_code: Mapped[int] = mapped_column(
        Integer, primary_key=True, doc="The target's COW state code (ATOP `statthr1`, `statthr2`)"
    )
    country_id: Mapped[int | None] = mapped_column(
        ForeignKey("countries.id", ondelete="RESTRICT"),
        doc="The target state; empty: a COW code that names no country in defcoop",
    )

    country: Mapped[Country | None] = relationship(lazy="raise")
