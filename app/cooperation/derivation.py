"""Keeping the ties table, and the per-pair aggregates over it, in step with the facts.

What a tie is, per channel, and the `SELECT` that lists a channel's ties: `ties.py`; which
channels there are: `channels.py`. Here, each refresh deletes the ties of the initiatives
that changed and inserts what their channel's `SELECT` lists (one `INSERT ... SELECT` per
channel), then groups the aggregates (`partner_channels`, `partner_threats`,
`partner_co_threats`) from the ties, in SQL too, for exactly the country pairs whose ties
changed. Nothing calls it by hand: `app.curation.changes` does, once per change.
"""

from collections.abc import Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from typing import Any

from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    Select,
    String,
    Table,
    and_,
    case,
    cast,
    delete,
    distinct,
    extract,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    tuple_,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from app.cooperation.channels import CHANNELS, DIRECTED
from app.cooperation.models import PartnerChannel, PartnerCoThreat, PartnerThreat, Tie, TieChannel
from app.cooperation.ties import TIE_COLUMNS, link_applies, link_span
from app.sources.models import Certainty

_CERTAINTY_RANK = {Certainty.confirmed: 0, Certainty.disputed: 1, Certainty.unconfirmed: 2}


def most_certain(*levels: Certainty) -> Certainty:
    return min(levels, key=_CERTAINTY_RANK.__getitem__)


# --- the aggregates --------------------------------------------------------------------------


def _span_columns(starts: Any, ends: Any) -> tuple[ColumnElement[Any], ColumnElement[Any]]:
    """Earliest start (null if any is unknown) and latest end (null if any is open)."""
    start = case((func.count(starts) == func.count(), func.min(starts)))
    end = case((func.count(ends) == func.count(), func.max(ends)))
    return start, end


def directed_initiatives(role: Any) -> ColumnElement[Any]:
    """Distinct initiatives of a directed channel in which `role` (the tie's country's or
    partner's) is the channel's source role (a transfer's supplier): 0 in a symmetric one."""
    points = or_(*(and_(Tie.channel == c, role == r) for c, r in DIRECTED.items()))
    return func.count(distinct(case((points, Tie.initiative_id))))


def year_range(start: Any, end: Any) -> ColumnElement[str]:
    """A period's years as "first-last" text: the year of its start (empty: unknown) and of
    its last day (its end is exclusive; empty: ongoing)."""
    first = extract("year", start)
    last = extract("year", end) - case(
        (and_(extract("month", end) == 1, extract("day", end) == 1), 1), else_=0
    )
    return (
        func.coalesce(cast(first, String), "")
        + literal("-")
        + func.coalesce(cast(last, String), "")
    )


def _with_years(
    base: Select[*tuple[Any, ...]], keys: int, counts: list[Any], period: tuple[Any, Any]
) -> Any:
    """`base` (its first `keys` columns the group) with `counts`, and `years`: the distinct
    year ranges of `period` in each group, comma-joined. Grouped twice and joined, since
    SQLite aggregates no DISTINCT string with a separator."""
    group = list(base.selected_columns)[:keys]
    counted = base.add_columns(*counts).group_by(*group).subquery("counted")
    span = year_range(*period)
    ranges = base.add_columns(span.label("range")).group_by(*group, span).subquery("ranges")
    ranges_group = list(ranges.c)[:keys]
    years = (
        select(*ranges_group, func.aggregate_strings(ranges.c.range, ",").label("years"))
        .group_by(*ranges_group)
        .subquery("years")
    )
    return select(*counted.c, years.c.years).join(
        years,
        and_(*(c == y for c, y in zip(list(counted.c)[:keys], list(years.c)[:keys], strict=True))),
    )


_AGGREGATE_COLUMNS = [
    "initiatives",
    "outgoing",
    "incoming",
    "start_date",
    "end_date",
    "years",
]


