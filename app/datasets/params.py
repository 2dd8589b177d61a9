"""The query and path parameters of the dataset reads."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Path

from app.core.inputs import SLUG_PATTERN
from app.core.params import text_param


@dataclass
class DatasetFilters:
    channel: Annotated[
        str | None,
        text_param(
            "Only datasets covering this channel (or `countries`)",
            "exercise",
            max_length=20,
            min_length=None,
            pattern=r"^[a-z]+$",
        ),
    ] = None


DatasetId = Annotated[
    str,
    text_param(
        "Dataset id (its source id)",
        "mme-v7",
        max_length=80,
        min_length=None,
        pattern=SLUG_PATTERN,
        where=Path,
    ),
]
