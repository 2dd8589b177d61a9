from datetime import date
from typing import Annotated, Any, ClassVar, Self

from pydantic import AfterValidator, BaseModel, Field, PrivateAttr, model_validator

from app.core.fields import example_body, indonesian_name, precision_field
from app.core.inputs import (
    SLUG_PATTERN,
    Checked,
    Description,
    Input,
    InputDate,
    Patch,
    Threats,
    listed_twice,
    period_errors,
)
from app.core.language import Named
from app.core.params import NO_CONTROL_CHARACTERS
from app.core.periods import DatePrecision
from app.sources.models import Certainty, Source
from app.sources.schemas import CitationIn, CitationOut, Sources, replacing_sources
from app.threats.models import Channel, ThreatKind, ThreatLink


class ThreatRef(Named):
    name_kind: ClassVar[str] = "threat"

    slug: str = Field(examples=["terrorism"])
    name: str = Field(examples=["Terrorism"])


class LinkPeriod(BaseModel):
    """The period of a link between an initiative and a threat, and the source dating it
    (issue 15): a tie of the initiative addresses the threat only within that period."""

    start_date: date | None = Field(
        description="From when the initiative addresses the threat; null: undated, from the "
        "initiative's own start",
        examples=["2017-11-13"],
    )
    start_precision: DatePrecision | None = Field(examples=["day"])
    end_date: date | None = Field(
        description="Exclusive: the first day it no longer does; null: ongoing", examples=[None]
    )
    end_precision: DatePrecision | None = Field(examples=[None])
    dated: bool = Field(
        description="A source dates the link; false: no source does, and it holds for the "
        "initiative's whole period"
    )
    sources: list[CitationOut] = Field(
        description="The source of the link's period (none when no source dates it)"
    )


def link_period(link: Any, source: Source | None) -> dict[str, Any]:
    """The fields of a `LinkPeriod` from a link row (mapped, or a row of its columns)."""
    return {
        "start_date": link.start_date,
        "start_precision": link.start_precision,
        "end_date": link.end_date,
        "end_precision": link.end_precision,
        "dated": link.start_date is not None or link.end_date is not None,
        "sources": [] if source is None else [CitationOut.of(source, link.locator)],
    }


class ThreatLinkOut(LinkPeriod, ThreatRef):
    """A threat an initiative addresses, with the period of the link."""

    @model_validator(mode="before")
    @classmethod
    def _from_link(cls, value: Any) -> Any:
        if isinstance(value, ThreatLink):
            return {"slug": value.threat.slug, "name": value.threat.name} | link_period(
                value, value.source
            )
        return value


def _by_slug(links: list[ThreatLinkOut]) -> list[ThreatLinkOut]:
    return sorted(links, key=lambda link: link.slug)


ThreatLinks = Annotated[
    list[ThreatLinkOut],
    AfterValidator(_by_slug),
    Field(description="The threats it addresses, by slug, each with the period of its link"),
]


class ThreatOut(ThreatRef):
    name_id: str = Field(description="Name in Indonesian", examples=["Terorisme"])
    kind: ThreatKind
    description: str | None


class InitiativeRef(Named):
    slug: str = Field(examples=["admm-plus"])
    name: str = Field(examples=["ADMM-Plus"])
    # Which kind of initiative (organization, agreement...): the list it is in says so.
    _kind: str = PrivateAttr(default="")

    def of_kind(self, kind: str) -> Self:
        self._kind = kind
        return self

    def name_entity(self) -> tuple[str, str]:
        return self._kind, self.slug


class InitiativeLinkOut(LinkPeriod, InitiativeRef):
    """An initiative addressing the threat, with the period of its link."""


class SeriesLinksOut(InitiativeRef):
    """An exercise series with editions addressing the threat: each edition's link, with its
    period and source, is in the edition's detail."""

    _kind: str = PrivateAttr(default="exercise_series")

    editions: int = Field(description="Its editions linked to the threat", examples=[3])
    first_year: int = Field(description="Year of the first linked edition", examples=[2017])
    last_year: int = Field(description="Year of the last linked edition", examples=[2024])
    dated: bool = Field(description="A source dates every one of these links")
    sources: list[CitationOut] = Field(description="The sources dating the links, once each")


