from datetime import date
from enum import StrEnum

from sqlalchemy import CheckConstraint, Date, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.columns import part_of, refers_to
from app.core.db import Base, Versioned
from app.core.meanings import LOCATOR, NOTE, ROW_ID
from app.core.periods import enum_column


class CountryKind(StrEnum):
    iso = "iso"  # a current ISO 3166-1 country
    historical = "historical"  # a state that ceased to exist (ISO 3166-3 or COW)
    non_iso = "non_iso"  # an entity ISO 3166-1 lacks (Kosovo)


class Country(Versioned, Base):
    """A country: a current ISO 3166-1 country, a state that ceased to exist, or an entity ISO
    lacks."""

    __tablename__ = "countries"

    id: Mapped[int] = mapped_column(primary_key=True, doc=ROW_ID)
    iso3: Mapped[str] = mapped_column(
        String(3),
        unique=True,
        doc="ISO 3166-1 alpha-3 code (ISO 3166-3 for a state that ceased to exist), or the "
        "code defcoop gives an entity ISO lacks: the key to cite a country by",
    )
    iso2: Mapped[str | None] = mapped_column(
        String(2), unique=True, doc="ISO 3166-1 alpha-2 code; empty: none (historical states)"
    )
    numeric_code: Mapped[str | None] = mapped_column(
        String(3), doc="ISO 3166-1 numeric code (UN M49); empty: none"
    )
    cow_code: Mapped[int | None] = mapped_column(
        Integer,
        index=True,
        doc="Correlates of War state code: the current one, or the last of a state that ceased "
        "to exist (the dated codes are in `country_cow_codes`); empty: COW codes none",
    )
    name: Mapped[str] = mapped_column(String(120), index=True, doc="Short English name")
    name_id: Mapped[str] = mapped_column(
        String(120), doc="Name in Indonesian (the English one where none is known)"
    )
    official_name: Mapped[str | None] = mapped_column(
        String(200), doc="Official English name (ISO 3166-1); empty: not recorded"
    )
    kind: Mapped[CountryKind] = mapped_column(
        enum_column(CountryKind, "kind"),
        doc="`iso`: a current ISO 3166-1 country; `historical`: a state that ceased to exist "
        "(ISO 3166-3 or COW); `non_iso`: an entity ISO 3166-1 lacks (Kosovo)",
    )
    region: Mapped[str | None] = mapped_column(
        String(60), doc="Continent (country_converter's `continent`); empty: not recorded"
    )
    subregion: Mapped[str | None] = mapped_column(
        String(60), doc="UN M49 sub-region; empty: not recorded"
    )
    valid_from: Mapped[date | None] = mapped_column(
        Date,
        doc="First day the state existed, for a state that ceased to exist; empty: not bounded",
    )
    valid_until: Mapped[date | None] = mapped_column(
        Date,
        doc="First day the state no longer existed (exclusive), for a state that ceased to "
        "exist; empty: it still exists",
    )
    note: Mapped[str | None] = mapped_column(String(2000), doc=NOTE)


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

    id: Mapped[int] = mapped_column(primary_key=True, doc=ROW_ID)
    country_id: Mapped[int] = part_of("countries", doc="The country that carried the code")
    cow_code: Mapped[int] = mapped_column(
        Integer, index=True, doc="Correlates of War state code (COW `ccode`)"
    )
    valid_from: Mapped[date | None] = mapped_column(
        Date, doc="First day the code applies (the spell's start in COW); empty: not bounded"
    )
    valid_until: Mapped[date | None] = mapped_column(
        Date,
        doc="The first day it no longer applies (the day after COW's end date); empty: it "
        "still applies",
    )
    source_id: Mapped[str] = refers_to(
        "sources", doc="The source of the spell (the COW State System Membership list)"
    )
    locator: Mapped[str] = mapped_column(String(300), doc=LOCATOR)
    note: Mapped[str | None] = mapped_column(
        String(2000),
        doc="Where the period differs from the COW spell it comes from, and why; empty: it "
        "does not",
    )
