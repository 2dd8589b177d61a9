from pydantic import BaseModel, ConfigDict, Field

from app.sources.schemas import CitationOut
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
