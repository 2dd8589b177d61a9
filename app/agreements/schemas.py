from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from app.agreements.models import AgreementKind, PartyRole
from app.core.inputs import (
    SLUG_PATTERN,
    Checked,
    CountryCodeIn,
    Description,
    Input,
    InputDate,
    Note,
    Patch,
    SlugIn,
    Threats,
    fill_dates,
    listed_twice,
    period_error,
    period_errors,
)
from app.core.params import NO_CONTROL_CHARACTERS
from app.core.periods import DatePrecision
from app.countries.schemas import CountryRef
from app.organizations.schemas import OrganizationRef
from app.sources.models import Certainty
from app.sources.schemas import CitationOut, Evidence, Sources
from app.threats.schemas import ThreatLinks


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
    threats: ThreatLinks


class AgreementDetail(AgreementOut):
    description: str | None
    note: str | None
    parties: list[Party]
    sources: list[CitationOut] = Field(validation_alias="citations")


# --- input: what the write routes accept --------------------------------------------------

_AGREEMENT_DATES = ("signed", "in_force", "ended")
LongName = Annotated[
    str,
    Field(
        min_length=1, max_length=300, pattern=NO_CONTROL_CHARACTERS, examples=["AUKUS Pillar II"]
    ),
]


class PartyFields(Checked):
    role: PartyRole = Field(default=PartyRole.party, examples=["party"])
    start_date: InputDate | None = Field(
        examples=["2022-01-01"],
        default=None,
        description="When the party joined, if later than the agreement",
    )
    start_precision: DatePrecision | None = Field(default=None, examples=["day"])
    end_date: InputDate | None = Field(
        examples=["2026-01-01"],
        default=None,
        description="Exclusive: the first day the party was no longer bound",
    )
    end_precision: DatePrecision | None = Field(default=None, examples=["day"])
    certainty: Certainty = Field(default=Certainty.confirmed, examples=["confirmed"])
    note: Note | None = Field(default=None, examples=["Figures from the 2024 fact sheet."])

    def errors(self) -> list[str]:
        return period_errors(self, ("start", "end"))


class PartyIn(PartyFields):
    """A party listed with its agreement: a country or an organization (never both)."""

    country: CountryCodeIn | None = Field(default=None, examples=["IDN"])
    organization: SlugIn | None = Field(
        examples=["asean"],
        default=None,
        description="An organization party stands for its members at the time",
    )
    sources: Sources | None = Field(
        examples=[[{"source": "article", "locator": "p. 2"}]],
        default=None,
        description="Sources for this party (default: the agreement's)",
    )

    def errors(self) -> list[str]:
        errors = super().errors()
        if (self.country is None) == (self.organization is None):
            errors.append("a party is either a country or an organization")
        return errors


class PartyPut(PartyFields):
    """A country's or an organization's part in an agreement; replaces what is stored."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"role": "party", "sources": [{"source": "article", "locator": "p. 2"}]}]
        }
    )

    sources: Sources = Field(examples=[[{"source": "article", "locator": "p. 2"}]])


def agreement_errors(signed: date | None, in_force: date | None, ended: date | None) -> list[str]:
    """What is wrong with an agreement's dates (for a body or a merged row)."""
    errors = []
    if signed is not None and in_force is not None and in_force < signed:
        errors.append(f"in_force_date ({in_force}) must not be before signed_date ({signed})")
    start, start_name = (in_force, "in_force_date") if in_force else (signed, "signed_date")
    error = period_error(start, ended, start_name, "ended_date")
    if error:
        errors.append(error)
    return errors


class AgreementFields(Input):
    name_id: LongName | None = Field(
        examples=["Pakta AUKUS"], default=None, description="Name in Indonesian"
    )
    signed_date: InputDate | None = Field(default=None, examples=["2021-09-15"])
    signed_precision: DatePrecision | None = Field(
        examples=["day"], default=None, description="How much of the date is known (default: day)"
    )
    in_force_date: InputDate | None = Field(default=None, examples=["2021-10-01"])
    in_force_precision: DatePrecision | None = Field(default=None, examples=["day"])
    ended_date: InputDate | None = Field(
        examples=["2026-01-01"], default=None, description="Exclusive; null: in force"
    )
    ended_precision: DatePrecision | None = Field(default=None, examples=["day"])
    description: Description | None = Field(
        default=None, examples=["Signed in Canberra; in force on ratification."]
    )
    note: Note | None = Field(default=None, examples=["Figures from the 2024 fact sheet."])


class AgreementCreate(AgreementFields, Checked):
    """A new agreement with its parties; parties without sources cite the agreement's."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "slug": "idn-aus-defence-cooperation-agreement",
                    "name": "Indonesia-Australia Defence Cooperation Agreement",
                    "kind": "defense_treaty",
                    "signed_date": "2024-08-29",
                    "threats": ["armed-conflict"],
                    "parties": [{"country": "IDN"}, {"country": "AUS"}],
                    "sources": [{"source": "article", "locator": "DCA 2024"}],
                }
            ]
        }
    )

    slug: str = Field(min_length=1, max_length=120, pattern=SLUG_PATTERN, examples=["idn-aus-dca"])
    name: LongName
    kind: AgreementKind = Field(examples=["defense_treaty"])
    certainty: Certainty = Field(default=Certainty.confirmed, examples=["confirmed"])
    threats: Threats = Field(default=[])
    parties: list[PartyIn] = Field(
        examples=[[{"country": "IDN"}, {"organization": "asean"}]], default=[], max_length=300
    )
    sources: Sources = Field(examples=[[{"source": "article", "locator": "p. 2"}]])

    def errors(self) -> list[str]:
        errors = fill_dates(self.__dict__, _AGREEMENT_DATES)
        errors += agreement_errors(self.signed_date, self.in_force_date, self.ended_date)
        error = listed_twice(self.threats, "threat")
        return [*errors, *([error] if error else [])]


class AgreementUpdate(AgreementFields, Patch):
    """The fields to change; absent fields stay as they are, null clears an optional one.
    Parties and threats have routes of their own."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"ended_date": "2026-01-01", "certainty": "disputed"}]}
    )

    name: LongName | None = Field(default=None, examples=["AUKUS Pillar II"])
    kind: AgreementKind | None = Field(default=None, examples=["defense_treaty"])
    certainty: Certainty | None = Field(default=None, examples=["confirmed"])
    sources: Sources | None = Field(
        examples=[[{"source": "article", "locator": "p. 2"}]],
        default=None,
        description="Replaces the cited sources",
    )

    required = ("name", "kind", "certainty", "sources")
    dates = _AGREEMENT_DATES
