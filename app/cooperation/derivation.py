"""Deriving the ties table, and the per-pair aggregates over it, from the fact tables.

A tie is one initiative that two countries share:
- organization: both are members (role `member`) in overlapping periods; universal bodies
  (the UN) do not count;
- exercise: both take part in the same edition in any role but `observer` (the tie covers
  the edition's year);
- agreement: both are parties, directly or through an organization party, which stands for
  its members at the time; the tie covers the agreement's life (from entry into force, or
  signature) within both parties' periods;
- operation: both contribute to the same operation in overlapping periods.
Periods are half-open [start, end): an unknown start reaches back indefinitely, no end means
ongoing. Each channel is one `INSERT ... SELECT` listing every directed pair of fact rows,
with the periods intersected in SQL (`_overlap`), the same on every database engine.

The aggregates (`partner_channels`, `partner_threats`, `partner_co_threats`) are grouped
from the ties, in SQL too, for exactly the country pairs whose ties changed.
"""

from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from sqlalchemy import (
    Column,
    Date,
    Integer,
    MetaData,
    Select,
    Table,
    and_,
    case,
    cast,
    delete,
    distinct,
    func,
    insert,
    literal,
    null,
    or_,
    select,
    text,
    tuple_,
    union_all,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import GenericFunction, ReturnTypeFromArgs

from app.agreements.models import Agreement, AgreementParty, agreement_threats
from app.cooperation.models import PartnerChannel, PartnerCoThreat, PartnerThreat, Tie, TieChannel
from app.exercises.models import ExerciseEdition, ParticipantRole, Participation, edition_threats
from app.operations.models import Contribution, Operation, operation_threats
from app.organizations.models import Membership, MembershipRole, Organization, organization_threats
from app.sources.models import Certainty

AnySelect = Select[*tuple[Any, ...]]

_CERTAINTY_RANK = {Certainty.confirmed: 0, Certainty.disputed: 1, Certainty.unconfirmed: 2}
# Stand-ins for an unknown start / an open end inside the SQL that intersects periods.
_NO_START = date(1, 1, 1)
_NO_END = date(9999, 12, 31)

# The link table from each kind of initiative to the threats it addresses.
THREAT_LINKS: dict[TieChannel, tuple[Table, str]] = {
    TieChannel.organization: (organization_threats, "organization_id"),
    TieChannel.exercise: (edition_threats, "edition_id"),
    TieChannel.agreement: (agreement_threats, "agreement_id"),
    TieChannel.operation: (operation_threats, "operation_id"),
}


def least_certain(*levels: Certainty) -> Certainty:
    return max(levels, key=_CERTAINTY_RANK.__getitem__)


def most_certain(*levels: Certainty) -> Certainty:
    return min(levels, key=_CERTAINTY_RANK.__getitem__)


# --- portable SQL helpers ------------------------------------------------------------------


class greatest(ReturnTypeFromArgs[Any]):
    """GREATEST(a, b, ...) of non-null arguments; SQLite spells it max(a, b, ...)."""

    inherit_cache = True


class least(ReturnTypeFromArgs[Any]):
    inherit_cache = True


class year_start(GenericFunction[date]):
    """January 1st of an integer year, as a DATE."""

    type = Date()
    inherit_cache = True


@compiles(greatest, "sqlite")
def _greatest_sqlite(element: greatest, compiler: SQLCompiler, **kw: Any) -> str:
    return f"max({compiler.process(element.clauses, **kw)})"


@compiles(least, "sqlite")
def _least_sqlite(element: least, compiler: SQLCompiler, **kw: Any) -> str:
    return f"min({compiler.process(element.clauses, **kw)})"


@compiles(year_start)
def _year_start(element: year_start, compiler: SQLCompiler, **kw: Any) -> str:
    return f"make_date({compiler.process(element.clauses, **kw)}, 1, 1)"


@compiles(year_start, "sqlite")
def _year_start_sqlite(element: year_start, compiler: SQLCompiler, **kw: Any) -> str:
    # The text form SQLAlchemy stores dates in on SQLite.
    return f"printf('%04d-01-01', {compiler.process(element.clauses, **kw)})"


def _overlap(
    starts: Iterable[Any], ends: Iterable[Any]
) -> tuple[ColumnElement[Any], ColumnElement[Any]]:
    """The intersection of periods: the latest known start and the earliest known end
    (null when none is known)."""
    start = func.nullif(greatest(*(func.coalesce(s, _NO_START) for s in starts)), _NO_START)
    end = func.nullif(least(*(func.coalesce(e, _NO_END) for e in ends)), _NO_END)
    return start, end


def _least_certain(*levels: Any) -> ColumnElement[Any]:
    return case(
        (or_(*(level == Certainty.unconfirmed.value for level in levels)), "unconfirmed"),
        (or_(*(level == Certainty.disputed.value for level in levels)), "disputed"),
        else_="confirmed",
    )


_TIE_COLUMNS = (
    "country_id",
    "partner_id",
    "channel",
    "initiative_id",
    "start_date",
    "end_date",
    "certainty",
    "country_fact_id",
    "partner_fact_id",
    "country_role",
    "partner_role",
)


def _tie_select(candidates: AnySelect) -> AnySelect:
    """Keep the candidate pairs whose period is not empty, as rows of the ties table.

    `candidates` has the tie columns, `start_date` and `end_date` being the intersection.
    """
    rows = candidates.subquery("candidates")
    statement = select(*(rows.c[name] for name in _TIE_COLUMNS)).where(
        or_(
            rows.c.start_date.is_(None),
            rows.c.end_date.is_(None),
            rows.c.start_date < rows.c.end_date,
        )
    )
    return statement


def _organization_ties(initiative_ids: Collection[int] | None) -> AnySelect:
    mine, theirs = aliased(Membership), aliased(Membership)
    start, end = _overlap((mine.start_date, theirs.start_date), (mine.end_date, theirs.end_date))
    statement = (
        select(
            mine.country_id.label("country_id"),
            theirs.country_id.label("partner_id"),
            literal(TieChannel.organization.value).label("channel"),
            mine.organization_id.label("initiative_id"),
            start.label("start_date"),
            end.label("end_date"),
            _least_certain(mine.certainty, theirs.certainty).label("certainty"),
            mine.id.label("country_fact_id"),
            theirs.id.label("partner_fact_id"),
            literal("member").label("country_role"),
            literal("member").label("partner_role"),
        )
        .join(
            theirs,
            and_(
                theirs.organization_id == mine.organization_id,
                theirs.country_id != mine.country_id,
            ),
        )
        .join(Organization, Organization.id == mine.organization_id)
        .where(
            mine.role == MembershipRole.member,
            theirs.role == MembershipRole.member,
            Organization.universal.is_(False),
        )
    )
    if initiative_ids is not None:
        statement = statement.where(mine.organization_id.in_(initiative_ids))
    return _tie_select(statement)


def _exercise_ties(initiative_ids: Collection[int] | None) -> AnySelect:
    mine, theirs = aliased(Participation), aliased(Participation)
    statement = (
        select(
            mine.country_id.label("country_id"),
            theirs.country_id.label("partner_id"),
            literal(TieChannel.exercise.value).label("channel"),
            mine.edition_id.label("initiative_id"),
            year_start(ExerciseEdition.year).label("start_date"),
            year_start(ExerciseEdition.year + 1).label("end_date"),
            _least_certain(mine.certainty, theirs.certainty, ExerciseEdition.certainty).label(
                "certainty"
            ),
            mine.id.label("country_fact_id"),
            theirs.id.label("partner_fact_id"),
            mine.role.label("country_role"),
            theirs.role.label("partner_role"),
        )
        .join(
            theirs,
            and_(theirs.edition_id == mine.edition_id, theirs.country_id != mine.country_id),
        )
        .join(ExerciseEdition, ExerciseEdition.id == mine.edition_id)
        .where(
            mine.role != ParticipantRole.observer,
            theirs.role != ParticipantRole.observer,
        )
    )
    if initiative_ids is not None:
        statement = statement.where(mine.edition_id.in_(initiative_ids))
    return _tie_select(statement)


def _agreement_participants(initiative_ids: Collection[int] | None) -> Any:
    """Every (agreement, country) participation: direct country parties, and the members of
    organization parties with their membership periods."""
    direct = select(
        AgreementParty.agreement_id.label("agreement_id"),
        AgreementParty.id.label("party_id"),
        AgreementParty.country_id.label("country_id"),
        AgreementParty.start_date.label("party_start"),
        AgreementParty.end_date.label("party_end"),
        cast(null(), Date).label("member_start"),
        cast(null(), Date).label("member_end"),
        AgreementParty.certainty.label("certainty"),
        AgreementParty.role.label("role"),
    ).where(AgreementParty.country_id.is_not(None))
    through_organization = (
        select(
            AgreementParty.agreement_id,
            AgreementParty.id,
            Membership.country_id,
            AgreementParty.start_date,
            AgreementParty.end_date,
            Membership.start_date,
            Membership.end_date,
            AgreementParty.certainty,
            AgreementParty.role,
        )
        .join(Membership, Membership.organization_id == AgreementParty.organization_id)
        .where(Membership.role == MembershipRole.member)
    )
    if initiative_ids is not None:
        direct = direct.where(AgreementParty.agreement_id.in_(initiative_ids))
        through_organization = through_organization.where(
            AgreementParty.agreement_id.in_(initiative_ids)
        )
    return union_all(direct, through_organization).subquery("participants")


def _agreement_ties(initiative_ids: Collection[int] | None) -> AnySelect:
    participants = _agreement_participants(initiative_ids)
    mine, theirs = participants.alias("mine"), participants.alias("theirs")
    start, end = _overlap(
        (
            func.coalesce(Agreement.in_force_date, Agreement.signed_date),
            mine.c.party_start,
            mine.c.member_start,
            theirs.c.party_start,
            theirs.c.member_start,
        ),
        (
            Agreement.ended_date,
            mine.c.party_end,
            mine.c.member_end,
            theirs.c.party_end,
            theirs.c.member_end,
        ),
    )
    statement = (
        select(
            mine.c.country_id.label("country_id"),
            theirs.c.country_id.label("partner_id"),
            literal(TieChannel.agreement.value).label("channel"),
            mine.c.agreement_id.label("initiative_id"),
            start.label("start_date"),
            end.label("end_date"),
            _least_certain(mine.c.certainty, theirs.c.certainty, Agreement.certainty).label(
                "certainty"
            ),
            mine.c.party_id.label("country_fact_id"),
            theirs.c.party_id.label("partner_fact_id"),
            mine.c.role.label("country_role"),
            theirs.c.role.label("partner_role"),
        )
        .join(
            theirs,
            and_(
                theirs.c.agreement_id == mine.c.agreement_id,
                theirs.c.country_id != mine.c.country_id,
            ),
        )
        .join(Agreement, Agreement.id == mine.c.agreement_id)
    )
    return _tie_select(statement)


def _operation_ties(initiative_ids: Collection[int] | None) -> AnySelect:
    mine, theirs = aliased(Contribution), aliased(Contribution)
    start, end = _overlap(
        (Operation.start_date, mine.start_date, theirs.start_date),
        (Operation.end_date, mine.end_date, theirs.end_date),
    )
    statement = (
        select(
            mine.country_id.label("country_id"),
            theirs.country_id.label("partner_id"),
            literal(TieChannel.operation.value).label("channel"),
            mine.operation_id.label("initiative_id"),
            start.label("start_date"),
            end.label("end_date"),
            _least_certain(mine.certainty, theirs.certainty).label("certainty"),
            mine.id.label("country_fact_id"),
            theirs.id.label("partner_fact_id"),
            literal("contributor").label("country_role"),
            literal("contributor").label("partner_role"),
        )
        .join(
            theirs,
            and_(theirs.operation_id == mine.operation_id, theirs.country_id != mine.country_id),
        )
        .join(Operation, Operation.id == mine.operation_id)
    )
    if initiative_ids is not None:
        statement = statement.where(mine.operation_id.in_(initiative_ids))
    return _tie_select(statement)


_DERIVERS = {
    TieChannel.organization: _organization_ties,
    TieChannel.exercise: _exercise_ties,
    TieChannel.agreement: _agreement_ties,
    TieChannel.operation: _operation_ties,
}


# --- the aggregates --------------------------------------------------------------------------


def _span_columns(ties: Any) -> tuple[ColumnElement[Any], ColumnElement[Any]]:
    """Earliest start (null if any is unknown) and latest end (null if any is open)."""
    start = case((func.count(ties.start_date) == func.count(), func.min(ties.start_date)))
    end = case((func.count(ties.end_date) == func.count(), func.max(ties.end_date)))
    return start, end


def _aggregate_statements(pairs: Any) -> list[Any]:
    """INSERT ... SELECT statements filling the aggregates from the ties, for the ties
    matching `pairs` (a list of conditions on `Tie`)."""
    start, end = _span_columns(Tie)
    statements: list[Any] = [
        insert(PartnerChannel).from_select(
            ["country_id", "partner_id", "channel", "initiatives", "start_date", "end_date"],
            select(
                Tie.country_id,
                Tie.partner_id,
                Tie.channel,
                func.count(distinct(Tie.initiative_id)),
                start,
                end,
            )
            .where(*pairs)
            .group_by(Tie.country_id, Tie.partner_id, Tie.channel),
        )
    ]
    for channel, (links, column) in THREAT_LINKS.items():
        statements.append(
            insert(PartnerThreat).from_select(
                [
                    "country_id",
                    "partner_id",
                    "channel",
                    "threat_id",
                    "initiatives",
                    "start_date",
                    "end_date",
                ],
                select(
                    Tie.country_id,
                    Tie.partner_id,
                    literal(channel.value),
                    links.c.threat_id,
                    func.count(distinct(Tie.initiative_id)),
                    start,
                    end,
                )
                .join(links, links.c[column] == Tie.initiative_id)
                .where(Tie.channel == channel, *pairs)
                .group_by(Tie.country_id, Tie.partner_id, links.c.threat_id),
            )
        )
        co_links = links.alias("co_links")
        statements.append(
            insert(PartnerCoThreat).from_select(
                ["country_id", "threat_id", "partner_id", "channel", "co_threat_id"],
                select(
                    Tie.country_id,
                    links.c.threat_id,
                    Tie.partner_id,
                    literal(channel.value),
                    co_links.c.threat_id,
                )
                .join(links, links.c[column] == Tie.initiative_id)
                .join(co_links, co_links.c[column] == Tie.initiative_id)
                .where(Tie.channel == channel, *pairs)
                .distinct(),
            )
        )
    return statements


_AGGREGATES = (PartnerChannel, PartnerThreat, PartnerCoThreat)


def rebuild_aggregates(session: Session) -> None:
    """Re-derive every aggregate from the ties table."""
    for model in _AGGREGATES:
        session.execute(delete(model))
    for statement in _aggregate_statements([]):
        session.execute(statement)


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
        if len(rows) * 2 > known:  # most pairs (a pair has one to four channel rows)
            rebuild_aggregates(session)  # scanning everything once is cheaper
            return
    connection = session.connection()
    connection.exec_driver_sql(_CREATE_REFRESH_PAIRS)
    session.execute(delete(_REFRESH_PAIRS))
    session.execute(insert(_REFRESH_PAIRS), rows)
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("ANALYZE refresh_pairs")  # no statistics otherwise
    chosen = select(_REFRESH_PAIRS.c.country_id, _REFRESH_PAIRS.c.partner_id)
    for model in _AGGREGATES:
        session.execute(delete(model).where(tuple_(model.country_id, model.partner_id).in_(chosen)))
    for statement in _aggregate_statements([tuple_(Tie.country_id, Tie.partner_id).in_(chosen)]):
        session.execute(statement)
    session.execute(delete(_REFRESH_PAIRS))


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
    """Re-derive the ties of one channel's initiatives (or of everything) from the facts,
    and the aggregates of the country pairs whose ties changed.

    Refreshing organizations also refreshes the agreements they are parties to. A full
    refresh (no `initiative_ids`) rebuilds every aggregate.

    Runs in the caller's transaction, so the ties change together with the facts.
    Returns the number of tie rows written.
    """
    session.flush()
    if initiative_ids is None:
        with _without_statement_timeout(session):
            return _refresh(session, channel, None)
    return _refresh(session, channel, sorted(set(initiative_ids)))


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


def _refresh(session: Session, channel: TieChannel | None, ids: list[int] | None) -> int:
    work: list[tuple[TieChannel, list[int] | None]] = [
        (current, ids) for current in ([channel] if channel else list(TieChannel))
    ]
    if channel is TieChannel.organization and ids is not None:
        # An organization party stands for its members: their agreements change with them.
        agreements = session.scalars(
            select(AgreementParty.agreement_id)
            .where(AgreementParty.organization_id.in_(ids))
            .distinct()
        ).all()
        if agreements:
            work.append((TieChannel.agreement, sorted(agreements)))
    written = 0
    touched: set[tuple[int, int]] = set()
    for current, current_ids in work:
        stale = delete(Tie).where(Tie.channel == current)
        if current_ids is not None:
            touched |= _pairs_of(session, current, current_ids)
            stale = stale.where(Tie.initiative_id.in_(current_ids))
        session.execute(stale)
        result = session.execute(
            insert(Tie)
            .from_select(list(_TIE_COLUMNS), _DERIVERS[current](current_ids))
            .execution_options(preserve_rowcount=True)  # psycopg reports -1 otherwise
        )
        written += max(result.rowcount, 0)  # type: ignore[attr-defined]
        if current_ids is not None:
            touched |= _pairs_of(session, current, current_ids)
    if ids is None:
        rebuild_aggregates(session)
    elif touched:
        refresh_aggregates(session, touched)
    return written
