from datetime import date
from typing import Annotated, ClassVar

from pydantic import BaseModel, Field

from app.core.fields import example_body, indonesian_name, precision_field
from app.core.inputs import (
    SLUG_PATTERN,
    Checked,
    CountryCodeIn,
    Description,
    Input,
    InputDate,
    Name,
    Note,
    Patch,
    fill_dates,
    listed_twice,
    period_error,
)
from app.core.language import Named
from app.core.params import NO_CONTROL_CHARACTERS
from app.core.periods import DatePrecision
from app.countries.schemas import CountryRef
from app.exercises.models import ActivityKind, Domain, ParticipantRole
from app.sources.models import Certainty
from app.sources.schemas import CitationOut, Evidence, Sources, listed_sources, replacing_sources
from app.threats.schemas import InitiativeCreate, InitiativeUpdate, ThreatLinks, ThreatRef


class Participant(Evidence):
    country: CountryRef
    role: ParticipantRole
    is_host: bool


class EditionOut(Named):
    name_kind: ClassVar[str] = "exercise_edition"

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
    threats: ThreatLinks
    hosts: list[CountryRef]
    participants: list[Participant]
    sources: list[CitationOut]


class SeriesOut(Named):
    name_kind: ClassVar[str] = "exercise_series"

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


class EditionRef(Named):
    name_kind: ClassVar[str] = "exercise_edition"

    slug: str = Field(examples=["cobra-gold-2024"])
    name: str = Field(examples=["Cobra Gold 2024"])


class SeriesRef(Named):
    name_kind: ClassVar[str] = "exercise_series"

    slug: str = Field(examples=["cobra-gold"])
    name: str = Field(examples=["Cobra Gold"])


class ParticipationRow(BaseModel):
    """One country in one exercise edition, with what is known of the edition."""

    edition: EditionRef
    series: SeriesRef
    year: int = Field(description="The edition's year", examples=[2024])
    start_date: date | None
    start_precision: DatePrecision | None
    end_date: date | None
    end_precision: DatePrecision | None
    country: CountryRef
    role: ParticipantRole
    is_host: bool = Field(description="The country hosts the edition")
    certainty: Certainty = Field(description="Of this country's participation")
    hosts: list[CountryRef] = Field(description="Every host of the edition")
    domains: list[Domain]
    activities: list[ActivityKind]
    threats: ThreatLinks
    sources: list[CitationOut] = Field(description="The edition's sources")
    citations: list[str] = Field(
        description="The edition's sources as `source_id:locator` (the CSV's `sources` column "
        "holds only the ids)",
        examples=[["mme-v7:mme243", "ap-cobra-gold:Cobra Gold"]],
    )


# --- input: what the write routes accept --------------------------------------------------

EditionSlug = Annotated[
    str, Field(min_length=1, max_length=160, pattern=SLUG_PATTERN, examples=["cobra-gold-2026"])
]


class ParticipantFields(Input):
    role: ParticipantRole = Field(
        default=ParticipantRole.full_participant, examples=["full_participant"]
    )
    is_host: bool = Field(
        strict=True, examples=[True], default=False, description="The country hosts the edition"
    )
    certainty: Certainty = Field(default=Certainty.confirmed, examples=["confirmed"])
    note: Note | None = Field(default=None, examples=["Figures from the 2024 fact sheet."])


class ParticipantIn(ParticipantFields):
    """A participant listed with its edition."""

    country: CountryCodeIn
    sources: Sources | None = listed_sources("Cobra Gold", "participation", "edition")


class ParticipantPut(ParticipantFields):
    """A country's participation in an edition; replaces what is stored."""

    model_config = example_body(
        {
            "role": "observer",
            "sources": [{"source": "article", "locator": "Cobra Gold"}],
        }
    )

    sources: Sources = Field(examples=[[{"source": "article", "locator": "Cobra Gold"}]])


_EDITION_DATES = ("start", "end")
Location = Annotated[str, Field(min_length=1, max_length=300, pattern=NO_CONTROL_CHARACTERS)]


class EditionFields(Input):
    ordinal: int | None = Field(
        strict=True,
        default=None,
        ge=1,
        le=10_000,
        description="Its number in the series",
        examples=[43],
    )
    start_date: InputDate | None = Field(default=None, examples=["2026-02-24"])
    start_precision: DatePrecision | None = precision_field("day")
    end_date: InputDate | None = Field(default=None, examples=["2026-03-07"])
    end_precision: DatePrecision | None = Field(default=None, examples=["day"])
    location: Location | None = Field(default=None, examples=["U-Tapao, Thailand"])
    latitude: float | None = Field(strict=True, default=None, ge=-90, le=90, examples=[12.68])
    longitude: float | None = Field(strict=True, default=None, ge=-180, le=180, examples=[101.0])
    personnel: int | None = Field(strict=True, default=None, ge=0, le=10_000_000, examples=[9590])
    description: Description | None = Field(
        default=None, examples=["An annual exercise, newlines allowed."]
    )
    note: Note | None = Field(default=None, examples=["Figures from the 2024 fact sheet."])
    activities: list[ActivityKind] = Field(
        default=[], max_length=7, examples=[["humanitarian_assistance"]]
    )
    domains: list[Domain] = Field(default=[], max_length=6, examples=[["land", "sea"]])


