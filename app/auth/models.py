"""API keys, and the counters that rate-limit writes and failed authentication."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, UtcDateTime
from app.core.periods import enum_column


class Scope(StrEnum):
    """`curator` may write data; `admin` may also manage keys."""

    curator = "curator"
    admin = "admin"


class ApiKey(Base):
    """A key is stored only as the SHA-256 of its secret (32 random bytes: no need for a
    slow hash), plus a short prefix that identifies it in listings and logs."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    scope: Mapped[Scope] = mapped_column(enum_column(Scope, "scope"))
    prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    def usable(self, now: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class RateLimitCounter(Base):
    """Hits of one bucket (e.g. `auth-fail:203.0.113.9`) in one fixed window."""

    __tablename__ = "rate_limit_counters"
    __table_args__ = (Index("ix_rate_limit_counters_window_start", "window_start"),)

    bucket: Mapped[str] = mapped_column(String(200), primary_key=True)
    window_start: Mapped[int] = mapped_column(Integer, primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
