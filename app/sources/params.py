"""The path parameter of the source reads, which the source writes share."""

from typing import Annotated

from fastapi import Path

SourceId = Annotated[
    str,
    Path(
        max_length=80,
        pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
        description="Source id",
        examples=["article"],
    ),
]
