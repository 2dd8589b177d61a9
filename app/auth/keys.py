"""Creating, listing and revoking API keys (for the CLI and the admin routes).

Creating and revoking a key are recorded in the audit trail (entity `api_key`), by the admin
key that did it or, from the command line, by `cli`: who let whom in stays on record. The
record holds what `GET /v1/keys` shows, never the secret or its hash. Keys are not data: the
data version does not move.
"""

import hashlib
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.models import AuditEntry, AuditOperation
from app.auth.models import ApiKey, Scope
from app.auth.schemas import KeyOut
from app.system.models import DataState

API_KEY = "api_key"
CLI_ACTOR = "cli"
KEY_PREFIX = "dck_"
_PREFIX_LENGTH = 12


class KeyCommandError(ValueError):
    """A key operation that cannot be done (duplicate name, unknown key)."""


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def create_key(
    session: Session, *, name: str, scope: Scope, by: str, expires_in_days: int | None = None
) -> tuple[ApiKey, str]:
    """A new key and its secret; the secret is not stored and cannot be shown again.

    `by`: the name of the admin key creating it, or `CLI_ACTOR`."""
    if name == CLI_ACTOR:
        raise KeyCommandError(f"{CLI_ACTOR!r} is reserved: the audit trail's name for the CLI.")
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
    _audit(session, by, key, AuditOperation.create, None, _shown(key))
    return key, secret


def list_keys(session: Session) -> Sequence[ApiKey]:
    return session.scalars(select(ApiKey).order_by(ApiKey.name)).all()


def revoke_key(session: Session, name: str, *, by: str) -> ApiKey:
    """Revoke a key (`by` as for `create_key`); revoking a revoked key changes nothing."""
    key = session.scalars(select(ApiKey).where(ApiKey.name == name)).one_or_none()
    if key is None:
        raise KeyCommandError(f"No key named {name!r}.")
    if key.revoked_at is None:
        before = _shown(key)
        key.revoked_at = datetime.now(UTC)
        _audit(session, by, key, AuditOperation.update, before, _shown(key))
    return key


def _shown(key: ApiKey) -> dict[str, object]:
    return KeyOut.model_validate(key).model_dump(mode="json")


def _audit(
    session: Session,
    by: str,
    key: ApiKey,
    operation: AuditOperation,
    before: dict[str, object] | None,
    after: dict[str, object],
) -> None:
    session.add(
        AuditEntry(
            at=datetime.now(UTC),
            key_name=by,
            entity=API_KEY,
            entity_id=key.name,
            operation=operation,
            data_version=session.scalar(select(DataState.version).where(DataState.id == 1)) or 0,
            before=before,
            after=after,
        )
    )


def find_key(session: Session, secret: str) -> ApiKey | None:
    if not secret.startswith(KEY_PREFIX) or len(secret) > 200:
        return None
    return session.scalars(select(ApiKey).where(ApiKey.key_hash == hash_secret(secret))).first()
