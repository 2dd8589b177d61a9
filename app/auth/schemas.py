from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from app.auth.models import Scope
from app.core.fields import FromRow
from app.core.params import NO_CONTROL_CHARACTERS


class KeyOut(FromRow):
    """An API key as listed: never its secret, which is not stored."""

    name: str = Field(examples=["ana"])
    scope: Scope
    prefix: str = Field(
        description="The secret's first characters, to recognise it", examples=["dck_Xy12ab3c"]
    )
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None


class KeyCreated(KeyOut):
    secret: str = Field(
        description="Send it as the X-API-Key header; it is shown only in this response",
        examples=["dck_Xy12ab3cJ9..."],
    )


class KeyCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"name": "ana", "scope": "curator", "expires_in_days": 90}]
        },
    )

    name: str = Field(
        min_length=1, max_length=80, pattern=NO_CONTROL_CHARACTERS, description="Unique name"
    )
    scope: Scope = Scope.curator
    expires_in_days: int | None = Field(
        strict=True, default=None, ge=1, le=3650, description="null: never"
    )
