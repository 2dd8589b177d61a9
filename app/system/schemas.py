from datetime import datetime

from pydantic import BaseModel, Field


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


class Meta(BaseModel):
    name: str = Field(examples=["defcoop"])
    api_version: str = Field(examples=["0.1.0"])
    data_version: int = Field(description="Bumped by every change to the data", examples=[3])
    data_updated_at: datetime | None
    counts: dict[str, int] = Field(
        description="Rows per kind of record", examples=[{"countries": 257, "organizations": 11}]
    )
    sources: list[SourceSummary]
