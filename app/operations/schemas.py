from datetime import date
from typing import Annotated, ClassVar

from pydantic import BaseModel, Field

from app.core.fields import example_body, indonesian_name, precision_field
from app.core.inputs import (
    SLUG_PATTERN,
    TEXT_CHARACTERS,
    Checked,
    CountryCodeIn,
    Description,
    Input,
    InputDate,
    Note,
    SlugIn,
    period_errors,
)
from app.core.language import Named
from app.core.pagination import Links, ListMeta
from app.core.params import NO_CONTROL_CHARACTERS
from app.core.periods import DatePrecision
from app.countries.schemas import CountryRef
from app.operations.models import OperationKind
from app.organizations.schemas import OrganizationRef
from app.sources.models import Certainty
from app.sources.schemas import CitationOut, Evidence, Sources, listed_sources, replacing_sources
from app.threats.schemas import InitiativeCreate, InitiativeUpdate, ThreatLinks

# Year 0000 is not a date (Python's calendar starts at year 1).
MONTH_PATTERN = r"^(000[1-9]|00[1-9]\d|0[1-9]\d{2}|[1-9]\d{3})-(0[1-9]|1[0-2])$"
Month = Annotated[str, Field(pattern=MONTH_PATTERN, examples=["2012-01"])]


class SpellSummary(BaseModel):
    """A contribution known month by month (a spell: consecutive months), summarized."""

    first_month: Month
    last_month: Month
    months: int = Field(description="Months with personnel", examples=[52])
    peak_total: int = Field(description="Largest monthly total", examples=[1455])
    peak_month: Month = Field(description="The first month with the largest total")
    mean_total: float = Field(description="Mean monthly total", examples=[1290.4])


class Contributor(Evidence):
    country: CountryRef
    personnel: int | None = Field(examples=[1230])
    personnel_as_of_date: date | None
    personnel_as_of_precision: DatePrecision | None
    start_date: date | None
    start_precision: DatePrecision | None
    end_date: date | None
    end_precision: DatePrecision | None
    monthly: SpellSummary | None = Field(
        default=None,
        description="For a contribution known month by month: its months summarized "
        "(the months themselves: GET /v1/operations/{slug}/months)",
    )


class OperationOut(Named):
    name_kind: ClassVar[str] = "operation"

    slug: str = Field(examples=["unifil"])
    name: str = Field(examples=["United Nations Interim Force in Lebanon"])
    name_is_label: bool = Field(
        description="true: the name is the mission's acronym, the only name its dataset (IPI) "
        "gives, not its official name"
    )
    name_id: str | None
    kind: OperationKind
    lead_organization: OrganizationRef | None
    host_country: CountryRef | None
    start_date: date | None = Field(examples=["1978-03-19"])
    start_precision: DatePrecision | None
    end_date: date | None
    end_precision: DatePrecision | None
    certainty: Certainty
    threats: ThreatLinks


class OperationDetail(OperationOut):
    mandate: str | None
    description: str | None
    headquarters: str | None = Field(examples=["Naqoura"])
    latitude: float | None = Field(description="Of the headquarters", examples=[33.12])
    longitude: float | None = Field(description="Of the headquarters", examples=[35.13])
    note: str | None
    contributors: list[Contributor] = Field(validation_alias="contributions")
    sources: list[CitationOut] = Field(validation_alias="citations")


class OperationRef(Named):
    name_kind: ClassVar[str] = "operation"

    slug: str = Field(examples=["unifil"])
    name: str = Field(examples=["United Nations Interim Force in Lebanon"])


class Personnel(BaseModel):
    male: int | None = Field(description="Null where the report does not say", examples=[1200])
    female: int | None = Field(examples=[30])
    total: int | None = Field(examples=[1230])


class MonthSource(BaseModel):
    source_id: str = Field(examples=["ipi-peacekeeping"])
    title: str
    locator: str = Field(examples=["contributions_2009_2014.csv row 12"])


class ContributionMonthOut(BaseModel):
    """A country's personnel in an operation at the end of one month."""

    month: Month
    operation: OperationRef
    country: CountryRef
    police: Personnel = Field(description="Individual police")
    formed_police: Personnel = Field(description="Formed police units")
    experts: Personnel = Field(description="Experts on mission (military observers)")
    troops: Personnel
    total: Personnel
    source: MonthSource


class MonthRange(BaseModel):
    from_month: Month | None = Field(description="Null: unbounded")
    until_month: Month | None = Field(description="Null: unbounded")


class MonthCoverage(BaseModel):
    """The months a dataset's monthly contributions cover."""

    source_id: str = Field(examples=["ipi-peacekeeping"])
    first_month: Month = Field(examples=["2009-11"])
    last_month: Month = Field(examples=["2014-02"])


class MonthsMeta(ListMeta):
    coverage: list[MonthCoverage] = Field(description="What the monthly data covers")
    unknown: list[MonthRange] = Field(
        description="The parts of the months asked for (all months if none) that no dataset "
        "covers: there a contribution is unknown, not zero"
    )
    note: str