class ResponseOut(Named):
    """A way of cooperating against threats, as the source article names it."""

    name_kind: ClassVar[str] = "response"

    slug: str = Field(examples=["intelligence-sharing"])
    name: str = Field(examples=["Intelligence sharing"])
    name_id: str = Field(examples=["Berbagi intelijen"])
    channel: Channel
    description: str | None
    threats: list[ThreatRef]
    sources: list[CitationOut] = Field(validation_alias="citations")


class ThreatDetail(ThreatOut):
    sources: list[CitationOut]
    responses: list[ResponseOut] = Field(description="Ways of cooperating against this threat")
    organizations: list[InitiativeLinkOut] = Field(description="Organizations addressing it")
    exercises: list[SeriesLinksOut] = Field(description="Exercise series with editions on it")
    agreements: list[InitiativeLinkOut] = Field(description="Agreements addressing it")
    operations: list[InitiativeLinkOut] = Field(description="Operations addressing it")


# --- input: what the write routes accept --------------------------------------------------

ThreatName = Annotated[
    str, Field(min_length=1, max_length=120, pattern=NO_CONTROL_CHARACTERS, examples=["Piracy"])
]


class ThreatFields(Input):
    description: Description | None = Field(
        default=None, examples=["Robbery and kidnapping at sea."]
    )


class ThreatCreate(ThreatFields):
    """A new threat category, with the sources that name it."""

    model_config = example_body(
        {
            "slug": "piracy",
            "name": "Piracy",
            "name_id": "Pembajakan",
            "kind": "non_traditional",
            "sources": [{"source": "article", "locator": "ancaman non-tradisional"}],
        }
    )

    slug: str = Field(min_length=1, max_length=80, pattern=SLUG_PATTERN, examples=["piracy"])
    name: ThreatName
    name_id: ThreatName = Field(examples=["Pembajakan"], description="Name in Indonesian")
    kind: ThreatKind = Field(examples=["non_traditional"])
    sources: Sources = Field(examples=[[{"source": "article", "locator": "ancaman"}]])


class ThreatUpdate(ThreatFields, Patch):
    """The fields to change; absent fields stay as they are, null clears the description."""

    model_config = example_body({"name_id": "Perompakan"})

    name: ThreatName | None = Field(default=None, examples=["Piracy"])
    name_id: ThreatName | None = indonesian_name("Pembajakan")
    kind: ThreatKind | None = Field(default=None, examples=["non_traditional"])
    sources: Sources | None = replacing_sources("ancaman")

    required = ("name", "name_id", "kind", "sources")


class InitiativeCreate(Checked):
    """What the body of a new initiative (agreement, operation, exercise edition) holds beside
    its own fields: how certain it is, and the threats it addresses, none of them twice."""

    certainty: Certainty = Field(default=Certainty.confirmed, examples=["confirmed"])
    threats: Threats = Field(default=[])

    def errors(self) -> list[str]:
        error = listed_twice(self.threats, "threat")
        return [error] if error else []


class InitiativeUpdate(Patch):
    """A PATCH of an initiative: its name, kind, certainty and sources may be absent, never
    null."""

    certainty: Certainty | None = Field(default=None, examples=["confirmed"])

    required: ClassVar[tuple[str, ...]] = ("name", "kind", "certainty", "sources")


class ThreatLinkPut(Checked):
    """When the initiative addresses the threat, and the source that says so. Without a
    period the link is undated: it holds for the initiative's whole period."""

    model_config = example_body(
        {
            "start_date": "2017-11-13",
            "sources": [
                {
                    "source": "unidir-cyber-policy-portal",
                    "locator": "ASEAN Declaration to Prevent and Combat Cybercrime",
                }
            ],
        }
    )

    start_date: InputDate | None = Field(
        default=None,
        description="From when the initiative addresses the threat (first day of the known "
        "part of the date); null: from the initiative's start",
        examples=["2017-11-13"],
    )
    start_precision: DatePrecision | None = precision_field("day")
    end_date: InputDate | None = Field(
        default=None,
        description="Exclusive: the first day it no longer does; null: ongoing",
        examples=["2024-01-01"],
    )
    end_precision: DatePrecision | None = Field(default=None, examples=["year"])
    sources: list[CitationIn] = Field(
        default=[],
        max_length=1,
        description="The source dating the link (one per link); required with a period",
        examples=[[{"source": "unidir-cyber-policy-portal", "locator": "Manila, 2017"}]],
    )

    def errors(self) -> list[str]:
        errors = period_errors(self, ("start", "end"))
        if (self.start_date is not None or self.end_date is not None) and not self.sources:
            errors.append("a dated link needs the source dating it (sources)")
        return errors
