from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from app.core.periods import DatePrecision
from app.countries.schemas import CountryRef
from app.exercises.models import ActivityKind, Domain, ParticipantRole
from app.sources.models import Certainty
from app.sources.schemas import CitationOut, Evidence
from app.threats.schemas import ThreatRef


class Participant(Evidence):
    country: CountryRef
    role: ParticipantRole
    is_host: bool


class EditionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    slug: str = Field(examples=["cobra-gold-2024"])
    name: str = Field(examples=["Cobra Gold 2024"])
    year: int = Field(examples=[2024])
    ordinal: int | None = Field(description="Its number in the series", examples=[43])
    start_date: date | None
    start_precision: DatePrecision | None
    end_date: date | None
    end_precision: DatePrecision | None
    location: str | None = Field(examples=["U-Tapao, Thailand"])
    latitude: float | None
    longitude: float | None
    personnel: int | None = Field(examples=[9590])
    description: str | None
    certainty: Certainty
    note: str | None
    activities: list[ActivityKind]
    domains: list[Domain]
    threats: list[ThreatRef]
    hosts: list[CountryRef]
    participants: list[Participant]
    sources: list[CitationOut]


class SeriesOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    slug: str = Field(examples=["cobra-gold"])
    name: str = Field(examples=["Cobra Gold"])
    name_id: str | None
    edition_count: int = Field(description="Editions matching the filters")
    first_year: int = Field(description="Year of the first matching edition", examples=[1982])
    last_year: int = Field(description="Year of the last matching edition", examples=[2025])
    activities: list[ActivityKind] = Field(description="Activities of the matching editions")
    threats: list[ThreatRef] = Field(description="Threats of the matching editions")


class SeriesDetail(SeriesOut):
    description: str | None
    sources: list[CitationOut]
    editions: list[EditionOut]
