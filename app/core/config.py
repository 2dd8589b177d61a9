"""Settings, read once from the environment (and `.env` when present)."""

from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.core.clients import Network, parse_networks

# The source tree, for tests and the benchmark; the app finds its files through the package.
PROJECT_ROOT = Path(__file__).resolve().parents[2]
# The largest page the API documents (OpenAPI `limit` maximum); a deployment may set a lower one.
PAGE_SIZE_CEILING = 500


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = Field(
        default="sqlite:///var/defcoop.db",
        description="SQLAlchemy URL: sqlite:///path or postgresql+psycopg://user@host/db",
    )
    # Sized to the threadpool that serves sync routes, so that a request holding a
    # thread never waits for a connection held by a request waiting for a thread.
    db_pool_size: int = 40
    db_statement_timeout_ms: int = 15_000
    db_lock_timeout_ms: int = 5_000
    sqlite_busy_timeout_ms: int = 5_000
    # The data-version read that every /v1 read waits for (PostgreSQL): short, so that a
    # lock on the data-state row is a quick 503, not a stall of every read.
    data_version_lock_timeout_ms: int = 1_000
    data_version_statement_timeout_ms: int = 2_000
    cache_max_age: int = Field(default=300, description="Cache-Control max-age for reads, seconds")
    response_cache_bytes: int = Field(
        default=64 * 1024 * 1024,
        description="In-process response cache per worker, bytes (0: off); keyed by data version",
    )
    gzip_minimum_size: int = Field(default=1024, description="Gzip responses from this size, bytes")
    page_size_default: int = Field(default=50, ge=1, description="Page size without `limit`")
    page_size_max: int = Field(
        default=PAGE_SIZE_CEILING, ge=1, le=PAGE_SIZE_CEILING, description="Largest `limit`"
    )
    # Request bounds (app/core/limits.py); each can be set in the environment, e.g. MAX_BODY_BYTES.
    max_body_bytes: int = Field(
        default=1024 * 1024, ge=0, description="Largest request body accepted, bytes (413 above)"
    )
    max_query_params: int = Field(
        default=100, ge=1, description="Most query parameters in one request (422 above)"
    )
    max_query_bytes: int = Field(
        default=8192, ge=1, description="Longest query string accepted, bytes (422 above)"
    )
    max_headers: int = Field(default=100, ge=1, description="Most header lines (431 above)")
    max_header_bytes: int = Field(
        default=16 * 1024, ge=1, description="Most bytes of headers, names and values (431 above)"
    )
    body_timeout_seconds: float = Field(
        default=30, gt=0, description="Time a request body may take to arrive, seconds (408)"
    )
    # Rate limits, counted in the database so that every worker shares them.
    rate_limit_window_seconds: int = Field(default=60, ge=1, description="Fixed window, seconds")
    rate_limit_auth_failures: int = Field(
        default=20, ge=1, description="Failed authentications per client address per window"
    )
    rate_limit_writes: int = Field(default=300, ge=1, description="Writes per API key per window")
    trusted_proxies: str = Field(
        default="",
        description="Reverse proxies whose X-Forwarded-For / Forwarded headers are believed, as "
        "addresses or networks separated by commas (e.g. 127.0.0.1,10.0.0.0/8); empty: none",
    )

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies_parse(cls, value: str) -> str:
        parse_networks(value)
        return value

    @property
    def trusted_proxy_networks(self) -> tuple[Network, ...]:
        return parse_networks(self.trusted_proxies)

    @model_validator(mode="after")
    def _default_page_fits(self) -> "Settings":
        if self.page_size_default > self.page_size_max:
            raise ValueError("page_size_default must not exceed page_size_max")
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()
