from datetime import date
from enum import StrEnum

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, false, text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base
from app.core.periods import enum_column
from app.sources.models import Certainty, certainty_column


class TieChannel(StrEnum):
    organization = "organization"
    exercise = "exercise"
    agreement = "agreement"
    operation = "operation"
    transfer = "transfer"


class Tie(Base):
    """Derived: one row per pair of fact rows that put two countries in one initiative.

    Stored in both directions, so that a country's ties are one index range; in a directed
    channel the roles say which way the tie points (`country_role` supplier: the country
    supplied the partner). Never edited
    by hand: `app.cooperation.derivation` rebuilds it from the fact tables in the same
    transaction as every change to them, so it cannot disagree with them.
    """

    __tablename__ = "ties"
    __table_args__ = (
        Index("ix_ties_country_partner", "country_id", "partner_id"),
        Index("ix_ties_channel_initiative", "channel", "initiative_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    country_id: Mapped[int] = mapped_column(ForeignKey("countries.id", ondelete="CASCADE"))
    partner_id: Mapped[int] = mapped_column(ForeignKey("countries.id", ondelete="CASCADE"))
    channel: Mapped[TieChannel] = mapped_column(enum_column(TieChannel, "channel"))
    # The organization, exercise edition, agreement or operation, by channel.
    initiative_id: Mapped[int] = mapped_column(Integer)
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    certainty: Mapped[Certainty] = certainty_column()
    # The membership, participation, party or contribution rows behind each side.
    country_fact_id: Mapped[int] = mapped_column(Integer)
    partner_fact_id: Mapped[int] = mapped_column(Integer)
    country_role: Mapped[str] = mapped_column(String(32))
    partner_role: Mapped[str] = mapped_column(String(32))
    # The start comes from a bound (the initiative's start, a country's validity), not the facts.
    start_inferred: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


def _key(table: str) -> Mapped[int]:
    """A key column of the per-pair aggregates: a country or a threat category."""
    return mapped_column(ForeignKey(f"{table}.id", ondelete="CASCADE"), primary_key=True)


def _channel_key() -> Mapped[TieChannel]:
    return mapped_column(enum_column(TieChannel, "channel"), primary_key=True)


class _PairFigures:
    """What a per-pair aggregate says of the ties it counts."""

    # Distinct initiatives behind the ties.
    initiatives: Mapped[int] = mapped_column(Integer)
    # In a directed channel (transfer: supplier -> recipient), those in which the country is
    # the source (it supplied the partner) and those in which the partner is; 0 elsewhere.
    outgoing: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    incoming: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    # The earliest start of the ties, null when any tie's start is unknown.
    start_date: Mapped[date | None] = mapped_column(Date)
    # The latest end of the ties, null when any tie is ongoing.
    end_date: Mapped[date | None] = mapped_column(Date)
    # The distinct year ranges of the ties, "first-last" joined by commas, with an empty first
    # for an unknown start and an empty last for an ongoing tie ("1967-,2015-2015"): a pair's
    # years with an active tie are their union (over channels, within a window) at read time.
    years: Mapped[str] = mapped_column(Text, default="", server_default="")


class PartnerChannel(_PairFigures, Base):
    """Derived: a country's ties with one partner through one channel, aggregated.

    One row per (country, partner, channel) that has at least one tie, in both directions,
    so that a country's partners are one short index range (a few hundred rows for the
    busiest country, whatever the size of the fact tables). Rebuilt by `refresh_ties` from
    the ties table in the same transaction as the ties.
    """

    __tablename__ = "partner_channels"

    country_id: Mapped[int] = _key("countries")
    partner_id: Mapped[int] = _key("countries")
    channel: Mapped[TieChannel] = _channel_key()


class PartnerThreat(_PairFigures, Base):
    """Derived: like `PartnerChannel`, over only the ties whose initiative addresses a threat
    (their years: those in which the ties address it).

    Answers "partners against this threat" (counts and years) and lists each pair's threats.
    """

    __tablename__ = "partner_threats"

    country_id: Mapped[int] = _key("countries")
    partner_id: Mapped[int] = _key("countries")
    channel: Mapped[TieChannel] = _channel_key()
    threat_id: Mapped[int] = _key("threat_categories")


class PartnerCoThreat(Base):
    """Derived: the threats of the pair's initiatives that address `threat_id`.

    With a threat filter, a partner's listed threats are every threat of the matching
    initiatives: (country, threat, partner, channel) -> those threats, one row each.
    """

    __tablename__ = "partner_co_threats"

    country_id: Mapped[int] = _key("countries")
    threat_id: Mapped[int] = _key("threat_categories")
    partner_id: Mapped[int] = _key("countries")
    channel: Mapped[TieChannel] = _channel_key()
    co_threat_id: Mapped[int] = _key("threat_categories")
