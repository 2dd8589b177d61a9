"""Declarations that the API schemas share: the base of the schemas read from rows, the
example body of an input schema, and the fields that carry the same prose everywhere."""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.core.params import NO_CONTROL_CHARACTERS


class FromRow(BaseModel):
    """A schema read from the attributes of a database row (or of any object)."""

    model_config = ConfigDict(from_attributes=True)


def example_body(example: dict[str, Any]) -> ConfigDict:
    """The `model_config` of an input schema whose document shows `example`."""
    return ConfigDict(json_schema_extra={"examples": [example]})


def precision_field(example: str) -> Any:
    """An optional date's precision (the date's `*_precision` beside its `*_date`)."""
    return Field(
        default=None, description="How much of the date is known (default: day)", examples=[example]
    )


def indonesian_name(example: str) -> Any:
    """An optional name in Indonesian (`name_id`)."""
    return Field(default=None, description="Name in Indonesian", examples=[example])


def text_field(
    example: str,
    *,
    max_length: int,
    min_length: int = 1,
    pattern: str = NO_CONTROL_CHARACTERS,
    description: str | None = None,
    required: bool = False,
) -> Any:
    """A bounded text field of a body (optional unless `required`): its length, its
    characters, its prose."""
    return Field(
        default=... if required else None,
        min_length=min_length,
        max_length=max_length,
        pattern=pattern,
        description=description,
        examples=[example],
    )
