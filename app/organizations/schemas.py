from datetime import date
from typing import Annotated, ClassVar

from pydantic import BaseModel, Field

from app.core.fields import example_body, indonesian_name, precision_field
from app.core.inputs import (
    SLUG_PATTERN,
    Checked,
    Description,
    Input,
    InputDate,
    Name,
    Note,
    Patch,
    ShortText,
    period_errors,
)
from app.core.language import Named
from app.core.periods import DatePrecision
from app.countries.schemas import CountryDetail, CountryRef
from app.organizations.models import MembershipRole, OrganizationKind
from app.sources.models import Certainty
from app.sources.schemas import CitationOut, Evidence, Sources
from app.threats.schemas import ThreatLinks


class OrganizationRef(Named):
    name_kind: ClassVar[str] = "organization"

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
    threats: ThreatLinks


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


class MembershipHistory(BaseModel):
    """Every period of one country in one organization (what PUT .../members/{code} set)."""

    organization: OrganizationRef
    country: CountryRef
    data: list[MembershipPeriod]


# --- input: what the write routes accept --------------------------------------------------

OrganizationSources = Annotated[
    Sources, Field(examples=[[{"source": "asean-secretariat-membership", "locator": "para. 2"}]])
]
_DATES = ("founded", "ended")


class OrganizationFields(Input):
    name_id: Name | None = indonesian_name("Forum Pertahanan ASEAN")
    acronym: ShortText | None = Field(default=None, examples=["ASEAN"])
    founded_date: InputDate | None = Field(
        default=None, description="First day of the known part of the date"
    )
    founded_precision: DatePrecision | None = precision_field("year")
    ended_date: InputDate | None = Field(
        default=None, description="When it ended; null: still active", examples=["1991-07-01"]
    )
    ended_precision: DatePrecision | None = Field(default=None, examples=["day"])
    description: Description | None = Field(
        default=None, description="Free text, newlines allowed", examples=["A forum of ..."]
    )


class OrganizationCreate(OrganizationFields, Checked):
    """A new organization, with the sources that attest it."""

    model_config = example_body(
        {
            "slug": "asean-defence-forum",
            "name": "ASEAN Defence Forum",
            "kind": "defense_forum",
            "founded_date": "2006-01-01",
            "founded_precision": "year",
            "sources": [{"source": "asean-admm-inaugural", "locator": "para. 1"}],
        }
    )

    slug: str = Field(
        min_length=1, max_length=80, pattern=SLUG_PATTERN, examples=["asean-defence-forum"]
    )
    name: Name
    kind: OrganizationKind
    universal: bool = Field(
        strict=True,
        default=False,
        description="A universal body: co-membership is not a cooperation tie",
    )
    sources: OrganizationSources

    def errors(self) -> list[str]:
        return period_errors(self, _DATES, _DATES)


class OrganizationUpdate(OrganizationFields, Patch):
    """The fields to change; absent fields stay as they are, null clears an optional one."""

    model_config = example_body({"acronym": "ADF", "description": "Renamed in 2026."})

    name: Name | None = None
    kind: OrganizationKind | None = None
    universal: bool | None = Field(default=None, strict=True)
    sources: OrganizationSources | None = Field(
        default=None, description="Replaces the cited sources"
    )

    required = ("name", "kind", "universal", "sources")
    dates = _DATES


class MembershipPeriodIn(Checked):
    role: MembershipRole = Field(examples=["member"])
    start_date: InputDate | None = Field(default=None, description="Unknown: null")
    start_precision: DatePrecision | None = precision_field("day")
    end_date: InputDate | None = Field(
        default=None,
        description="Exclusive: the first day not in the role; null: ongoing",
        examples=["2025-10-26"],
    )
    end_precision: DatePrecision | None = Field(default=None, examples=["day"])
    certainty: Certainty = Field(
        default=Certainty.confirmed,
        description="confirmed, unconfirmed (no source confirms it) or disputed",
        examples=["confirmed"],
    )
    note: Note | None = Field(
        default=None, description="What a reader should know", examples=["Froze its part in 2024."]
    )
    sources: OrganizationSources

    def errors(self) -> list[str]:
        return period_errors(self, ("start", "end"))


class MembershipPut(Checked):
    """Every period of the country in the organization; replaces what is stored."""

    model_config = example_body(
        {
            "periods": [
                {
                    "role": "observer",
                    "start_date": "2022-11-11",
                    "end_date": "2025-10-26",
                    "sources": [{"source": "asean-timor-leste-admission"}],
                },
                {
                    "role": "member",
                    "start_date": "2025-10-26",
                    "sources": [{"source": "asean-timor-leste-admission"}],
                },
            ]
        }
    )

    periods: list[MembershipPeriodIn] = Field(min_length=1, max_length=20)

    def errors(self) -> list[str]:
        seen = set()
        for period in self.periods:
            key = (period.role, period.start_date)
            if key in seen:
                return [f"the {period.role} period starting {period.start_date} is listed twice"]
            seen.add(key)
        return []
