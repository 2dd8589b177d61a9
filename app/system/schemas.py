from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class Health(BaseModel):
    status: str = Field(examples=["ok"])


class Readiness(BaseModel):
    status: str = Field(examples=["ready"])
    database: str = Field(examples=["sqlite"])
    revision: str | None = Field(description="Alembic revision of the database")


class SourceSummary(BaseModel):
    id: str
    title: str
    kind: str


class CoverageSpan(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    dataset: str = Field(examples=["mme-v7"])
    first_year: int = Field(examples=[1980])
    last_year: int = Field(examples=[2010])
    what: str


class ChannelCoverageOut(BaseModel):
    """What a channel's data covers: the datasets' years, and the curated facts beyond them."""

    channel: str = Field(examples=["exercise"])
    datasets: list[CoverageSpan]
    first_fact_year: int | None = Field(
        description="The earliest year of any of the channel's ties", examples=[1954]
    )
    note: str | None = Field(
        description="The years since the first fact that no dataset covers (curated facts "
        "only: a missing tie there is unknown, not absent); null when datasets cover them all"
    )


class DatasetCitationOut(BaseModel):
    id: str = Field(description="The dataset's id (GET /v1/datasets/{id})", examples=["mme-v7"])
    name: str = Field(examples=["Multinational Military Exercises (MME)"])
    version: str = Field(examples=["7"])
    citation: str = Field(description="The dataset's own citation, as its authors ask for it")
    terms: str = Field(description="The dataset's terms of use")
    publisher: str | None = Field(description="Who publishes the dataset")
    url: str | None = Field(description="Where the dataset is published")
    in_data: bool = Field(
        description="Facts in this database cite the dataset: cite it when you use them"
    )


class HowToCite(BaseModel):
    """How to cite defcoop at this data version, and the datasets it carries."""

    defcoop: str = Field(
        description="The citation of defcoop at this data version",
        examples=[
            "defcoop contributors. 2026. defcoop: an open database of international defense "
            "cooperation. Data version 3 (2026-12-06), software version 0.1.0."
        ],
    )
    note: str
    datasets: list[DatasetCitationOut]


class Meta(BaseModel):
    name: str = Field(examples=["defcoop"])
    api_version: str = Field(examples=["0.1.0"])
    data_version: int = Field(description="Bumped by every change to the data", examples=[3])
    data_updated_at: datetime | None
    counts: dict[str, int] = Field(
        description="Rows per kind of record", examples=[{"countries": 257, "alliances": 789}]
    )
    sources: list[SourceSummary]
    coverage: list[ChannelCoverageOut] = Field(
        description="Per channel, the years its data covers (GET /v1/datasets has the details)"
    )
    citation: HowToCite = Field(
        description="How to cite defcoop at this data version and the datasets it carries"
    )
