from datetime import date
from typing import Annotated, ClassVar, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.core.fields import indonesian_name, text_field
from app.core.language import Named
from app.countries.models import CountryKind


class CountryRef(Named):
    """A country as embedded anywhere in the API."""

    name_kind: ClassVar[str] = "country"
    name_key: ClassVar[str] = "iso3"

    iso3: str = Field(examples=["IDN"])
    name: str = Field(examples=["Indonesia"])


class CountryOut(CountryRef):
    iso2: str | None = Field(examples=["ID"])
    numeric_code: str | None = Field(description="ISO 3166-1 numeric (UN M49)", examples=["360"])
    cow_code: int | None = Field(description="Correlates of War state code", examples=[850])
    name_id: str = Field(description="Name in Indonesian", examples=["Indonesia"])
    kind: CountryKind
    region: str | None = Field(examples=["Asia"])
    subregion: str | None = Field(description="UN M49 sub-region", examples=["South-eastern Asia"])
    valid_from: date | None = Field(description="For states that ceased to exist")
    valid_until: date | None = Field(description="For states that ceased to exist")


class CountryDetail(CountryOut):
    official_name: str | None = Field(examples=["Republic of Indonesia"])
    note: str | None


_NO_CONTROL = r"^[^\x00-\x1f]*$"
CountryName = Annotated[
    str, Field(min_length=1, max_length=120, pattern=_NO_CONTROL, examples=["Türkiye"])
]


class CountryUpdate(BaseModel):
    """The curated fields of a country: its names and note. Codes, kind, region and validity
    come from ISO 3166 (pycountry), country-converter and the COW list, and are not edited
    here. Absent fields stay as they are; null clears the official name or the note."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"name": "Türkiye", "name_id": "Turki"}]},
    )

    name: CountryName | None = Field(
        examples=["Türkiye"], default=None, description="Short English name"
    )
    name_id: CountryName | None = indonesian_name("Turki")
    official_name: str | None = text_field("Republic of Türkiye", max_length=200)
    note: str | None = text_field(
        "COW codes the Federal Republic 260 until 1990.",
        max_length=2000,
        pattern=r"^[^\x00-\x08\x0b\x0c\x0e-\x1f]*$",
    )

    @model_validator(mode="after")
    def _check(self) -> Self:
        for field in ("name", "name_id"):
            if field in self.model_fields_set and getattr(self, field) is None:
                raise ValueError(f"{field} cannot be null")
        return self
