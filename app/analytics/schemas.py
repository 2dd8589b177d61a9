from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from app.cooperation.models import TieChannel
from app.cooperation.schemas import TieOut
from app.core.coverage import COVERAGE_DESCRIPTION, CoverageMeta, CoverageNote
from app.countries.schemas import CountryDetail, CountryRef
from app.sources.schemas import CitationOut
from app.threats.schemas import ThreatRef

# A country pair appears at most once in an undirected network of every country there is,
# twice (once each way) in a directed one.
MAX_NODES = 400
MAX_EDGES = MAX_NODES * (MAX_NODES - 1)

CHANNEL_COUNTS_EXAMPLE = {
    "organization": 2,
    "exercise": 1,
    "agreement": 1,
    "operation": 0,
    "transfer": 0,
}


class NetworkFormat(StrEnum):
    json = "json"
    csv = "csv"
    graphml = "graphml"


class TableFormat(StrEnum):
    json = "json"
    csv = "csv"


class NetworkMeasure(StrEnum):
    degree = "-degree"
    weighted_degree = "-weighted_degree"
    betweenness = "-betweenness"


class NodeOut(CountryRef):
    region: str | None = Field(examples=["Asia"])
    subregion: str | None = Field(description="UN M49 sub-region", examples=["South-eastern Asia"])
    degree: int = Field(
        description="Number of partners in this network (directed: in- plus out-edges)",
        examples=[17],
    )
    weighted_degree: int = Field(
        description="Sum of the weights of the country's edges", examples=[41]
    )


class EdgeOut(BaseModel):
    source: str = Field(
        description="ISO3 of one country (the lower code); in a directed network, the supplier",
        examples=["IDN"],
    )
    target: str = Field(
        description="ISO3 of the other country; in a directed network, the recipient",
        examples=["MYS"],
    )
    weight: int = Field(
        description="Number of shared initiatives in the period (the sum of `channels`)",
        examples=[4],
    )
    channels: dict[TieChannel, int] = Field(
        description="Shared initiatives per channel", examples=[CHANNEL_COUNTS_EXAMPLE]
    )
    threats: dict[str, int] = Field(
        description="Per threat category slug: how many of the shared initiatives address it",
        examples=[{"terrorism": 3, "cybercrime": 4}],
    )


class NetworkMeta(BaseModel):
    nodes: int = Field(description="Number of countries", examples=[190])
    edges: int = Field(description="Number of country pairs with at least one tie", examples=[4380])
    directed: bool = Field(
        description="Edges point from supplier to recipient (`directed=true`)", examples=[False]
    )
    data_version: int = Field(description="Version of the data the network was built from")
    coverage: list[CoverageNote] = Field(description=COVERAGE_DESCRIPTION)


class NetworkOut(BaseModel):
    """The cooperation network: countries with at least one tie, and their weighted edges."""

    nodes: list[NodeOut] = Field(max_length=MAX_NODES)
    edges: list[EdgeOut] = Field(max_length=MAX_EDGES)
    threats: list[ThreatRef] = Field(description="The threat categories the edges address")
    meta: NetworkMeta


class CentralityRanks(BaseModel):
    degree: int = Field(description="Rank by degree (1 = most partners)", examples=[1])
    weighted_degree: int = Field(description="Rank by weighted degree", examples=[2])
    betweenness: int = Field(description="Rank by betweenness", examples=[1])


class CentralityOut(BaseModel):
    country: CountryRef
    degree: int = Field(description="Number of partners", examples=[48])
    weighted_degree: int = Field(
        description="Sum of edge weights: shared initiatives over all partners", examples=[58]
    )
    betweenness: float = Field(
        ge=0,
        le=1,
        description="Normalized betweenness, shortest paths weighted by distance = 1/weight "
        "(rounded to 6 decimals)",
        examples=[0.571429],
    )
    ranks: CentralityRanks = Field(
        description="Competition ranks (equal values share a rank: 1, 1, 3)"
    )


class CountryFigures(BaseModel):
    """A country's place in the whole network (every channel, every year)."""

    network_size: int = Field(description="Countries in the network", examples=[190])
    degree: int = Field(description="Number of partners", examples=[48])
    weighted_degree: int = Field(description="Sum of edge weights", examples=[58])
    betweenness: float = Field(
        ge=0, le=1, description="Normalized, distance = 1/weight", examples=[0.12]
    )
    ranks: CentralityRanks | None = Field(
        description="Null when the country has no tie at all",
    )
    data_version: int = Field(
        description="Version of the data the figures are of: the current one (figures "
        "computed at an earlier version are served only when the network is the same)",
        examples=[412],
    )


class ThreatCount(ThreatRef):
    ties: int = Field(
        description="Ties inside the bloc (pair and initiative) that address this threat",
        examples=[165],
    )


class BlocOut(BaseModel):
    id: int = Field(description="1 for the largest bloc; stable for the same data and query")
    size: int = Field(description="Number of member countries", examples=[10])
    members: list[CountryRef] = Field(description="Members, by ISO3", max_length=MAX_NODES)
    internal_weight: int = Field(
        description="Sum of the weights of the edges between members", examples=[135]
    )
    threats: list[ThreatCount] = Field(
        description="The threats the bloc's internal ties address most, at most five",
        max_length=5,
    )


