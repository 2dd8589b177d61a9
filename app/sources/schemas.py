from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.core.periods import DatePrecision
from app.sources.models import Certainty, Citation, SourceKind


class CitationOut(BaseModel):
    """A source cited for a fact, and where in it the fact stands."""

    source_id: str = Field(examples=["nato-news-84445"])
    title: str = Field(examples=["Marking 60 years of membership"])
    url: str | None = Field(examples=["https://www.nato.int/cps/en/natohq/news_84445.htm"])
    locator: str | None = Field(
        description="Section of the article, dataset row (e.g. mme243) or part of the page",
        examples=["mme243"],
    )

    @model_validator(mode="before")
    @classmethod
    def _from_citation(cls, value: Any) -> Any:
        if isinstance(value, Citation):
            return {
                "source_id": value.source_id,
                "title": value.source.title,
                "url": value.source.url,
                "locator": value.locator,
            }
        return value


class Evidence(BaseModel):
    """Fields every fact-bearing record carries."""

    model_config = ConfigDict(from_attributes=True)

    certainty: Certainty = Field(
        description="confirmed, unconfirmed (no source confirms it) or disputed (sources differ)"
    )
    note: str | None = None
    sources: list[CitationOut] = Field(validation_alias="citations")


class SourceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str = Field(examples=["article"])
    kind: SourceKind
    title: str
    publisher: str | None
    url: str | None
    published_date: date | None
    published_precision: DatePrecision | None
    language: str | None = Field(examples=["en"])
    note: str | None


class SourceDetail(SourceOut):
    cited_by: dict[str, int] = Field(
        description="How many facts of each kind cite this source",
        examples=[{"memberships": 32, "organizations": 1}],
    )


class CitationIn(BaseModel):
    """A source for a new fact: which source, and where in it the fact stands."""

    model_config = ConfigDict(extra="forbid")

    source: str = Field(
        min_length=1,
        max_length=80,
        pattern=r"^[a-z0-9][a-z0-9._-]*$",
        description="Id of a source listed by GET /v1/sources",
        examples=["asean-secretariat-membership"],
    )
    locator: str | None = Field(
        default=None,
        min_length=1,
        max_length=300,
        pattern=r"^[^\x00-\x1f]*$",
        description="Section of the article, dataset row or part of the page",
        examples=["para. 3"],
    )
