"""The query parameters of the agreement reads."""

from dataclasses import dataclass
from typing import Annotated

from app.agreements.models import AgreementCategory, AgreementKind
from app.core.params import CountryFilter, SearchText, ThreatFilter, described, repeatable


@dataclass
class AgreementFilters:
    kind: Annotated[
        list[AgreementKind] | None, repeatable("Agreement kind", ["defense_treaty"], 5)
    ] = None
    category: Annotated[
        list[AgreementCategory] | None,
        repeatable(
            "A category of the agreement (DCAD's: dca framework, dic defense-industrial "
            "cooperation, trex training and exercises, procurement, commission, research), "
            "primary or not",
            ["dic", "procurement"],
            6,
        ),
    ] = None
    technology_transfer: Annotated[
        bool | None,
        described(
            "true: technology transfer only, i.e. of kind technology_transfer or with a dic, "
            "procurement or research category; false: the others",
            True,
        ),
    ] = None
    party: CountryFilter = None
    threat: ThreatFilter = None
    q: SearchText = None
