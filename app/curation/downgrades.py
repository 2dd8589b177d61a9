"""What a downgrade past the curation revision leaves behind: a marker the seed respects.

That downgrade drops the API keys, the audit trail and `modified_in_version`, which is how
the seed and the importers know what curators changed or deleted. Upgraded again, the database
looks as if nobody had ever curated it, and a seed (which `make run` runs on every start) would
revert curators' edits and bring back what they deleted. So the downgrade writes a marker row
into `data_state` (which it keeps), and the seed and the importers load nothing while it is
there (saying why, without failing, so that `make run` still serves the data as it is), until
someone says so (`defcoop seed --over-dropped-curation`).
"""

from datetime import datetime

from sqlalchemy import delete, func, inspect, select
from sqlalchemy.orm import Session

from app.audit.models import AuditEntry
from app.auth.models import ApiKey
from app.system.models import CURATION_DROPPED_ROW, DataState


def curation_records(session: Session) -> int:
    """API keys and audit entries: what reverting the curation revision would destroy."""
    counts = [
        select(func.count()).select_from(model).scalar_subquery() for model in (ApiKey, AuditEntry)
    ]
    return int(session.execute(select(counts[0] + counts[1])).scalar_one())


def curation_dropped_at(session: Session) -> datetime | None:
    """When a downgrade dropped curated data; None if it never did (or nothing is migrated yet,
    which the seed then reports itself)."""
    if not inspect(session.connection()).has_table(DataState.__tablename__):
        return None
    marker = session.get(DataState, CURATION_DROPPED_ROW)
    return marker.updated_at if marker is not None else None


def forget_dropped_curation(session: Session) -> None:
    session.execute(delete(DataState).where(DataState.id == CURATION_DROPPED_ROW))


def refusal(dropped_at: datetime) -> str:
    return (
        f"nothing loaded: a downgrade on {dropped_at:%Y-%m-%d %H:%M} UTC dropped the "
        "curation history; seeding or importing now would revert curators' edits and "
        "re-create what they deleted. Restore a backup taken before the downgrade, or, to "
        "load the seed over this data anyway, run `defcoop seed --over-dropped-curation`."
    )