def _aggregate_statements(pairs: Any) -> list[Any]:
    """INSERT ... SELECT statements filling the aggregates from the ties, for the ties
    matching `pairs` (a list of conditions on `Tie`)."""
    start, end = _span_columns(Tie.start_date, Tie.end_date)
    statements: list[Any] = [
        insert(PartnerChannel).from_select(
            ["country_id", "partner_id", "channel", *_AGGREGATE_COLUMNS],
            _with_years(
                select(Tie.country_id, Tie.partner_id, Tie.channel).where(*pairs),
                3,
                [
                    func.count(distinct(Tie.initiative_id)).label("initiatives"),
                    directed_initiatives(Tie.country_role).label("outgoing"),
                    directed_initiatives(Tie.partner_role).label("incoming"),
                    start.label("start_date"),
                    end.label("end_date"),
                ],
                (Tie.start_date, Tie.end_date),
            ),
        )
    ]
    for channel in CHANNELS.values():
        links, column = channel.threat_links.table, channel.threat_links.owner
        co_links = links.alias("co_links")
        # A tie addresses a threat only while the link holds (issue 15): the aggregates count
        # the part of each tie's period that the link's period covers.
        holds = link_applies(
            links.c.start_date, links.c.end_date, (Tie.start_date,), (Tie.end_date,)
        )
        threat_period = link_span(
            links.c.start_date, links.c.end_date, Tie.start_date, Tie.end_date
        )
        threat_start, threat_end = _span_columns(*threat_period)
        statements.append(
            insert(PartnerThreat).from_select(
                ["country_id", "partner_id", "threat_id", "channel", *_AGGREGATE_COLUMNS],
                _with_years(
                    select(Tie.country_id, Tie.partner_id, links.c.threat_id)
                    .join(links, and_(links.c[column] == Tie.initiative_id, holds))
                    .where(Tie.channel == channel.name, *pairs),
                    3,
                    [
                        literal(channel.name.value).label("channel"),
                        func.count(distinct(Tie.initiative_id)).label("initiatives"),
                        directed_initiatives(Tie.country_role).label("outgoing"),
                        directed_initiatives(Tie.partner_role).label("incoming"),
                        threat_start.label("start_date"),
                        threat_end.label("end_date"),
                    ],
                    threat_period,
                ),
            )
        )
        statements.append(
            insert(PartnerCoThreat).from_select(
                ["country_id", "threat_id", "partner_id", "channel", "co_threat_id"],
                select(
                    Tie.country_id,
                    links.c.threat_id,
                    Tie.partner_id,
                    literal(channel.name.value),
                    co_links.c.threat_id,
                )
                .join(links, links.c[column] == Tie.initiative_id)
                .join(
                    co_links,
                    and_(
                        co_links.c[column] == Tie.initiative_id,
                        # Both threats addressed on one day of the tie.
                        link_applies(
                            links.c.start_date,
                            links.c.end_date,
                            (Tie.start_date, co_links.c.start_date),
                            (Tie.end_date, co_links.c.end_date),
                        ),
                    ),
                )
                .where(Tie.channel == channel.name, *pairs)
                .distinct(),
            )
        )
    return statements


_AGGREGATES = (PartnerChannel, PartnerThreat, PartnerCoThreat)


@cache
def _rebuild_statements() -> list[Any]:
    """Emptying and refilling every aggregate. Built once: the channels are fixed, and a
    write's refresh would otherwise spend more time building these than running them."""
    return [
        *(delete(model) for model in _AGGREGATES),
        *_aggregate_statements([]),
    ]


def rebuild_aggregates(session: Session) -> None:
    """Re-derive every aggregate from the ties table."""
    _run(session, _rebuild_statements())


def _run(session: Session, statements: Iterable[Any]) -> None:
    """Run these statements on the session's connection, as plain SQL: through the ORM, a
    DELETE first selects the rows it removes to update objects no aggregate has here."""
    connection = session.connection()
    for statement in statements:
        connection.execute(statement)


# The pairs whose aggregates a refresh recomputes, in a temporary table of the connection:
# one set of statements whatever their number, each an index search per pair.
_REFRESH_PAIRS = Table(
    "refresh_pairs",
    MetaData(),
    Column("country_id", Integer, primary_key=True),
    Column("partner_id", Integer, primary_key=True),
    prefixes=["TEMPORARY"],
)
_MANY_PAIRS = 2_000
_CREATE_REFRESH_PAIRS = (
    "CREATE TEMPORARY TABLE IF NOT EXISTS refresh_pairs "
    "(country_id INTEGER NOT NULL, partner_id INTEGER NOT NULL, "
    "PRIMARY KEY (country_id, partner_id))"
)


def refresh_aggregates(session: Session, pairs: Iterable[tuple[int, int]]) -> None:
    """Re-derive the aggregates of these (country, partner) pairs from the ties table."""
    rows = [{"country_id": c, "partner_id": p} for c, p in sorted(set(pairs))]
    if not rows:
        return
    if len(rows) > _MANY_PAIRS:
        known = session.scalar(select(func.count()).select_from(PartnerChannel)) or 0
        if len(rows) * 2 > known:  # most pairs (a pair has one to five channel rows)
            rebuild_aggregates(session)  # scanning everything once is cheaper
            return
    connection = session.connection()
    connection.exec_driver_sql(_CREATE_REFRESH_PAIRS)
    connection.execute(delete(_REFRESH_PAIRS))
    connection.execute(insert(_REFRESH_PAIRS), rows)
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("ANALYZE refresh_pairs")  # no statistics otherwise
    _run(session, _refresh_statements())
    connection.execute(delete(_REFRESH_PAIRS))


