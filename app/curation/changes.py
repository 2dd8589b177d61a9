"""The one change path: every change to the data (an API write, the seed, an import) runs as
one `Changes` over its session, which, once, when the change is done:
- re-derives the ties and the partner aggregates of the initiatives the change touched,
- writes the change's audit entries (API writes record them as they go),
- bumps the data version, only if something changed (`bump_data_version`),
- records, with that version, the tables the change wrote (`table_versions`), which the
  response cache reads to keep the answers that read none of them.

Callers do not say what they touched: the unit of work watches the session. The ORM rows it
flushes, and the Core statements it runs (bulk inserts of an importer, deletes by key, threat
links), are matched against the channel registry (`app.cooperation.channels`): a row of an
initiative, of a fact or of a threat link marks its initiative; a row changed only in columns
that no tie's `SELECT` reads (a description, a note) marks nothing. A statement whose rows it
cannot name (an INSERT ... SELECT) marks its whole channel. The seed, which may change
anything, asks for every tie at once (`rederive_everything`). The tables written are those of
every INSERT, UPDATE and DELETE run on the session's connections until the change is done,
the re-derivation's too; a text statement that may write anything counts as every table.

The "curators come first" rule, which the seed and the importers both follow, is here too
(`curated`, `deleted_by_curators`).
"""

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Table, event, inspect, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import ExecutionContext
from sqlalchemy.orm import (
    ColumnProperty,
    ORMExecuteState,
    Session,
    SessionTransaction,
    UOWTransaction,
)
from sqlalchemy.sql import visitors
from sqlalchemy.sql.dml import Delete, Insert, Update

from app.audit.models import AuditEntry
from app.audit.queries import deleted_resources
from app.cooperation.channels import CHANNELS
from app.cooperation.derivation import refresh_initiatives, refresh_ties
from app.cooperation.models import TieChannel
from app.core.db import VERSION_TABLES, Base, Versioned, tables_written
from app.system.models import EVERY_TABLE, DataState, TableVersion

# For each table of the registry: its channel, and its column naming the initiative.
_TABLES: dict[Table, tuple[TieChannel, str]] = {}
for _channel in CHANNELS.values():
    _TABLES[_channel.initiative.__table__] = (_channel.name, "id")
    _TABLES[_channel.fact.__table__] = (_channel.name, _channel.fact_owner)
    _TABLES[_channel.threat_links.table] = (_channel.name, _channel.threat_links.owner)
_MODELS: dict[type[Any], tuple[TieChannel, str]] = {}
for _channel in CHANNELS.values():
    _MODELS[_channel.initiative] = (_channel.name, "id")
    _MODELS[_channel.fact] = (_channel.name, _channel.fact_owner)


def _column_key(column: Any) -> tuple[str, str] | None:
    """(table, column) of a table's column; None for any other expression."""
    table = getattr(column, "table", None)
    return (table.name, column.name) if isinstance(table, Table) else None


def _columns_read(statement: Any) -> set[tuple[str, str]]:
    """(table, column) of every table column a statement reads, through aliases too."""
    keys = (
        _column_key(column)
        for element in visitors.iterate(statement)
        for column in getattr(element, "proxy_set", ())
    )
    return {key for key in keys if key is not None}


# What the ties are derived from: the columns their channels' SELECTs read.
_DERIVED_FROM: set[tuple[str, str]] = set()
for _channel in CHANNELS.values():
    _DERIVED_FROM |= _columns_read(_channel.ties(None)) | _columns_read(_channel.ties([0]))
    for _dependents in _channel.fed_by.values():
        _DERIVED_FROM |= _columns_read(_dependents([0]))


def _may_change_ties(row: Any) -> bool:
    """Whether a changed row of the registry may change ties: not when all it changed are
    columns no tie's SELECT reads (a description, a note, a curator's version)."""
    state = inspect(row)
    for attribute in state.attrs:
        if not attribute.history.has_changes():
            continue
        prop = state.mapper.attrs[attribute.key]
        if not isinstance(prop, ColumnProperty):
            return True  # a relationship: its rows are marked on their own, but be sure
        if any(_column_key(column) in _DERIVED_FROM for column in prop.columns):
            return True
    return False


