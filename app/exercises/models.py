from enum import StrEnum

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.columns import part_of, refers_to
from app.core.db import Base, Versioned
from app.core.periods import NoteMixin, PeriodMixin, enum_column
from app.countries.models import Country
from app.sources.models import Certainty, Citation, certainty_column, citations_of
from app.threats.models import ThreatLink, threat_link_table


class ActivityKind(StrEnum):
    warfighting = "warfighting"  # combat simulation
    disaster_response = "disaster_response"
    humanitarian_assistance = "humanitarian_assistance"
    peacekeeping = "peacekeeping"
    maritime_security = "maritime_security"
    cyber_defense = "cyber_defense"
    counter_terrorism = "counter_terrorism"


class Domain(StrEnum):
    """Where an exercise takes place, as the MME dataset codes it."""

    command_post = "command_post"
    air = "air"
    land = "land"
    sea = "sea"
    amphibious = "amphibious"
    cyber = "cyber"


class ParticipantRole(StrEnum):
    full_participant = "full_participant"
    humanitarian_only = "humanitarian_only"
    staff_only = "staff_only"
    observer = "observer"


edition_threats = threat_link_table("edition_threats", "edition_id", "exercise_editions")


class EditionThreat(ThreatLink, Base):
    """A link of one edition to a threat, with its period and source."""

    __table__ = edition_threats


edition_activities = Table(
    "edition_activities",
    Base.metadata,
    Column("edition_id", ForeignKey("exercise_editions.id", ondelete="CASCADE"), primary_key=True),
    Column("activity", enum_column(ActivityKind, "activity"), primary_key=True),
)

edition_domains = Table(
    "edition_domains",
    Base.metadata,
    Column("edition_id", ForeignKey("exercise_editions.id", ondelete="CASCADE"), primary_key=True),
    Column("domain", enum_column(Domain, "domain"), primary_key=True),
)


class ExerciseSeries(Versioned, Base):
    __tablename__ = "exercise_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    name_id: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)

    editions: Mapped[list["ExerciseEdition"]] = relationship(
        back_populates="series",
        lazy="raise",
        cascade="all, delete-orphan",
        order_by="ExerciseEdition.year, ExerciseEdition.id",
    )
    citations: Mapped[list[Citation]] = citations_of(Citation.series_id)


class ExerciseEdition(PeriodMixin, NoteMixin, Versioned, Base):
    __tablename__ = "exercise_editions"

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = part_of("exercise_series")
    slug: Mapped[str] = mapped_column(String(160), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    year: Mapped[int] = mapped_column(Integer, index=True)
    ordinal: Mapped[int | None] = mapped_column(Integer)
    location: Mapped[str | None] = mapped_column(String(300))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    personnel: Mapped[int | None] = mapped_column(Integer)
    description: Mapped[str | None] = mapped_column(Text)
    certainty: Mapped[Certainty] = certainty_column()

    series: Mapped[ExerciseSeries] = relationship(back_populates="editions", lazy="raise")
    participations: Mapped[list["Participation"]] = relationship(
        back_populates="edition", lazy="raise", cascade="all, delete-orphan"
    )
    # Its threats, each link with its period and source (ordered by slug in the API).
    threats: Mapped[list[EditionThreat]] = relationship(lazy="raise", viewonly=True)
    citations: Mapped[list[Citation]] = citations_of(Citation.edition_id)


class Participation(NoteMixin, Base):
    __tablename__ = "participations"
    __table_args__ = (UniqueConstraint("edition_id", "country_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = part_of("exercise_editions")
    country_id: Mapped[int] = refers_to("countries")
    role: Mapped[ParticipantRole] = mapped_column(enum_column(ParticipantRole, "role"))
    is_host: Mapped[bool] = mapped_column(Boolean, default=False)
    certainty: Mapped[Certainty] = certainty_column()

    edition: Mapped[ExerciseEdition] = relationship(back_populates="participations", lazy="raise")
    country: Mapped[Country] = relationship(lazy="raise")
    citations: Mapped[list[Citation]] = citations_of(Citation.participation_id)
