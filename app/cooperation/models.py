from datetime import date
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base
from app.core.periods import enum_column
from app.sources.models import Certainty, certainty_column


class TieChannel(StrEnum):
    organization = "organization"
    exercise = "exercise"
    agreement = "agreement"
    operation = "operation"


class Tie(Base):
    """Derived: one row per pair of fact rows that put two countries in one initiative.

    Stored in both directions, so that a country's ties are one index range. Never edited
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
