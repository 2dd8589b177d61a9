from enum import StrEnum
from typing import ClassVar

from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.columns import coordinate, part_of, refers_to
from app.core.db import Base, Versioned
from app.core.meanings import DESCRIPTION, NAME_ID, ROW_ID, SLUG
from app.core.periods import NoteMixin, PeriodMixin, enum_column
from app.countries.models import Country
from app.sources.models import Certainty, Citation, certainty_column, citations_of
from app.threats.models import ThreatLink, threat_link_table, threat_links


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


def _edition_tags(name: str, column: str, kind: type[StrEnum], doc: str) -> Table:
    """A set of tags of an edition (what it practised, where it took place): one row a tag."""
    return Table(
        name,
        Base.metadata,
        Column(
            "edition_id",
            ForeignKey("exercise_editions.id", ondelete="CASCADE"),
            primary_key=True,
            doc="The edition",
        ),
        Column(column, enum_column(kind, column), primary_key=True, doc=doc),
        info={"doc": f"The {column} tags of each exercise edition, one row a tag"},
    )


edition_activities = _edition_tags(
    "edition_activities",
    "activity",
    ActivityKind,
    "One thing the edition practised (`warfighting`: combat simulation)",
)
edition_domains = _edition_tags(
    "edition_domains", "domain", Domain, "One domain the edition took place in, as MME codes it"
)


class ExerciseSeries(Versioned, Base):
    """A series of military exercises held under one name (Cobra Gold), with its editions."""

    __tablename__ = "exercise_series"

    id: Mapped[int] = mapped_column(primary_key=True, doc=ROW_ID)
    slug: Mapped[str] = mapped_column(String(120), unique=True, doc=SLUG)
    name: Mapped[str] = mapped_column(String(200), index=True, doc="English name of the series")
    name_id: Mapped[str | None] = mapped_column(String(200), doc=NAME_ID)
    description: Mapped[str | None] = mapped_column(Text, doc=DESCRIPTION)

    editions: Mapped[list["ExerciseEdition"]] = relationship(
        back_populates="series",
        lazy="raise",
        cascade="all, delete-orphan",
        order_by="ExerciseEdition.year, ExerciseEdition.id",
    )
    citations: Mapped[list[Citation]] = citations_of(Citation.series_id)


class ExerciseEdition(PeriodMixin, NoteMixin, Versioned, Base):
    """One edition of an exercise series: the exercise held in one year, whose participants are
    tied to each other for that year."""

    __tablename__ = "exercise_editions"
    __column_docs__: ClassVar[dict[str, str]] = {
        "start_date": "When it began, as its sources give it; empty: unknown (its ties cover "
        "its `year`)",
        "end_date": "When it ended, as its sources give it; empty: unknown",
    }

    id: Mapped[int] = mapped_column(primary_key=True, doc=ROW_ID)
    series_id: Mapped[int] = part_of("exercise_series", doc="The series it is an edition of")
    slug: Mapped[str] = mapped_column(
        String(160), unique=True, doc="Stable key, unique across all series (`{series}-{year}`)"
    )
    name: Mapped[str] = mapped_column(
        String(200), doc="English name (by default `{series name} {year}`)"
    )
    year: Mapped[int] = mapped_column(
        Integer, index=True, doc="The year it was held: its ties cover that year"
    )
    ordinal: Mapped[int | None] = mapped_column(
        Integer, doc="Its number in the series; empty: unknown"
    )
    location: Mapped[str | None] = mapped_column(
        String(300), doc="Where it was held, as the source names it; empty: not recorded"
    )
    latitude: Mapped[float | None] = coordinate("Latitude", "the location")
    longitude: Mapped[float | None] = coordinate("Longitude", "the location")
    personnel: Mapped[int | None] = mapped_column(
        Integer, doc="Personnel taking part, all countries together; empty: not recorded"
    )
    description: Mapped[str | None] = mapped_column(Text, doc=DESCRIPTION)
    certainty: Mapped[Certainty] = certainty_column()

    series: Mapped[ExerciseSeries] = relationship(back_populates="editions", lazy="raise")
    participations: Mapped[list["Participation"]] = relationship(
        back_populates="edition", lazy="raise", cascade="all, delete-orphan"
    )
    # Its threats, each link with its period and source (ordered by slug in the API).
    threats: Mapped[list[ThreatLink]] = threat_links(edition_threats)
    citations: Mapped[list[Citation]] = citations_of(Citation.edition_id)


class Participation(NoteMixin, Base):
    """A country taking part in an exercise edition, and how."""

    __tablename__ = "participations"
    __table_args__ = (UniqueConstraint("edition_id", "country_id"),)

    id: Mapped[int] = mapped_column(primary_key=True, doc=ROW_ID)
    edition_id: Mapped[int] = part_of("exercise_editions", doc="The edition")
    country_id: Mapped[int] = refers_to("countries", doc="The participating country")
    role: Mapped[ParticipantRole] = mapped_column(
        enum_column(ParticipantRole, "role"),
        doc="How it took part: `full_participant`, `humanitarian_only`, `staff_only` or "
        "`observer` (an observer is not tied to the others)",
    )
    is_host: Mapped[bool] = mapped_column(
        Boolean, default=False, doc="true: the country hosted the edition"
    )
    certainty: Mapped[Certainty] = certainty_column()

    edition: Mapped[ExerciseEdition] = relationship(back_populates="participations", lazy="raise")
    country: Mapped[Country] = relationship(lazy="raise")
    citations: Mapped[list[Citation]] = citations_of(Citation.participation_id)
