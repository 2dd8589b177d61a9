from typing import ClassVar

from pydantic import Field

from app.core.fields import FromRow
from app.core.language import Named
from app.countries.schemas import CountryRef
from app.sources.models import Certainty
from app.sources.schemas import CitationOut
from app.transfers.models import DeliveryStatus, TransferRole


class TransferParty(FromRow):
    role: TransferRole
    country: CountryRef
    certainty: Certainty
    sources: list[CitationOut] = Field(validation_alias="citations")


class TransferOut(Named):
    name_kind: ClassVar[str] = "transfer"

    slug: str = Field(examples=["usa-idn-2011-f-16c"])
    name: str = Field(examples=["F-16C from United States to Indonesia (ordered 2011)"])
    supplier: CountryRef
    recipient: CountryRef
    order_year: int = Field(examples=[2011])
    order_year_estimated: bool = Field(description="SIPRI marks the year as uncertain")
    number_ordered: int | None = Field(examples=[24])
    number_ordered_estimated: bool
    weapon_designation: str | None = Field(examples=["F-16C"])
    weapon_description: str | None = Field(examples=["FGA aircraft"])
    number_delivered: int | None = Field(examples=[24])
    number_delivered_estimated: bool
    delivery_years: str | None = Field(
        description="The years of delivery as the register lists them", examples=["2014; 2015"]
    )
    last_delivery_year: int | None = Field(description="Ends the transfer's ties", examples=[2015])
    delivery_status: DeliveryStatus = Field(
        description="delivered, ongoing (the tie stays open) or cancelled (no tie without a "
        "delivery)"
    )
    status: str | None = Field(
        description="The register's status cell, verbatim", examples=["Second hand"]
    )
    tiv_per_unit: float | None = Field(description="SIPRI TIV per unit (millions)")
    tiv_total_order: float | None = Field(description="SIPRI TIV of the whole order (millions)")
    tiv_delivered: float | None = Field(description="SIPRI TIV of the delivered weapons")
    certainty: Certainty


class TransferDetail(TransferOut):
    comments: str | None
    note: str | None
    parties: list[TransferParty]
    sources: list[CitationOut] = Field(validation_alias="citations")
