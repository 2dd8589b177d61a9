from datetime import date
from enum import StrEnum

from sqlalchemy import Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

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
