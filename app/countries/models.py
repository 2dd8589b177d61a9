from datetime import date
from enum import StrEnum

from sqlalchemy import CheckConstraint, Date, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.columns import part_of, refers_to
from app.core.db import Base, Versioned
from app.core.periods import enum_column


class CountryKind(StrEnum):
    iso = "iso"  # a current ISO 3166-1 country
    historical = "historical"  # a state that ceased to exist (ISO 3166-3 or COW)
    non_iso = "non_iso"  # an entity ISO 3166-1 lacks (Kosovo)


class Country(Versioned, Base):
    __tablename__ = "countries"

    id: Mapped[int] = mapped_column(primary_key=True)
    iso3: Mapped[str] = mapped_column(String(3), unique=True)
    iso2: Mapped[str | None] = mapped_column(String(2), unique=True)
    numeric_code: Mapped[str | None] = mapped_column(String(3))
    # The current COW code, or the last one of a state that ceased to exist; the dated codes
    # are in `country_cow_codes`.
    cow_code: Mapped[int | None] = mapped_column(Integer, index=True)
    name: Mapped[str] = mapped_column(String(120), index=True)
    name_id: Mapped[str] = mapped_column(String(120))
    official_name: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[CountryKind] = mapped_column(enum_column(CountryKind, "kind"))
    region: Mapped[str | None] = mapped_column(String(60))
    subregion: Mapped[str | None] = mapped_column(String(60))
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(String(2000))


class CowCodePeriod(Base):
    """A Correlates of War code a country carried, and when: [valid_from, valid_until), half-open
    like every period of defcoop (valid_until is the first day it no longer applies; null: still
    does). Each row comes from one spell (row) of the COW State System Membership list, cited
    by `source_id` and `locator`; a spell split between two countries (COW 365: Russia, then
    the Soviet Union, then Russia) gives a row to each, with the same locator."""

    __tablename__ = "country_cow_codes"
    __table_args__ = (
        UniqueConstraint("country_id", "cow_code", "valid_from"),
        CheckConstraint(
            "valid_from IS NULL OR valid_until IS NULL OR valid_from < valid_until",
            name="period_order",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    country_id: Mapped[int] = part_of("countries")
    cow_code: Mapped[int] = mapped_column(Integer, index=True)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    source_id: Mapped[str] = refers_to("sources")
    locator: Mapped[str] = mapped_column(String(300))
    note: Mapped[str | None] = mapped_column(String(2000))
