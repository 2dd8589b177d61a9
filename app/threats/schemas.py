from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from app.core.inputs import SLUG_PATTERN, Description, Input, Patch
from app.core.params import NO_CONTROL_CHARACTERS
from app.sources.schemas import CitationOut, Sources
from app.threats.models import Channel, ThreatKind


class ThreatRef(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    slug: str = Field(examples=["terrorism"])
    name: str = Field(examples=["Terrorism"])


class ThreatOut(ThreatRef):
    name_id: str = Field(description="Name in Indonesian", examples=["Terorisme"])
    kind: ThreatKind
    description: str | None


class InitiativeRef(BaseModel):
    slug: str = Field(examples=["admm-plus"])
    name: str = Field(examples=["ADMM-Plus"])


class ResponseOut(BaseModel):
    """A way of cooperating against threats, as the source article names it."""

    model_config = ConfigDict(from_attributes=True)

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
    organizations: list[InitiativeRef] = Field(description="Organizations addressing it")
    exercises: list[InitiativeRef] = Field(description="Exercise series with editions on it")
    agreements: list[InitiativeRef] = Field(description="Agreements addressing it")
    operations: list[InitiativeRef] = Field(description="Operations addressing it")


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

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "slug": "piracy",
                    "name": "Piracy",
                    "name_id": "Pembajakan",
                    "kind": "non_traditional",
                    "sources": [{"source": "article", "locator": "ancaman non-tradisional"}],
                }
            ]
        }
    )

    slug: str = Field(min_length=1, max_length=80, pattern=SLUG_PATTERN, examples=["piracy"])
    name: ThreatName
    name_id: ThreatName = Field(examples=["Pembajakan"], description="Name in Indonesian")
    kind: ThreatKind = Field(examples=["non_traditional"])
    sources: Sources = Field(examples=[[{"source": "article", "locator": "ancaman"}]])


class ThreatUpdate(ThreatFields, Patch):
    """The fields to change; absent fields stay as they are, null clears the description."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"name_id": "Perompakan"}]})

    name: ThreatName | None = Field(default=None, examples=["Piracy"])
    name_id: ThreatName | None = Field(
        examples=["Pembajakan"], default=None, description="Name in Indonesian"
    )
    kind: ThreatKind | None = Field(default=None, examples=["non_traditional"])
    sources: Sources | None = Field(
        examples=[[{"source": "article", "locator": "ancaman"}]],
        default=None,
        description="Replaces the cited sources",
    )

    required = ("name", "name_id", "kind", "sources")
