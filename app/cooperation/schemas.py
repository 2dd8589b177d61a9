from datetime import date

from pydantic import BaseModel, Field

from app.cooperation.models import TieChannel
from app.core.coverage import CoverageMeta
from app.core.language import Named
from app.countries.schemas import CountryRef
from app.sources.models import Certainty
from app.sources.schemas import CitationOut
from app.threats.schemas import ThreatRef

CHANNEL_COUNTS_EXAMPLE = {
    "organization": 4,
    "exercise": 6,
    "agreement": 1,
    "operation": 1,
    "transfer": 3,
}


class Directions(BaseModel):
    """A directed channel's ties between two countries, by direction (a transfer points from
    its supplier to its recipient)."""

    to_partner: int = Field(
        description="Initiatives in which the country is the source (it supplied the partner)",
        examples=[2],
    )
    from_partner: int = Field(
        description="Initiatives in which the partner is the source (it supplied the country)",
        examples=[1],
    )


DIRECTIONS_DESCRIPTION = (
    "For each directed channel with ties (transfer: supplier -> recipient), its ties by "
    "direction; symmetric channels have none"
)
DIRECTIONS_EXAMPLE = {"transfer": {"to_partner": 2, "from_partner": 1}}


class PartnerOut(BaseModel):
    partner: CountryRef
    ties: int = Field(description="Number of shared initiatives", examples=[12])
    channels: dict[TieChannel, int] = Field(
        description="Ties per channel", examples=[CHANNEL_COUNTS_EXAMPLE]
    )
    directions: dict[TieChannel, Directions] = Field(
        description=DIRECTIONS_DESCRIPTION, examples=[DIRECTIONS_EXAMPLE]
    )
    threats: list[ThreatRef] = Field(description="Threats the ties address")
    tie_years: int = Field(
        description="Distinct years with at least one active tie, within the year window if "
        "any; an ongoing tie counts up to the current year, a tie whose start is unknown only "
        "its last year",
        examples=[31],
    )
    first_year: int | None = Field(description="Earliest year of a tie (null: unknown)")
    last_year: int | None = Field(description="Latest year of a tie (null: ongoing)")
    ongoing: bool = Field(description="At least one tie has not ended")


class CommonSide(BaseModel):
    """One queried country's ties with a shared partner."""

    ties: int = Field(description="Number of shared initiatives", examples=[5])
    channels: dict[TieChannel, int] = Field(
        description="Ties per channel", examples=[CHANNEL_COUNTS_EXAMPLE]
    )
    tie_years: int = Field(description="Distinct years with an active tie", examples=[12])
    first_year: int | None = Field(description="Earliest year of a tie (null: unknown)")
    last_year: int | None = Field(description="Latest year of a tie (null: ongoing)")


class CommonPartnerOut(BaseModel):
    partner: CountryRef
    ties: int = Field(
        description="Ties of the partner with all the queried countries together", examples=[9]
    )
    countries: dict[str, CommonSide] = Field(
        description="Each queried country's ties with the partner, by ISO3"
    )


class Initiative(Named):
    kind: str = Field(
        description="organization, exercise_edition, agreement, operation or transfer",
        examples=["exercise_edition"],
    )
    slug: str = Field(examples=["cobra-gold-2024"])
    name: str = Field(examples=["Cobra Gold 2024"])

    def name_entity(self) -> tuple[str, str]:
        return self.kind, self.slug


class TieDirection(BaseModel):
    """Which way a tie of a directed channel points."""

    source: str = Field(description="ISO3 of the source (a transfer's supplier)", examples=["USA"])
    target: str = Field(description="ISO3 of the target (a transfer's recipient)", examples=["IDN"])


class TieOut(BaseModel):
    channel: TieChannel
    initiative: Initiative
    direction: TieDirection | None = Field(
        description="Who supplied whom, in a directed channel (transfer); null in a symmetric one"
    )
    start_date: date | None = Field(description="Start of the shared period (null: unknown)")
    start_inferred: bool = Field(
        description="The facts give no start (or one before it): the tie starts at the latest "
        "of its initiative's start and its countries' existence. An agreement's entry into "
        "force is a fact (false); a tie that starts at signature because entry into force is "
        "unknown is inferred (true)"
    )
    end_date: date | None = Field(description="End of the shared period, exclusive (null: ongoing)")
    first_year: int | None
    last_year: int | None
    roles: dict[str, str] = Field(
        description="Each country's role in the initiative, by ISO3",
        examples=[{"THA": "full_participant", "USA": "full_participant"}],
    )
    threats: list[ThreatRef]
    certainty: Certainty = Field(description="The least certain of the facts behind the tie")
    sources: list[CitationOut]


class PairSummary(BaseModel):
    ties: int
    channels: dict[TieChannel, int]
    directions: dict[TieChannel, Directions] = Field(
        description=DIRECTIONS_DESCRIPTION, examples=[DIRECTIONS_EXAMPLE]
    )
    threats: list[ThreatRef]
    first_year: int | None
    last_year: int | None
    ongoing: bool


class PairOut(BaseModel):
    country: CountryRef
    partner: CountryRef
    summary: PairSummary
    data: list[TieOut]
    meta: CoverageMeta


class CoverageReport(CoverageMeta):
    """The coverage notes of an answer about these channels and years."""

    data_version: int = Field(description="Version of the data the notes were read from")