class PeriodOut(BaseModel):
    """Days within the window asked for: a half-open period and its years."""

    start_date: date | None = Field(
        description="First day (null: unknown, with no window start)", examples=["2004-01-01"]
    )
    end_date: date | None = Field(
        description="First day after it (null: ongoing, with no window end)",
        examples=["2011-01-01"],
    )
    first_year: int | None = Field(examples=[2004])
    last_year: int | None = Field(examples=[2010])


class HopOut(BaseModel):
    source: CountryRef
    target: CountryRef
    weight: int = Field(description="Shared initiatives of the pair in the filtered network")
    ties: list[TieOut] = Field(
        description="The shared initiatives that make the hop, by channel then slug, as the "
        "pair evidence gives them (roles, threats, sources), each period cut to the window"
    )
    periods: list[PeriodOut] = Field(
        description="When at least one of the hop's ties holds, within the window"
    )


class PathOut(BaseModel):
    countries: list[CountryRef] = Field(description="From the first country to the other")
    strength: int = Field(description="Sum of the hop weights; stronger paths come first")
    hops: list[HopOut]
    concurrent: list[PeriodOut] = Field(
        description="When every hop holds at once, within the window; empty: the hops never "
        "held at the same time (a path through ties of different times)"
    )


class PathsOut(BaseModel):
    """Every shortest path (fewest hops) between two countries, strongest first."""

    country: CountryRef
    other: CountryRef
    length: int | None = Field(
        description="Hops in each shortest path; null when no path joins them", examples=[2]
    )
    total: int = Field(description="Shortest paths found (counted up to 1000)", examples=[3])
    truncated: bool = Field(description="More than 1000 shortest paths exist")
    data: list[PathOut] = Field(description="The strongest `limit` paths")
    data_version: int = Field(description="Version of the data the network was built from")
    meta: CoverageMeta


_UNKNOWN = " (null in a balanced panel where the channel's data does not cover the year)"


class DyadYearOut(BaseModel):
    """A dyad-year; with `threat_columns=true`, also a `threat_<slug>` key per threat category
    (`threat_armed_conflict`...): how many of the counted initiatives address the threat that
    year (null in a balanced panel where none is known and `ties` is null)."""

    # The threat keys depend on the threat categories, which curators may add to.
    model_config = ConfigDict(extra="allow")
    __pydantic_extra__: dict[str, int | None] = Field(init=False)

    year: int = Field(examples=[2024])
    country_a: CountryRef = Field(description="Undirected: the lower ISO3 of the pair")
    country_b: CountryRef
    cow_a: int | None = Field(
        description="Correlates of War code country_a carried that year (null: none)",
        examples=[850],
    )
    cow_b: int | None = Field(
        description="Correlates of War code country_b carried that year (null: none)",
        examples=[820],
    )
    organizations: int | None = Field(
        description="Shared organizations that year" + _UNKNOWN, examples=[3]
    )
    exercises: int | None = Field(
        description="Shared exercise editions that year" + _UNKNOWN, examples=[1]
    )
    agreements: int | None = Field(
        description="Shared agreements in force that year" + _UNKNOWN, examples=[2]
    )
    operations: int | None = Field(
        description="Shared operations that year" + _UNKNOWN, examples=[1]
    )
    transfers: int | None = Field(
        description="Arms transfers between the two that year (ordered, or in delivery)" + _UNKNOWN,
        examples=[2],
    )
    transfers_a_to_b: int | None = Field(
        description="Of `transfers`, those country_a supplied to country_b (null with it)",
        examples=[2],
    )
    transfers_b_to_a: int | None = Field(
        description="Of `transfers`, those country_b supplied to country_a (null with it)",
        examples=[0],
    )
    ties: int | None = Field(
        description="Sum of the channel counts, organizations to transfers (null when one of "
        "them is)",
        examples=[9],
    )
    threats: list[str] = Field(
        description="Slugs of the threats the counted initiatives address",
        examples=[["cybercrime", "terrorism"]],
    )


class CowCodeOut(BaseModel):
    """A Correlates of War code the country carried, and when."""

    cow_code: int = Field(examples=[260])
    valid_from: date | None = Field(examples=["1955-05-05"])
    valid_until: date | None = Field(
        description="The first day it no longer applies (the day after COW's end date); "
        "null: it still applies",
        examples=["1990-10-03"],
    )
    note: str | None = Field(
        description="Where the period differs from the COW spell it comes from, and why"
    )
    sources: list[CitationOut] = Field(description="The COW list and its line")


class CountryWithFigures(CountryDetail):
    cow_codes: list[CowCodeOut] = Field(
        description="Every Correlates of War code the country carried, in time order "
        "(`cow_code` is the current or last one)"
    )
    network: CountryFigures = Field(
        description="The country's place in the whole cooperation network (every channel, "
        "every year), as ranked by GET /v1/network/centrality"
    )
