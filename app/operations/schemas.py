from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from app.core.periods import DatePrecision
from app.countries.schemas import CountryRef
from app.operations.models import OperationKind
from app.organizations.schemas import OrganizationRef
from app.sources.models import Certainty
from app.sources.schemas import CitationOut, Evidence
from app.threats.schemas import ThreatRef


class Contributor(Evidence):
    country: CountryRef
    personnel: int | None = Field(examples=[1230])
    personnel_as_of_date: date | None
    personnel_as_of_precision: DatePrecision | None
    start_date: date | None
    start_precision: DatePrecision | None
    end_date: date | None
    end_precision: DatePrecision | None


class OperationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    slug: str = Field(examples=["unifil"])
    name: str = Field(examples=["United Nations Interim Force in Lebanon"])
    name_id: str | None
    kind: OperationKind
    lead_organization: OrganizationRef | None
    host_country: CountryRef | None
    start_date: date | None = Field(examples=["1978-03-19"])
    start_precision: DatePrecision | None
    end_date: date | None
    end_precision: DatePrecision | None
    certainty: Certainty
    threats: list[ThreatRef]


class OperationDetail(OperationOut):
    mandate: str | None
    description: str | None
    note: str | None
    contributors: list[Contributor] = Field(validation_alias="contributions")
    sources: list[CitationOut] = Field(validation_alias="citations")