def curated(row: Versioned | int) -> bool:
    """Curators come first: a resource changed through the write API (`modified_in_version`
    set by the write; the seed and imports leave it 0) is theirs, with everything under it:
    the seed and the importers leave it as it is. `row`: the resource or its version."""
    version = row if isinstance(row, int) else row.modified_in_version
    return version > 0


def deleted_by_curators(session: Session, entities: Collection[str]) -> dict[tuple[str, str], Any]:
    """Curators come first: what they deleted through the write API, (entity, id) -> the
    resource as it was, is not brought back by a re-seed or a re-import (`make run` does both
    on every start)."""
    return deleted_resources(session, entities)


def bump_data_version(session: Session, now: datetime) -> int:
    """The next data version, in one statement so that no concurrent bump is lost (the row
    stays locked until commit); the first one is 1."""
    bumped = session.execute(
        update(DataState)
        .where(DataState.id == 1)
        .values(version=DataState.version + 1, updated_at=now)
    )
    if bumped.rowcount == 0:  # type: ignore[attr-defined]
        session.add(DataState(id=1, version=1, updated_at=now))
        session.flush()
    return current_data_version(session)


def current_data_version(session: Session) -> int:
    return session.scalar(select(DataState.version).where(DataState.id == 1)) or 0


def record_table_versions(session: Session, tables: set[str], version: int) -> None:
    """Record that the change creating data version `version` wrote these tables
    (`EVERY_TABLE`: any). The row of `data_state` names the last version recorded: when it is
    not the one before, a version was set without its tables (a loaded release) and every
    table counts as changed now. Runs after the version's bump, whose row lock (or SQLite's
    write lock) orders concurrent changes."""
    recorded = session.scalar(
        select(TableVersion.version).where(TableVersion.table_name == DataState.__tablename__)
    )
    known = {table.name for table in Base.metadata.tables.values()} - VERSION_TABLES
    names = (tables & known) | ({EVERY_TABLE} & tables)
    if (recorded or 0) < version - 1:
        names.add(EVERY_TABLE)
    names.add(DataState.__tablename__)
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    upsert = dialect.insert(TableVersion).values(
        [{"table_name": name, "version": version} for name in sorted(names)]
    )
    session.execute(
        upsert.on_conflict_do_update(
            index_elements=[TableVersion.table_name], set_={"version": upsert.excluded.version}
        )
    )


