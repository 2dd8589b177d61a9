from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from app.countries.models import CountryKind


class CountryRef(BaseModel):
    """A country as embedded anywhere in the API."""

    model_config = ConfigDict(from_attributes=True)

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