@cache
def _refresh_statements() -> list[Any]:
    """Replacing the aggregates of the pairs in `refresh_pairs` (built once, as above)."""
    chosen = select(_REFRESH_PAIRS.c.country_id, _REFRESH_PAIRS.c.partner_id)
    return [
        *(
            delete(model).where(tuple_(model.country_id, model.partner_id).in_(chosen))
            for model in _AGGREGATES
        ),
        *_aggregate_statements([tuple_(Tie.country_id, Tie.partner_id).in_(chosen)]),
    ]


def _pairs_of(
    session: Session, channel: TieChannel, initiative_ids: Collection[int]
) -> set[tuple[int, int]]:
    rows = session.execute(
        select(Tie.country_id, Tie.partner_id)
        .where(Tie.channel == channel, Tie.initiative_id.in_(initiative_ids))
        .distinct()
    )
    return {(country_id, partner_id) for country_id, partner_id in rows}


def refresh_ties(
    session: Session,
    channel: TieChannel | None = None,
    initiative_ids: Collection[int] | None = None,
) -> int:
    """Re-derive the ties of one channel's initiatives (`refresh_initiatives`), or all ties of
    one channel or of every channel with every aggregate. Returns the number of tie rows
    written.

    Runs in the caller's transaction, so the ties change together with the facts.
    """
    if channel is not None and initiative_ids is not None:
        return refresh_initiatives(session, {channel: initiative_ids})
    session.flush()
    channels = [channel] if channel else list(CHANNELS)
    with _without_statement_timeout(session):
        return _refresh(session, dict.fromkeys(channels))


def refresh_initiatives(session: Session, changed: Mapping[TieChannel, Collection[int]]) -> int:
    """Re-derive the ties of these initiatives, and of those whose ties depend on them (an
    organization's agreements), each channel once, then the aggregates of the country pairs
    whose ties changed, once. Returns the number of tie rows written."""
    session.flush()
    work = {channel: set(ids) for channel, ids in changed.items() if ids}
    for channel in CHANNELS.values():
        for source, dependents in channel.fed_by.items():
            if work.get(source):
                found = session.scalars(dependents(sorted(work[source]))).all()
                if found:
                    work.setdefault(channel.name, set()).update(found)
    return _refresh(session, {channel: sorted(ids) for channel, ids in work.items()})


@contextmanager
def _without_statement_timeout(session: Session) -> Iterator[None]:
    """A full refresh is one long statement per channel (0.77 M tie rows at the bench's 1x
    scale, with their foreign-key checks): on PostgreSQL, lift the request-sized statement
    timeout for it, within the caller's transaction, and put it back afterwards."""
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        yield
        return
    previous = connection.exec_driver_sql("SHOW statement_timeout").scalar()
    connection.exec_driver_sql("SET LOCAL statement_timeout = 0")
    yield  # on an error the caller rolls back, which undoes the SET LOCAL too
    connection.execute(
        text("SELECT set_config('statement_timeout', :value, true)"), {"value": previous}
    )


def _analyze_rebuilt(session: Session) -> None:
    """After a full refresh, PostgreSQL's statistics still describe the tables as they were
    until autovacuum comes round: the next incremental refresh's plans (pairs searched in
    the ties) were then chosen for empty tables and ran past the statement timeout."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        for model in (Tie, *_AGGREGATES):
            connection.exec_driver_sql(f"ANALYZE {model.__tablename__}")


def _refresh(session: Session, work: Mapping[TieChannel, list[int] | None]) -> int:
    """Replace the ties of each channel's initiatives (all of them: None); then the aggregates
    of the pairs whose ties changed (all of them after a full refresh)."""
    written = 0
    touched: set[tuple[int, int]] = set()
    full = False
    for channel in CHANNELS.values():
        if channel.name not in work:
            continue
        ids = work[channel.name]
        stale = delete(Tie).where(Tie.channel == channel.name)
        if ids is None:
            full = True
        else:
            touched |= _pairs_of(session, channel.name, ids)
            stale = stale.where(Tie.initiative_id.in_(ids))
        connection = session.connection()
        connection.execute(stale)
        result = connection.execute(
            insert(Tie)
            .from_select(list(TIE_COLUMNS), channel.ties(ids))
            .execution_options(preserve_rowcount=True)  # psycopg reports -1 otherwise
        )
        written += max(result.rowcount, 0)
        if ids is not None:
            touched |= _pairs_of(session, channel.name, ids)
    if full:
        rebuild_aggregates(session)
        _analyze_rebuilt(session)
    elif touched:
        refresh_aggregates(session, touched)
    return written