class MonthsPage(BaseModel):
    data: list[ContributionMonthOut]
    links: Links
    meta: MonthsMeta


# --- input: what the write routes accept --------------------------------------------------

_PERIOD = ("start", "end")
LongName = Annotated[
    str,
    Field(min_length=1, max_length=300, pattern=NO_CONTROL_CHARACTERS, examples=["UNIFIL"]),
]

Mandate = Annotated[str, Field(min_length=1, max_length=1000, pattern=TEXT_CHARACTERS)]


class ContributorFields(Checked):
    personnel: int | None = Field(strict=True, default=None, ge=0, le=10_000_000, examples=[1230])
    personnel_as_of_date: InputDate | None = Field(
        examples=["2025-06-30"], default=None, description="The day the personnel figure refers to"
    )
    personnel_as_of_precision: DatePrecision | None = Field(default=None, examples=["day"])
    start_date: InputDate | None = Field(
        examples=["2006-10-01"], default=None, description="Unknown: null"
    )
    start_precision: DatePrecision | None = Field(default=None, examples=["day"])
    end_date: InputDate | None = Field(
        examples=["2026-12-31"], default=None, description="Exclusive; null: ongoing"
    )
    end_precision: DatePrecision | None = Field(default=None, examples=["day"])
    certainty: Certainty = Field(default=Certainty.confirmed, examples=["confirmed"])
    note: Note | None = Field(default=None, examples=["Figures from the 2024 fact sheet."])

    def errors(self) -> list[str]:
        return period_errors(self, (*_PERIOD, "personnel_as_of"))


class ContributorIn(ContributorFields):
    """A contributing country listed with its operation."""

    country: CountryCodeIn
    sources: Sources | None = listed_sources("UNIFIL", "contribution", "operation")


class ContributorPut(ContributorFields):
    """A country's contribution to an operation; replaces what is stored."""

    model_config = example_body(
        {
            "personnel": 1230,
            "personnel_as_of_date": "2025-06-30",
            "sources": [{"source": "article", "locator": "UNIFIL"}],
        }
    )

    sources: Sources = Field(examples=[[{"source": "article", "locator": "UNIFIL"}]])


class OperationFields(Input):
    name_id: LongName | None = indonesian_name("Pasukan Sementara PBB di Lebanon")
    lead_organization: SlugIn | None = Field(
        default=None, description="Slug of the leading organization", examples=["un"]
    )
    host_country: CountryCodeIn | None = Field(default=None, examples=["LBN"])
    start_date: InputDate | None = Field(default=None, examples=["1978-03-19"])
    start_precision: DatePrecision | None = precision_field("day")
    end_date: InputDate | None = Field(
        examples=["2026-12-31"], default=None, description="Exclusive; null: ongoing"
    )
    end_precision: DatePrecision | None = Field(default=None, examples=["day"])
    mandate: Mandate | None = Field(default=None, examples=["UNSC resolution 425 (1978)"])
    description: Description | None = Field(
        default=None, examples=["UN peacekeeping force in southern Lebanon."]
    )
    note: Note | None = Field(default=None, examples=["Figures from the 2024 fact sheet."])


class OperationCreate(OperationFields, InitiativeCreate):
    """A new operation with its contributors; contributors without sources cite the
    operation's."""

    model_config = example_body(
        {
            "slug": "unmik",
            "name": "United Nations Interim Administration Mission in Kosovo",
            "kind": "peacekeeping",
            "lead_organization": "un",
            "start_date": "1999-06-10",
            "threats": ["armed-conflict"],
            "contributors": [{"country": "IDN"}, {"country": "AUT", "personnel": 10}],
            "sources": [{"source": "article", "locator": "UNMIK"}],
        }
    )

    slug: str = Field(min_length=1, max_length=120, pattern=SLUG_PATTERN, examples=["unmik"])
    name: LongName
    kind: OperationKind = Field(examples=["peacekeeping"])
    contributors: list[ContributorIn] = Field(
        examples=[[{"country": "IDN", "personnel": 1230}]], default=[], max_length=300
    )
    sources: Sources = Field(examples=[[{"source": "article", "locator": "UNIFIL"}]])

    def errors(self) -> list[str]:
        return [*period_errors(self, _PERIOD), *super().errors()]


class OperationUpdate(OperationFields, InitiativeUpdate):
    """The fields to change; absent fields stay as they are, null clears an optional one.
    Contributors and threats have routes of their own."""

    model_config = example_body({"end_date": "2026-12-31", "certainty": "confirmed"})

    name: LongName | None = Field(default=None, examples=["UNIFIL"])
    kind: OperationKind | None = Field(default=None, examples=["peacekeeping"])
    sources: Sources | None = replacing_sources("UNIFIL")

    dates = _PERIOD
