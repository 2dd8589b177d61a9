"""Engine, declarative base and the request-scoped session; which tables a statement reads
or writes (the response cache keeps an answer while the tables it read do not change)."""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar

from sqlalchemy import DateTime, Integer, MetaData, create_engine, event, text
from sqlalchemy.engine import Connection, Dialect, Engine, ExecutionContext, make_url
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker
from sqlalchemy.sql.dml import UpdateBase
from sqlalchemy.sql.selectable import SelectBase
from sqlalchemy.types import TypeDecorator

from app.core.config import Settings

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp that is always timezone-aware UTC, also on SQLite (which drops offsets)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime: store timezone-aware UTC timestamps")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)

    # What the columns a model takes from a mixin (`PeriodMixin`) mean in its table, where the
    # mixin cannot say it for every table: each column's `doc`, which the release's codebook
    # reads.
    __column_docs__: ClassVar[dict[str, str]] = {}

    def __init_subclass__(cls, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        for name, doc in cls.__dict__.get("__column_docs__", {}).items():
            cls.__table__.c[name].doc = doc


class Versioned:
    """A curated top-level row: the data version of the last write that changed it.

    Writes compare it with the data version in a client's `If-Match` (412 when newer), so
    that no client overwrites a change it has not seen.
    """

    modified_in_version: Mapped[int] = mapped_column(
        Integer,
        default=0,
        server_default=text("0"),
        nullable=False,
        doc="The data version of a curator's last write to the row through the write API; 0 "
        "for rows as the seed and the imports wrote them",
    )


def create_db_engine(settings: Settings) -> Engine:
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite":
        return _sqlite_engine(settings)
    options = (
        f"-c statement_timeout={settings.db_statement_timeout_ms} "
        f"-c lock_timeout={settings.db_lock_timeout_ms}"
    )
    return create_engine(
        url,
        pool_size=settings.db_pool_size,
        max_overflow=0,
        pool_pre_ping=True,
        connect_args={"connect_timeout": 10, "options": options},
    )


def _sqlite_engine(settings: Settings) -> Engine:
    url = make_url(settings.database_url)
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        pool_size=settings.db_pool_size,
        max_overflow=0,
        connect_args={"check_same_thread": False},
    )

    @event.listens_for(engine, "connect")
    def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={settings.sqlite_busy_timeout_ms}")
        cursor.close()

    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False, autoflush=False)


# --- which tables a statement reads or writes --------------------------------------------

# The tables that hold the data version itself: an answer that reads them is true of its
# data version only, whatever the other tables do.
VERSION_TABLES = frozenset({"data_state", "table_versions"})

# Identifiers in SQL text, bare or double-quoted (both backends quote with ").
_IDENTIFIER = re.compile(r'"([^"]+)"|([A-Za-z_][A-Za-z0-9_$]*)')


@lru_cache(maxsize=4096)
def _tables_in(sql: str, known: frozenset[str]) -> frozenset[str]:
    return frozenset(quoted or bare for quoted, bare in _IDENTIFIER.findall(sql)) & known


def _known_tables() -> frozenset[str]:
    tables = Base.metadata.tables
    if len(tables) != len(_known[0]):  # a model imported since: the list grows
        _known[0] = frozenset(table.name for table in tables.values())
    return _known[0]


_known: list[frozenset[str]] = [frozenset()]


def tables_read(sql: str) -> frozenset[str]:
    """The tables a statement may read: every table of the models that its text names. A
    statement reads no table it does not name, so this can only say too much (a column or
    a literal spelt like a table), never too little; the same for text SQL as for built
    statements, and cheap (memoized per statement text, which SQLAlchemy's statement cache
    keeps the same)."""
    return _tables_in(sql, _known_tables())


# Statements that write no table of the data: reads, and statements about the transaction,
# the session's settings, statistics or the connection's own temporary tables.
_NO_DATA_WRITTEN = re.compile(
    r"\s*(SELECT|SHOW|SET|BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|ANALYZE|PRAGMA|EXPLAIN"
    r"|CREATE\s+TEMP(ORARY)?\s+TABLE)\b",
    re.IGNORECASE,
)


def tables_written(sql: str, context: ExecutionContext | None) -> frozenset[str] | None:
    """The tables a statement writes: the target of an INSERT, UPDATE or DELETE built with
    SQLAlchemy (an ORM flush, a Core statement); none for a read or a statement that writes
    no data; None when that cannot be known (other text SQL, DDL): then it may have
    written any table."""
    statement = getattr(getattr(context, "compiled", None), "statement", None)
    if isinstance(statement, UpdateBase):
        name = getattr(getattr(statement, "table", None), "name", None)
        return frozenset({name}) if isinstance(name, str) else None
    if isinstance(statement, SelectBase) or _NO_DATA_WRITTEN.match(sql):
        return frozenset()
    return None


@dataclass(frozen=True)
class Reads:
    """What a computation read: its tables, and whether that says all it depends on (not
    when it read the data version itself)."""

    tables: frozenset[str] = frozenset()
    complete: bool = True


# What a computation that did not record its reads depends on: possibly anything.
UNKNOWN_READS = Reads(complete=False)


@dataclass
class ReadRecord:
    """The tables read so far by a request, or by a computation within it."""

    tables: set[str] = field(default_factory=set)
    complete: bool = True

    def add(self, reads: "Reads | ReadRecord") -> None:
        self.tables.update(reads.tables)
        self.complete = self.complete and reads.complete

    def reads(self) -> Reads:
        return Reads(frozenset(self.tables), self.complete)


_reading: ContextVar[ReadRecord | None] = ContextVar("defcoop_reads", default=None)


@contextmanager
def recording_reads() -> Iterator[ReadRecord]:
    """Record the tables read by every statement run in this context (and the threads it
    starts: they copy the context) until the block ends; what was read also counts for the
    enclosing record, if any."""
    record = ReadRecord()
    outer = _reading.get()
    token = _reading.set(record)
    try:
        yield record
    finally:
        _reading.reset(token)
        if outer is not None:
            outer.add(record)


def note_reads(reads: Reads) -> None:
    """What a value taken from memory was computed from counts as read here (a memo hit)."""
    record = _reading.get()
    if record is not None:
        record.add(reads)


@event.listens_for(Engine, "before_cursor_execute")
def _record_read(
    _connection: Connection,
    _cursor: Any,
    statement: str,
    _parameters: Any,
    _context: ExecutionContext | None,
    _executemany: bool,
) -> None:
    record = _reading.get()
    if record is not None:
        tables = tables_read(statement)
        record.tables.update(tables)
        if not tables.isdisjoint(VERSION_TABLES):
            record.complete = False
