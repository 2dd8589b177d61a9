"""Fixed-window rate limits counted in the database, so that every worker shares them.

One row per bucket and window, incremented with an upsert (atomic on SQLite and
PostgreSQL); windows older than the previous one are pruned on the way.
"""

import math
import time

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.auth.models import RateLimitCounter
from app.core.problems import ProblemError


class TooManyRequests(ProblemError):
    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(429, detail, headers={"Retry-After": str(retry_after)})


class RateLimiter:
    """Counts hits in `session` (its own transaction: commit it, even when the request fails)."""

    def __init__(self, session: Session, window_seconds: int) -> None:
        self.session = session
        self.window = window_seconds
        now = time.time()
        self.window_start = int(now // window_seconds) * window_seconds
        self.retry_after = max(1, math.ceil(self.window_start + window_seconds - now))

    def hit(self, bucket: str) -> int:
        """Count one hit; returns the hits of this window so far, this one included."""
        dialect = self.session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = (
            insert(RateLimitCounter)
            .values(bucket=bucket, window_start=self.window_start, count=1)
            .on_conflict_do_update(
                index_elements=["bucket", "window_start"],
                set_={"count": RateLimitCounter.count + 1},
            )
            .returning(RateLimitCounter.count)
        )
        count = self.session.execute(statement).scalar_one()
        self.session.execute(
            delete(RateLimitCounter).where(
                RateLimitCounter.window_start < self.window_start - self.window
            )
        )
        return count

    def exceeded(self, detail: str) -> TooManyRequests:
        return TooManyRequests(detail, self.retry_after)