def edition_errors(
    start: date | None,
    end: date | None,
    year: int | None,
    activities: list[ActivityKind],
    domains: list[Domain],
) -> list[str]:
    """What is wrong with an edition's period, year and tags (for a body or a merged row)."""
    errors = [
        error
        for error in (
            period_error(start, end, "start_date", "end_date"),
            listed_twice(activities, "activity"),
            listed_twice(domains, "domain"),
        )
        if error
    ]
    if year is not None and start is not None and start.year != year:
        errors.append(f"start_date ({start}) is not in the year {year}")
    return errors


class EditionCreate(EditionFields, InitiativeCreate):
    """A new edition with its participants; participants without sources cite the edition's."""

    model_config = example_body(
        {
            "year": 2026,
            "slug": "cobra-gold-2026",
            "start_date": "2026-02-24",
            "activities": ["warfighting"],
            "threats": ["armed-conflict"],
            "participants": [
                {"country": "THA", "is_host": True},
                {"country": "USA", "is_host": True},
                {"country": "IDN"},
            ],
            "sources": [{"source": "article", "locator": "Cobra Gold"}],
        }
    )

    year: int = Field(strict=True, ge=1800, le=2200, examples=[2026])
    slug: EditionSlug | None = Field(
        examples=["cobra-gold-2026"],
        default=None,
        description="Unique across all series (default: `{series}-{year}`)",
    )
    name: Name | None = Field(
        examples=["Cobra Gold 2026"], default=None, description="Default: `{series name} {year}`"
    )
    participants: list[ParticipantIn] = Field(
        examples=[[{"country": "THA", "is_host": True}, {"country": "USA"}]],
        default=[],
        max_length=300,
    )
    sources: Sources = Field(examples=[[{"source": "article", "locator": "Cobra Gold"}]])

    def errors(self) -> list[str]:
        errors = fill_dates(self.__dict__, _EDITION_DATES)
        errors += edition_errors(
            self.start_date, self.end_date, self.year, self.activities, self.domains
        )
        return [*errors, *super().errors()]


class EditionUpdate(EditionFields, InitiativeUpdate):
    """The fields to change; absent fields stay, null clears an optional one. `activities`,
    `domains` and `sources` replace the stored lists; participants and threats have routes of
    their own."""

    model_config = example_body({"personnel": 9800, "domains": ["land", "sea", "air"]})

    year: int | None = Field(strict=True, default=None, ge=1800, le=2200, examples=[2026])
    name: Name | None = Field(default=None, examples=["Cobra Gold"])
    activities: list[ActivityKind] | None = Field(  # type: ignore[assignment]
        default=None, max_length=7, examples=[["humanitarian_assistance"]]
    )
    domains: list[Domain] | None = Field(  # type: ignore[assignment]
        default=None, max_length=6, examples=[["land", "sea"]]
    )
    sources: Sources | None = replacing_sources("Cobra Gold")

    required = ("year", "name", "certainty", "activities", "domains", "sources")
    dates = _EDITION_DATES

    def errors(self) -> list[str]:
        return super().errors() + [
            error
            for error in (
                listed_twice(self.activities or [], "activity"),
                listed_twice(self.domains or [], "domain"),
            )
            if error
        ]


class SeriesFields(Input):
    name_id: Name | None = indonesian_name("Cobra Emas")
    description: Description | None = Field(
        default=None, examples=["An annual exercise, newlines allowed."]
    )


class SeriesCreate(SeriesFields, Checked):
    """A new exercise series with at least one edition (a series is known by its editions)."""

    model_config = example_body(
        {
            "slug": "komodo",
            "name": "Multilateral Naval Exercise Komodo",
            "sources": [{"source": "article", "locator": "Komodo"}],
            "editions": [
                {
                    "year": 2023,
                    "activities": ["humanitarian_assistance"],
                    "participants": [
                        {"country": "IDN", "is_host": True},
                        {"country": "AUS"},
                    ],
                    "sources": [{"source": "article", "locator": "Komodo 2023"}],
                }
            ],
        }
    )

    slug: str = Field(min_length=1, max_length=120, pattern=SLUG_PATTERN, examples=["komodo"])
    name: Name = Field(examples=["Multilateral Naval Exercise Komodo"])
    sources: Sources = Field(examples=[[{"source": "article", "locator": "Cobra Gold"}]])
    editions: list[EditionCreate] = Field(
        min_length=1,
        max_length=100,
        description="Its editions so far, each with its participants",
        examples=[
            [
                {
                    "year": 2023,
                    "participants": [{"country": "IDN", "is_host": True}],
                    "sources": [{"source": "article", "locator": "Komodo 2023"}],
                }
            ]
        ],
    )

    def errors(self) -> list[str]:
        slugs = [e.slug or f"{self.slug}-{e.year}" for e in self.editions]
        error = listed_twice(slugs, "edition")
        return [error] if error else []


class SeriesUpdate(SeriesFields, Patch):
    """The fields to change; absent fields stay as they are, null clears an optional one."""

    model_config = example_body({"name_id": "Cobra Emas"})

    name: Name | None = Field(default=None, examples=["Cobra Gold"])
    sources: Sources | None = replacing_sources("Cobra Gold")

    required = ("name", "sources")
