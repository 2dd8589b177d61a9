from datetime import date
from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.core.fields import FromRow, example_body, precision_field, text_field
from app.core.inputs import InputDate, date_error
from app.core.periods import DatePrecision
from app.sources.models import Certainty, Citation, Source, SourceKind


class CitationOut(BaseModel):
    """A source cited for a fact, and where in it the fact stands."""

    source_id: str = Field(examples=["nato-news-84445"])
    title: str = Field(examples=["Marking 60 years of membership"])
    url: str | None = Field(examples=["https://www.nato.int/cps/en/natohq/news_84445.htm"])
    locator: str | None = Field(
        description="Section of the article, dataset row (e.g. mme243) or part of the page",
        examples=["mme243"],
    )
    note: str | None = Field(
        default=None,
        description="Where this source disagrees with the fact as stored (curated facts stand): "
        "what it says instead; null when it agrees",
        examples=["COW IGO v3 ends it in 1972; the curated end stands"],
    )

    @classmethod
    def of(cls, source: Source, locator: str | None) -> Self:
        """`source` cited at `locator` (a link or a dated code, which cite one source)."""
        return cls(source_id=source.id, title=source.title, url=source.url, locator=locator)

    @model_validator(mode="before")
    @classmethod
    def _from_citation(cls, value: Any) -> Any:
        if isinstance(value, Citation):
            return {
                "source_id": value.source_id,
                "title": value.source.title,
                "url": value.source.url,
                "locator": value.locator,
                "note": value.note,
            }
        return value


class Evidence(FromRow):
    """Fields every fact-bearing record carries."""

    certainty: Certainty = Field(
        description="confirmed, unconfirmed (no source confirms it) or disputed (sources differ)"
    )
    note: str | None = None
    sources: list[CitationOut] = Field(validation_alias="citations")


class SourceOut(FromRow):
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

    source: str = text_field(
        "asean-secretariat-membership",
        max_length=80,
        pattern=r"^[a-z0-9][a-z0-9._-]*$",
        description="Id of a source listed by GET /v1/sources",
        required=True,
    )
    locator: str | None = text_field(
        "para. 3",
        max_length=300,
        description="Section of the article, dataset row or part of the page",
    )


# --- input: what the write routes accept --------------------------------------------------

_NO_CONTROL = r"^[^\x00-\x1f]*$"
_MULTILINE = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f]*$"


class _SourceFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    publisher: str | None = text_field("NATO", max_length=200)
    url: str | None = Field(
        default=None,
        min_length=8,
        max_length=500,
        pattern=r"^https?://[^\s\x00-\x1f]+$",
        examples=["https://www.nato.int/cps/en/natohq/news_84445.htm"],
    )
    published_date: InputDate | None = Field(default=None, examples=["2019-03-12"])
    published_precision: DatePrecision | None = precision_field("month")
    language: str | None = text_field(
        "en",
        min_length=2,
        max_length=8,
        pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,4})?$",
        description="BCP 47 language tag",
    )
    note: str | None = text_field("Retrieved 2025-11-01.", max_length=2000, pattern=_MULTILINE)

    def _date_errors(self, explicit: set[str] | None) -> list[str]:
        if explicit is not None and not {"published_date", "published_precision"} & explicit:
            return []
        precision, error = date_error(self.published_date, self.published_precision, "published")
        self.__dict__["published_precision"] = precision
        return [error] if error else []


Title = Annotated[
    str,
    Field(
        min_length=1,
        max_length=300,
        pattern=_NO_CONTROL,
        examples=["Marking 60 years of membership"],
    ),
]


class SourceCreate(_SourceFields):
    """A new source that facts can cite."""

    model_config = example_body(
        {
            "id": "nato-news-84445",
            "kind": "article",
            "title": "Marking 60 years of membership",
            "publisher": "NATO",
            "url": "https://www.nato.int/cps/en/natohq/news_84445.htm",
            "published_date": "2012-02-18",
            "language": "en",
        }
    )

    id: str = Field(
        min_length=1,
        max_length=80,
        pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
        description="Stable lowercase id, cited as `source` by facts",
        examples=["nato-news-84445"],
    )
    kind: SourceKind = Field(examples=["article"])
    title: Title

    @model_validator(mode="after")
    def _check(self) -> Self:
        errors = self._date_errors(None)
        if errors:
            raise ValueError("; ".join(errors))
        return self


class SourceUpdate(_SourceFields):
    """The fields to change; absent fields stay as they are, null clears an optional one."""

    model_config = example_body({"url": "https://example.org/a"})

    kind: SourceKind | None = Field(default=None, examples=["article"])
    title: Title | None = Field(default=None, examples=["Marking 60 years of membership"])

    @model_validator(mode="after")
    def _check(self) -> Self:
        errors = [
            f"{field} cannot be null"
            for field in ("kind", "title")
            if field in self.model_fields_set and getattr(self, field) is None
        ]
        errors += self._date_errors(self.model_fields_set)
        if errors:
            raise ValueError("; ".join(errors))
        return self


Sources = Annotated[
    list[CitationIn],
    Field(
        min_length=1,
        max_length=20,
        description="At least one source for the fact (ids from GET /v1/sources)",
        examples=[[{"source": "article", "locator": "para. 2"}]],
    ),
]


def listed_sources(locator: str, fact: str, initiative: str) -> Any:
    """The `sources` of a fact listed with its initiative (a party, a participant): given,
    they cite the fact; absent, the initiative's sources do."""
    return Field(
        examples=[[{"source": "article", "locator": locator}]],
        default=None,
        description=f"Sources for this {fact} (default: the {initiative}'s)",
    )


def replacing_sources(locator: str) -> Any:
    """The `sources` of a PATCH body: given, they replace the cited ones."""
    return Field(
        default=None,
        description="Replaces the cited sources",
        examples=[[{"source": "article", "locator": locator}]],
    )
