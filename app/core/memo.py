"""Values computed once per key and kept in memory: per data version, per filters.

Keys that depend on the data carry the data version (read by the caching middleware before
the route reads anything) and the database's identity, so that a value is never served for
data it was not computed from. Each value keeps the tables it was computed from
(`core.db.Reads`): a request served from memory has read them too, which is what the
response cache needs to know how long its answer holds.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from sqlalchemy.orm import Session

from app.core.db import Reads, note_reads, recording_reads

Key = TypeVar("Key", bound=Hashable)
Value = TypeVar("Value")


class LruCache(Generic[Key, Value]):
    """A small thread-safe LRU map that builds each missing value once: concurrent requests
    for a key being built wait for that build (a burst of cold requests would otherwise run
    the same heavy query side by side), while requests for other keys are not held up."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._values: OrderedDict[Key, tuple[Value, Reads]] = OrderedDict()
        self._building: dict[Key, threading.Lock] = {}
        self._lock = threading.Lock()

    def get(self, key: Key) -> Value | None:
        """The value when already built (and what it read counts as read here), else None."""
        with self._lock:
            found = self._values.get(key)
            if found is None:
                return None
            self._values.move_to_end(key)
        value, reads = found
        note_reads(reads)
        return value

    def get_or_build(self, key: Key, build: Callable[[], Value]) -> Value:
        if (value := self.get(key)) is not None:
            return value
        with self._lock:
            building = self._building.setdefault(key, threading.Lock())
        with building:
            if (value := self.get(key)) is not None:
                return value
            try:
                with recording_reads() as record:  # also counted as read by the caller
                    value = build()
                with self._lock:
                    self._values[key] = (value, record.reads())
                    while len(self._values) > self.maxsize:
                        self._values.popitem(last=False)
            finally:
                with self._lock:
                    self._building.pop(key, None)
        return value

    def __len__(self) -> int:
        return len(self._values)


def database_identity(session: Session) -> str:
    """Tells databases apart in one process (tests run several), as part of cache keys."""
    return session.get_bind().engine.url.render_as_string(hide_password=True)
