from datetime import date, datetime

from pydantic import BaseModel, Field

from app.core.fields import FromRow


class CoverageOut(FromRow):
    channel: str = Field(description="A tie channel, or `countries`", examples=["exercise"])
    starts: date = Field(examples=["1980-01-01"])
    ends: date = Field(examples=["2010-12-31"])
    what: str = Field(examples=["multinational military exercises that began in these years"])


class LastImport(BaseModel):
    """How the import that loaded the data accounted for every row of the file it read."""

    file_sha256: str
    imported_at: datetime
    rows_read: int
    imported: int = Field(description="Rows that became new records")
    merged: int = Field(description="Rows merged into a curated record of the same thing")
    already_imported: int = Field(description="Rows an earlier import had loaded")
    left_to_curators: int = Field(description="Rows whose record curators changed or deleted")
    rejected: int = Field(description="Rows refused, each with its reason in the import report")


class DatasetOut(BaseModel):
    id: str = Field(description="Also the source id its facts cite", examples=["mme-v7"])
    name: str = Field(examples=["Multinational Military Exercises (MME)"])
    version: str = Field(examples=["7"])
    citation: str
    terms: str
    provenance: str
    bundled: bool = Field(description="Shipped with defcoop and imported by `make run`")
    coverage: list[CoverageOut]
    last_import: LastImport | None = Field(description="Null until the dataset is imported")


class DatasetDetail(DatasetOut):
    cited_by: dict[str, int] = Field(
        description="Facts that cite the dataset, per kind of record",
        examples=[{"exercise_editions": 3707, "participations": 12000}],
    )
