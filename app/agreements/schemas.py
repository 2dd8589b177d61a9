from datetime import date
from typing import Annotated, ClassVar

from pydantic import Field

from app.agreements.models import AgreementCategory, AgreementKind, AgreementScope, PartyRole
from app.core.fields import FromRow, example_body, indonesian_name, precision_field
from app.core.inputs import (
    SLUG_PATTERN,
    Checked,
    CountryCodeIn,
    Description,
    Input,
    InputDate,
    Note,
    SlugIn,
    fill_dates,
    period_error,
    period_errors,
)
from app.core.language import Named
from app.core.params import NO_CONTROL_CHARACTERS
from app.core.periods import DatePrecision
from app.countries.schemas import CountryRef
from app.organizations.schemas import OrganizationRef
from app.sources.models import Certainty
from app.sources.schemas import CitationOut, Evidence, Sources, listed_sources, replacing_sources
from app.threats.schemas import InitiativeCreate, InitiativeUpdate, ThreatLinks


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


class AgreementOut(Named):
    name_kind: ClassVar[str] = "agreement"

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
    categories: list[AgreementCategory] = Field(
        description="The dataset's categories, the primary first (DCAD: dca framework, dic "
        "defense-industrial cooperation, trex training and exercises, procurement, commission, "
        "research); empty for curated agreements without them",
        examples=[["dca", "dic"]],
    )
    technology_transfer: bool = Field(
        description="Technology transfer in the seed article's sense: of kind "
        "technology_transfer, or with a dic, procurement or research category. Counted once, "
        "in the partners' `agreement` channel (undirected), never in `transfer`"
    )


class AgreementTerms(FromRow):
    """An agreement's terms as a dataset codes them (DCAD 1.0). A `*_code` is one of DCAD's
    special codes, a kind of unknown or not-applicable that stands in for the number beside
    it (seed/datasets/README.md gives each reading)."""

    scope: AgreementScope | None = Field(
        description="general: defense cooperation at large; sector: one field (DCAD `type`)"
    )
    duration_years: int | None = Field(description="Initial term in years (DCAD `span`)")
    duration_code: int | None = Field(
        description="In place of the term: -77 no fixed term (in force until terminated), "
        "-88 unknown",
        examples=[-77],
    )
    renewal_code: int | None = Field(
        description="DCAD's renewal provision (`renewType`), verbatim: -66 automatic renewal "
        "for the same term, -77 no fixed term so no renewal, -88 unknown; -44, -55, -56, -57, "
        "-58 are the codebook's other renewal provisions",
        examples=[-66],
    )
    renewal_years: int | None = Field(description="Renewal period in years (DCAD `renewYears`)")
    renewal_years_code: int | None = Field(
        description="In place of the renewal period: -66 the initial term again, -77 not "
        "applicable, -88 unknown, -44 and -55 as DCAD codes them",
        examples=[-66],
    )
    terminated: bool | None = Field(
        description="true: terminated (see ended_date); false: in force at the end of DCAD's "
        "coverage (2010), not known after; null: unknown (terminated_code)"
    )
    terminated_code: int | None = Field(
        description="Why termination is unknown: -88 no information, -99 not determined "
        "from the information DCAD had",
        examples=[-88],
    )
    asymmetry: int | None = Field(
        description="DCAD's asymmetry: 0 symmetric obligations, 1 asymmetric, 2 strongly "
        "asymmetric (one side mainly provides: aid, supply); which side is not coded",
        examples=[0],
    )


class AgreementDetail(AgreementOut):
    description: str | None
    note: str | None
    terms: AgreementTerms | None = Field(
        description="Terms as a dataset codes them; null for agreements no dataset codes"
    )
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
    sources: Sources | None = listed_sources("p. 2", "party", "agreement")

    def errors(self) -> list[str]:
        errors = super().errors()
        if (self.country is None) == (self.organization is None):
            errors.append("a party is either a country or an organization")
        return errors


class PartyPut(PartyFields):
    """A country's or an organization's part in an agreement; replaces what is stored."""

    model_config = example_body(
        {"role": "party", "sources": [{"source": "article", "locator": "p. 2"}]}
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
    name_id: LongName | None = indonesian_name("Pakta AUKUS")
    signed_date: InputDate | None = Field(default=None, examples=["2021-09-15"])
    signed_precision: DatePrecision | None = precision_field("day")
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


class AgreementCreate(AgreementFields, InitiativeCreate):
    """A new agreement with its parties; parties without sources cite the agreement's."""

    model_config = example_body(
        {
            "slug": "idn-aus-defence-cooperation-agreement",
            "name": "Indonesia-Australia Defence Cooperation Agreement",
            "kind": "defense_treaty",
            "signed_date": "2024-08-29",
            "threats": ["armed-conflict"],
            "parties": [{"country": "IDN"}, {"country": "AUS"}],
            "sources": [{"source": "article", "locator": "DCA 2024"}],
        }
    )

    slug: str = Field(min_length=1, max_length=120, pattern=SLUG_PATTERN, examples=["idn-aus-dca"])
    name: LongName
    kind: AgreementKind = Field(examples=["defense_treaty"])
    parties: list[PartyIn] = Field(
        examples=[[{"country": "IDN"}, {"organization": "asean"}]], default=[], max_length=300
    )
    sources: Sources = Field(examples=[[{"source": "article", "locator": "p. 2"}]])

    def errors(self) -> list[str]:
        errors = fill_dates(self.__dict__, _AGREEMENT_DATES)
        errors += agreement_errors(self.signed_date, self.in_force_date, self.ended_date)
        return [*errors, *super().errors()]


class AgreementUpdate(AgreementFields, InitiativeUpdate):
    """The fields to change; absent fields stay as they are, null clears an optional one.
    Parties and threats have routes of their own."""

    model_config = example_body({"ended_date": "2026-01-01", "certainty": "disputed"})

    name: LongName | None = Field(default=None, examples=["AUKUS Pillar II"])
    kind: AgreementKind | None = Field(default=None, examples=["defense_treaty"])
    sources: Sources | None = replacing_sources("p. 2")

    dates = _AGREEMENT_DATES
