"""`require_scope`: the dependency that guards every write and every private read.

The key is read from the `X-API-Key` header only (never from the URL, where it would end up
in logs and browser histories). A missing, unknown, expired or revoked key gets the same 401,
so that an answer never tells which of them it was; repeated failures from one address are
rate-limited (the failures only: a valid key always works), as are writes per key. Keys and
counters are read and written in a session of their own, committed at once: a failed request
must still count.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Request, Security
from fastapi.security import APIKeyHeader

from app.auth.keys import find_key
from app.auth.models import Scope
from app.auth.ratelimit import RateLimiter
from app.core.clients import client_address
from app.core.config import Settings
from app.core.problems import PROBLEM_MEDIA_TYPE, Problem, ProblemError

API_KEY_HEADER = "X-API-Key"
api_key_header = APIKeyHeader(
    name=API_KEY_HEADER,
    scheme_name="ApiKey",
    description="An API key from `defcoop keys create`; curator scope writes, admin also "
    "manages keys. Never put it in the URL.",
    auto_error=False,
)
_UNAUTHORIZED = f"A valid API key is required in the {API_KEY_HEADER} header."
_READS = ("GET", "HEAD")


@dataclass(frozen=True)
class Principal:
    """Who is writing: the key's name goes into the audit trail."""

    name: str
    scope: Scope


class Unauthorized(ProblemError):
    def __init__(self) -> None:
        super().__init__(
            401,
            _UNAUTHORIZED,
            headers={"WWW-Authenticate": f'ApiKey realm="defcoop", header="{API_KEY_HEADER}"'},
        )


def require_scope(scope: Scope) -> Callable[..., Principal]:
    """A dependency returning the caller's `Principal`, or refusing with 401/403/429."""

    def authenticate(
        request: Request, key: Annotated[str | None, Security(api_key_header)]
    ) -> Principal:
        settings: Settings = request.app.state.settings
        with request.app.state.session_factory() as session:
            limiter = RateLimiter(session, settings.rate_limit_window_seconds)
            found = find_key(session, key) if key else None
            usable = found is not None and found.usable(datetime.now(UTC))
            principal = Principal(found.name, found.scope) if found is not None else None
            # End the read transaction before counting a hit: on SQLite a read transaction
            # cannot become a write once another connection has written (it fails at once,
            # busy timeout or not), while a transaction that starts with the write waits.
            session.rollback()
            if principal is None or not usable:
                # Only failures are limited, so that nobody failing from a shared address (a
                # proxy, a NAT) can lock a curator out; a key is a 256-bit secret, so what the
                # limit slows is noise, not a guess. The count is the upsert's own result: a
                # burst cannot slip between reading the count and adding to it.
                address = client_address(request, settings.trusted_proxy_networks)
                failures = limiter.hit(f"auth-fail:{address}")
                session.commit()
                if failures > settings.rate_limit_auth_failures:
                    raise limiter.exceeded("Too many failed authentications from this address.")
                raise Unauthorized()
            if scope is Scope.admin and principal.scope is not Scope.admin:
                raise ProblemError(403, f"This API key's scope ({principal.scope}) cannot do this.")
            if request.method not in _READS:
                writes = limiter.hit(f"writes:{principal.name}")
                session.commit()
                if writes > settings.rate_limit_writes:
                    raise limiter.exceeded("Too many writes with this API key; retry later.")
        return principal

    return authenticate


CuratorDep = Annotated[Principal, Security(require_scope(Scope.curator))]
AdminDep = Annotated[Principal, Security(require_scope(Scope.admin))]


AUTH_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "description": description, "content": {PROBLEM_MEDIA_TYPE: {}}}
    for status, description in (
        (401, "No valid API key (missing, unknown, expired or revoked)"),
        (403, "The API key's scope does not allow this"),
        (429, "Too many requests (writes per key, or failed authentications); see Retry-After"),
    )
}
