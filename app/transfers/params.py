"""The query parameters of the transfer list."""

from dataclasses import dataclass
from typing import Annotated

from app.core import params
from app.transfers.models import DeliveryStatus


@dataclass
class TransferFilters:
    supplier: params.CountryFilter = None
    recipient: params.CountryFilter = None
    delivery_status: Annotated[
        DeliveryStatus | None, params.described("delivered, ongoing or cancelled", "ongoing")
    ] = None
    year_gte: params.YearGte = None
    year_lte: params.YearLte = None
    q: params.SearchText = None
