"""A transfer is one deal of SIPRI's trade register: a supplier, a recipient, an order year,
the weapons ordered and delivered. Its parties are two rows (the supplier and the recipient),
so that the channel registry derives its ties like any other channel's, with the roles telling
who supplied whom.
"""

from enum import StrEnum

from sqlalchemy import Boolean, Float, Integer, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.columns import part_of, refers_to
from app.core.db import Base, Versioned
from app.core.meanings import ROW_ID
from app.core.periods import NoteMixin, enum_column
from app.countries.models import Country
from app.sources.models import Certainty, Citation, certainty_column, citations_of
from app.threats.models import ThreatCategory, threat_link_table


class TransferRole(StrEnum):
    supplier = "supplier"
    recipient = "recipient"


class DeliveryStatus(StrEnum):
    """Where the deal stood when the register was exported."""

    delivered = "delivered"  # every weapon ordered delivered
    ongoing = "ongoing"  # fewer delivered than ordered (or numbers unknown), not cancelled
    cancelled = "cancelled"  # the register marks the deal cancelled


transfer_threats = threat_link_table("transfer_threats", "transfer_id", "transfers")


def _estimated(figure: str) -> Mapped[bool]:
    return mapped_column(
        Boolean,
        default=False,
        server_default=false(),
        doc=f"true: SIPRI marks `{figure}` as an estimate (in parentheses) or uncertain",
    )


class Transfer(NoteMixin, Versioned, Base):
    """One arms transfer deal of SIPRI's trade register: the weapons a supplier ordered for a
    recipient and delivered, by year."""

    __tablename__ = "transfers"

    id: Mapped[int] = mapped_column(primary_key=True, doc=ROW_ID)
    slug: Mapped[str] = mapped_column(
        String(160), unique=True, doc="Stable key: supplier, recipient, order year and weapon"
    )
    name: Mapped[str] = mapped_column(
        String(300), doc="The weapon, supplier, recipient and order year, in words"
    )
    order_year: Mapped[int] = mapped_column(Integer, doc="Year of the order (SIPRI)")
    order_year_estimated: Mapped[bool] = _estimated("order_year")
    number_ordered: Mapped[int | None] = mapped_column(
        Integer, doc="Number of weapons ordered; empty: unknown"
    )
    number_ordered_estimated: Mapped[bool] = _estimated("number_ordered")
    weapon_designation: Mapped[str | None] = mapped_column(
        String(200), doc="The weapon's designation (SIPRI), e.g. `F-16C`; empty: not given"
    )
    weapon_description: Mapped[str | None] = mapped_column(
        String(200), doc="What kind of weapon it is (SIPRI), e.g. `FGA aircraft`; empty: not given"
    )
    number_delivered: Mapped[int | None] = mapped_column(
        Integer, doc="Number of weapons delivered so far; empty: unknown"
    )
    number_delivered_estimated: Mapped[bool] = _estimated("number_delivered")
    # The years of delivery as the register lists them ("2011; 2012"), and the last one known,
    # which ends the deal's ties.
    delivery_years: Mapped[str | None] = mapped_column(String(200))
    last_delivery_year: Mapped[int | None] = mapped_column(Integer)
    delivery_status: Mapped[DeliveryStatus] = mapped_column(
        enum_column(DeliveryStatus, "delivery_status")
    )
    # The register's own status cell (e.g. "New", "Second hand"), verbatim.
    status: Mapped[str | None] = mapped_column(String(100))
    comments: Mapped[str | None] = mapped_column(
        String(2000), doc="The register's comments on the deal, verbatim; empty: none"
    )
    tiv_per_unit: Mapped[float | None] = mapped_column(Float)
    tiv_total_order: Mapped[float | None] = mapped_column(Float)
    tiv_delivered: Mapped[float | None] = mapped_column(Float)
    certainty: Mapped[Certainty] = certainty_column()

    parties: Mapped[list["TransferParty"]] = relationship(
        back_populates="transfer", lazy="raise", cascade="all, delete-orphan"
    )
    threats: Mapped[list[ThreatCategory]] = relationship(
        secondary=transfer_threats, lazy="raise", order_by=ThreatCategory.slug
    )
    citations: Mapped[list[Citation]] = citations_of(Citation.transfer_id)

    def _country(self, role: "TransferRole") -> Country:
        return next(party.country for party in self.parties if party.role == role)

    @property
    def supplier(self) -> Country:
        return self._country(TransferRole.supplier)

    @property
    def recipient(self) -> Country:
        return self._country(TransferRole.recipient)


class TransferParty(Base):
    """The supplier or the recipient of a transfer."""

    __tablename__ = "transfer_parties"
    __table_args__ = (UniqueConstraint("transfer_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True, doc=ROW_ID)
    transfer_id: Mapped[int] = part_of("transfers", doc="The transfer")
    country_id: Mapped[int] = refers_to("countries", doc="The supplier or the recipient")
    role: Mapped[TransferRole] = mapped_column(
        enum_column(TransferRole, "role"),
        doc="`supplier` or `recipient`: its tie points from the supplier to the recipient",
    )
    certainty: Mapped[Certainty] = certainty_column()

    transfer: Mapped[Transfer] = relationship(back_populates="parties", lazy="raise")
    country: Mapped[Country] = relationship(lazy="raise")
    citations: Mapped[list[Citation]] = citations_of(Citation.transfer_party_id)