class Changes:
    """One unit of work over a session: what it touched, and what follows once at the end."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.now = datetime.now(UTC)
        self.touched: defaultdict[TieChannel, set[int]] = defaultdict(set)
        self.whole: set[TieChannel] = set()  # channels touched by rows it cannot name
        self.everything = False
        self.audit_entries: list[AuditEntry] = []
        self.ties_written = 0
        self.tables_written: set[str] = set()  # EVERY_TABLE: any
        self._version: int | None = None
        self._connections: list[Connection] = []
        event.listen(session, "after_flush", self._flushed)
        event.listen(session, "do_orm_execute", self._executing)
        event.listen(session, "after_begin", self._began)
        if session.in_transaction():
            self._watch(session.connection())

    @property
    def version(self) -> int:
        """The data version this change creates (bumped on first use, once)."""
        if self._version is None:
            self._version = bump_data_version(self.session, self.now)
        return self._version

    @property
    def touched_ties(self) -> bool:
        """Whether the change may have changed ties (and so the network): it touched an
        initiative, a fact or a threat link, or asked for every tie."""
        return self.everything or bool(self.whole) or any(self.touched.values())

    def rederive_everything(self) -> None:
        self.everything = True

    def audit(self, entry: AuditEntry) -> None:
        self.audit_entries.append(entry)

    def finish(self, *, changed: bool) -> int:
        """Re-derive what the change touched, write its audit entries, and bump the data
        version if it `changed` anything; the data version the change leaves."""
        self.session.flush()
        self._stop_watching_rows()  # what follows changes derived tables only
        if self.everything:
            self.ties_written += refresh_ties(self.session)
        else:
            changed_ids: dict[TieChannel, Collection[int]] = dict(self.touched)
            for channel in self.whole:
                self.ties_written += refresh_ties(self.session, channel)
                changed_ids.pop(channel, None)
            self.ties_written += refresh_initiatives(self.session, changed_ids)
        self.session.add_all(self.audit_entries)
        self.audit_entries = []
        self.session.flush()
        version = self.version if changed else self._version
        self._stop_watching_writes()
        if version is None:
            return current_data_version(self.session)
        record_table_versions(self.session, self.tables_written, version)
        return version

    def close(self) -> None:
        """Stop watching the session (also when the change fails)."""
        self._stop_watching_rows()
        self._stop_watching_writes()

    def _stop_watching_rows(self) -> None:
        for name, listener in (("after_flush", self._flushed), ("do_orm_execute", self._executing)):
            if event.contains(self.session, name, listener):
                event.remove(self.session, name, listener)

    # --- the tables written ----------------------------------------------------------------

    def _began(
        self, _session: Session, _transaction: SessionTransaction, connection: Connection
    ) -> None:
        self._watch(connection)

    def _watch(self, connection: Connection) -> None:
        if not any(watched is connection for watched in self._connections):
            event.listen(connection, "before_cursor_execute", self._statement)
            self._connections.append(connection)

    def _stop_watching_writes(self) -> None:
        if event.contains(self.session, "after_begin", self._began):
            event.remove(self.session, "after_begin", self._began)
        for connection in self._connections:
            if event.contains(connection, "before_cursor_execute", self._statement):
                event.remove(connection, "before_cursor_execute", self._statement)
        self._connections = []

    def _statement(
        self,
        _connection: Connection,
        _cursor: Any,
        statement: str,
        _parameters: Any,
        context: ExecutionContext | None,
        _executemany: bool,
    ) -> None:
        written = tables_written(statement, context)
        self.tables_written |= {EVERY_TABLE} if written is None else written

    # --- watching the session ------------------------------------------------------------

    def _mark(self, channel: TieChannel, ids: Iterable[Any]) -> None:
        self.touched[channel].update(i for i in ids if i is not None)

    def _flushed(self, session: Session, _context: UOWTransaction) -> None:
        dirty = (row for row in session.dirty if type(row) in _MODELS and _may_change_ties(row))
        for row in (*session.new, *dirty, *session.deleted):
            found = _MODELS.get(type(row))
            if found is not None:
                channel, column = found
                self._mark(channel, [getattr(row, column)])

    def _executing(self, state: ORMExecuteState) -> None:
        statement = state.statement
        if not isinstance(statement, Insert | Update | Delete):
            return
        table = statement.table
        found = _TABLES.get(table) if isinstance(table, Table) else None
        if found is None:
            return
        channel, column = found
        if isinstance(statement, Insert):
            self._inserted(channel, column, statement, state.parameters)
        elif statement.whereclause is None:
            self.whole.add(channel)
        else:
            # Before the rows go: which initiatives they belong to.
            owner = table.c[column]
            self._mark(channel, state.session.scalars(select(owner).where(statement.whereclause)))

    def _inserted(
        self,
        channel: TieChannel,
        column: str,
        statement: Insert,
        parameters: Sequence[Mapping[str, Any]] | Mapping[str, Any] | None,
    ) -> None:
        if statement.select is not None:
            self.whole.add(channel)
            return
        rows = (
            [parameters or statement.compile().params]
            if parameters is None or isinstance(parameters, Mapping)
            else parameters
        )
        if column == "id":
            # A new initiative (its id left to the database) has no facts yet, hence no tie:
            # the inserts of its facts mark it.
            self._mark(channel, (row.get(column) for row in rows))
        elif all(column in row for row in rows):
            self._mark(channel, (row[column] for row in rows))
        else:
            self.whole.add(channel)
