from datetime import date
from typing import ClassVar

from pydantic import Field

from app.alliances.models import Obligation
from app.core.fields import FromRow
from app.core.language import Named
from app.core.periods import DatePrecision
from app.countries.schemas import CountryRef
from app.organizations.schemas import OrganizationRef
from app.sources.schemas import CitationOut


class Target(FromRow):
    """A state the alliance is directed against (ATOP `statthr1`, `statthr2`)."""

    cow_code: int = Field(description="Its Correlates of War state code", examples=[365])
    country: CountryRef | None = Field(description="Null: no country in defcoop has the code")


class AllianceOut(Named):
    name_kind: ClassVar[str] = "alliance"

    slug: str = Field(examples=["atop-3285"])
    atop_id: int = Field(description="The ATOP alliance id (atopid)", examples=[3285])
    name: str = Field(examples=["Warsaw Pact"])
    name_is_label: bool = Field(
        description='True: ATOP gives no name and none is known, `name` is the label "ATOP 1234"'
    )
    start_date: date = Field(examples=["1955-05-14"])
    start_precision: DatePrecision
    end_date: date | None = Field(description="Null: in force at the end of ATOP's coverage (2018)")
    end_precision: DatePrecision | None
    obligations: list[Obligation] = Field(
        description="What members promise, in any phase (each member's own: the detail)",
        examples=[["defense", "consultation"]],
    )
    directed_against: list[Target] = Field(validation_alias="targets")
    agreement: str | None = Field(
        description="Slug of the agreement whose parties are the members (null: the organization's "
        "members are)",
        examples=["atop-3285"],
    )
    organization: OrganizationRef | None = Field(
        validation_alias="created_organization",
        description="The curated organization the alliance created, if any",
    )


class AllianceMemberOut(FromRow):
    """One ATOP member row: a state's spell in one phase, with its obligations."""

    country: CountryRef
    cow_code: int = Field(description="The member's COW state code in ATOP", examples=[365])
    phase: int
    start_date: date | None
    start_precision: DatePrecision | None
    end_date: date | None = Field(description="Null: in force at the end of ATOP's coverage")
    end_precision: DatePrecision | None
    obligations: list[Obligation]
    note: str | None = Field(
        description="Where ATOP's dates differ from the curated record's, which stand"
    )
    source: CitationOut


class AllianceDetail(AllianceOut):
    description: str = Field(
        examples=["Defense pact of 8 states; directed against: German Federal Republic."]
    )
    phases: int
    cow_id: int | None = Field(description="COW Formal Alliances v3 id (ATOP `cowid`)")
    cow4_id: int | None = Field(description="COW Formal Alliances v4.1 id (ATOP `cow4id`)")
    military_aid: bool
    bases: bool
    integrated_command: bool
    has_organization: bool = Field(
        validation_alias="organization", description="ATOP: the treaty creates an organization"
    )
    members: list[AllianceMemberOut]
    sources: list[CitationOut]
