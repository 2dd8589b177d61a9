from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from app.core.periods import DatePrecision
from app.countries.schemas import CountryDetail, CountryRef
from app.organizations.models import MembershipRole, OrganizationKind
from app.sources.schemas import CitationOut, Evidence
from app.threats.schemas import ThreatRef


class OrganizationRef(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    slug: str = Field(examples=["nato"])
    name: str = Field(examples=["North Atlantic Treaty Organization"])
    acronym: str | None = Field(examples=["NATO"])


class OrganizationOut(OrganizationRef):
    name_id: str | None = Field(examples=["Pakta Pertahanan Atlantik Utara"])
    kind: OrganizationKind
    founded_date: date | None = Field(examples=["1949-04-04"])
    founded_precision: DatePrecision | None
    ended_date: date | None
    ended_precision: DatePrecision | None
    universal: bool = Field(
        description="A universal body (the UN): co-membership in it is not a cooperation tie"
    )
    threats: list[ThreatRef]


class OrganizationDetail(OrganizationOut):
    description: str | None
    sources: list[CitationOut] = Field(validation_alias="citations")


class MembershipPeriod(Evidence):
    role: MembershipRole
    start_date: date | None = Field(examples=["1952-02-18"])
    start_precision: DatePrecision | None
    end_date: date | None = Field(description="Exclusive: the first day not in the role")
    end_precision: DatePrecision | None


class Member(MembershipPeriod):
    country: CountryRef


class OrganizationMembers(BaseModel):
    organization: OrganizationRef
    as_of: date = Field(description="The day the membership is read for")
    data: list[Member]
    meta: dict[str, int] = Field(description="`total` members listed", examples=[{"total": 32}])


class CountryMembership(MembershipPeriod):
    organization: OrganizationRef


class CountryMemberships(BaseModel):
    country: CountryDetail
    data: list[CountryMembership]
