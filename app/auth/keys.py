"""Creating, listing and revoking API keys (for the CLI and the admin routes)."""

import hashlib
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.models import ApiKey, Scope

KEY_PREFIX = "dck_"
_PREFIX_LENGTH = 12


class KeyCommandError(ValueError):
    """A key operation that cannot be done (duplicate name, unknown key)."""


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def create_key(
    session: Session, *, name: str, scope: Scope, expires_in_days: int | None = None
) -> tuple[ApiKey, str]:
    """A new key and its secret; the secret is not stored and cannot be shown again."""
    if session.scalar(select(ApiKey.id).where(ApiKey.name == name)) is not None:
        raise KeyCommandError(f"A key named {name!r} already exists.")
    secret = new_secret()
    now = datetime.now(UTC)
    key = ApiKey(
        name=name,
        scope=scope,
        prefix=secret[:_PREFIX_LENGTH],
        key_hash=hash_secret(secret),
        created_at=now,
        expires_at=now + timedelta(days=expires_in_days) if expires_in_days else None,
    )
    session.add(key)
    session.flush()
    return key, secret


def list_keys(session: Session) -> Sequence[ApiKey]:
    return session.scalars(select(ApiKey).order_by(ApiKey.name)).all()


def revoke_key(session: Session, name: str) -> ApiKey:
    key = session.scalars(select(ApiKey).where(ApiKey.name == name)).one_or_none()
    if key is None:
        raise KeyCommandError(f"No key named {name!r}.")
    if key.revoked_at is None:
        key.revoked_at = datetime.now(UTC)
    return key


def find_key(session: Session, secret: str) -> ApiKey | None:
    if not secret.startswith(KEY_PREFIX) or len(secret) > 200:
        return None
    return session.scalars(select(ApiKey).where(ApiKey.key_hash == hash_secret(secret))).first()
