from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from app.agreements.models import AgreementKind, PartyRole
from app.core.periods import DatePrecision
from app.countries.schemas import CountryRef
from app.organizations.schemas import OrganizationRef
from app.sources.models import Certainty
from app.sources.schemas import CitationOut, Evidence
from app.threats.schemas import ThreatRef


class Party(Evidence):
    country: CountryRef | None = Field(description="The party, when it is a country")
    organization: OrganizationRef | None = Field(
        description="The party, when it is an organization: it stands for its members"
    )
    role: PartyRole
    start_date: date | None
    start_precision: DatePrecision | None
    end_date: date | None
    end_precision: DatePrecision | None


class AgreementOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    slug: str = Field(examples=["us-japan-security-treaty"])
    name: str
    name_id: str | None
    kind: AgreementKind
    signed_date: date | None = Field(examples=["1960-01-19"])
    signed_precision: DatePrecision | None
    in_force_date: date | None = Field(examples=["1960-06-23"])
    in_force_precision: DatePrecision | None
    ended_date: date | None
    ended_precision: DatePrecision | None
    certainty: Certainty
    threats: list[ThreatRef]


class AgreementDetail(AgreementOut):
    description: str | None
    note: str | None
    parties: list[Party]
    sources: list[CitationOut] = Field(validation_alias="citations")
