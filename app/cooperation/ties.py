"""The ties of each channel, as one `SELECT` of every directed pair of fact rows.

A tie is one initiative that two countries share:
- organization: both are members (role `member`) in overlapping periods; universal bodies
  (the UN) do not count;
- exercise: both take part in the same edition in any role but `observer` (the tie covers
  the edition's year, within both countries' validity);
- agreement: both are parties, directly or through an organization party, which stands for
  its members at the time; the tie covers the agreement's life within both parties' periods:
  from entry into force (a fact), or from signature when entry into force is unknown (then
  the tie says its start is inferred);
- operation: both contribute to the same operation in overlapping periods;
- transfer (directed): one supplied the other (roles `supplier` and `recipient`, one tie row
  each way); the tie covers the deal's years, from its order to its last delivery (year
  precision), and stays open while deliveries are ongoing; a cancelled deal with no delivery
  makes no tie.
Periods are half-open [start, end): no end means ongoing. A tie never reaches back past its
container (issue 15): an organization's founding, an agreement's entry into force, an
operation's start, and both countries' validity (`countries.valid_from`, `valid_until`); where
the facts give no start, or one before those bounds, the tie starts at the latest bound and says
its start is inferred (`start_inferred`). An unknown start with no bound at all stays unknown.
An exercise tie covers its edition's year within both countries' validity. Each channel is one
`INSERT ... SELECT` (`app.cooperation.derivation` inserts what the channel's function here
selects), with the periods intersected in SQL (`_overlap`), the same on every database engine.
Which function derives which channel: `channels.py`.
"""

from collections.abc import Collection, Iterable
from datetime import date
from typing import Any

from sqlalchemy import (
    Date,
    Select,
    and_,
    case,
    cast,
    func,
    literal,
    null,
    or_,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.expression import FromClause
from sqlalchemy.sql.functions import GenericFunction, ReturnTypeFromArgs

from app.agreements.models import Agreement, AgreementParty
from app.cooperation.models import TieChannel
from app.countries.models import Country
from app.exercises.models import ExerciseEdition, ParticipantRole, Participation
from app.operations.models import Contribution, Operation
from app.organizations.models import Membership, MembershipRole, Organization
from app.sources.models import Certainty
from app.transfers.models import DeliveryStatus, Transfer, TransferParty

AnySelect = Select[*tuple[Any, ...]]

# Stand-ins for an unknown start / an open end inside the SQL that intersects periods.
_NO_START = date(1, 1, 1)
_NO_END = date(9999, 12, 31)


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


def _sqlite_scalar(name: str, element: Any, compiler: SQLCompiler, **kw: Any) -> str:
    # With one argument SQLite's max() and min() are aggregates: one value is its own maximum.
    if len(element.clauses) == 1:
        return f"({compiler.process(element.clauses, **kw)})"
    return f"{name}({compiler.process(element.clauses, **kw)})"


@compiles(greatest, "sqlite")
def _greatest_sqlite(element: greatest, compiler: SQLCompiler, **kw: Any) -> str:
    return _sqlite_scalar("max", element, compiler, **kw)


@compiles(least, "sqlite")
def _least_sqlite(element: least, compiler: SQLCompiler, **kw: Any) -> str:
    return _sqlite_scalar("min", element, compiler, **kw)


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


def _bounded(
    fact_starts: Iterable[Any],
    fact_ends: Iterable[Any],
    bound_starts: Iterable[Any],
    bound_ends: Iterable[Any],
) -> tuple[ColumnElement[Any], ColumnElement[Any], ColumnElement[Any]]:
    """The facts' shared period cut to its bounds, and whether its start is inferred: it comes
    from a bound because the facts give no start, or one before the bound."""
    fact_starts, bound_starts = list(fact_starts), list(bound_starts)
    start, end = _overlap([*fact_starts, *bound_starts], [*fact_ends, *bound_ends])
    latest_fact_start = greatest(*(func.coalesce(s, _NO_START) for s in fact_starts))
    inferred = case((and_(start.is_not(None), latest_fact_start < start), True), else_=False)
    return start, end, inferred


def link_applies(
    link_start: Any, link_end: Any, starts: Iterable[Any], ends: Iterable[Any]
) -> ColumnElement[bool]:
    """A threat link counts for a tie only for the part of the tie's period that the link's
    period covers (issue 15): true when the link's period, the tie's and any window (`starts`,
    `ends`) share a day."""
    start, end = _overlap((link_start, *starts), (link_end, *ends))
    return or_(start.is_(None), end.is_(None), start < end)


def link_span(
    link_start: Any, link_end: Any, tie_start: Any, tie_end: Any
) -> tuple[ColumnElement[Any], ColumnElement[Any]]:
    """The part of a tie's period in which it addresses a linked threat, typed as dates (so
    that SQLite's text comes back as dates)."""
    start, end = _overlap((link_start, tie_start), (link_end, tie_end))
    return type_coerce(start, Date()), type_coerce(end, Date())


def _least_certain(*levels: Any) -> ColumnElement[Any]:
    return case(
        (or_(*(level == Certainty.unconfirmed.value for level in levels)), "unconfirmed"),
        (or_(*(level == Certainty.disputed.value for level in levels)), "disputed"),
        else_="confirmed",
    )


TIE_COLUMNS = (
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
    "start_inferred",
)


def _tie_select(candidates: AnySelect) -> AnySelect:
    """Keep the candidate pairs whose period is not empty, as rows of the ties table.

    `candidates` has the tie columns, `start_date` and `end_date` being the intersection.
    """
    rows = candidates.subquery("candidates")
    statement = select(*(rows.c[name] for name in TIE_COLUMNS)).where(
        or_(
            rows.c.start_date.is_(None),
            rows.c.end_date.is_(None),
            rows.c.start_date < rows.c.end_date,
        )
    )
    return statement


Dates = tuple[Any, ...]


def _pair_ties(
    channel: TieChannel,
    sides: tuple[Any, Any],
    initiative: Any,
    owner: str,
    *,
    facts: tuple[Dates, Dates],
    bounds: tuple[Dates, Dates],
    certainties: Dates = (),
    role: str | None = None,
    fact_id: str = "id",
    where: Iterable[ColumnElement[bool]] = (),
    initiative_ids: Collection[int] | None,
) -> AnySelect:
    """The one pair `SELECT` of every channel: each fact row (`mine`) with every other
    country's fact row (`theirs`) of the same initiative (`owner` names it in the facts).

    `sides` are two aliases of the fact rows (of a model, or of a subquery); `facts` their
    periods' starts and ends, `bounds` the initiative's: both countries' validity is added
    here. The certainty is the least of both facts' and `certainties`; the roles are `role`
    for both, or each fact's own role when it is None.
    """
    mine, theirs = (side.c if isinstance(side, FromClause) else side for side in sides)
    my_country, their_country = aliased(Country), aliased(Country)
    start, end, inferred = _bounded(
        facts[0],
        facts[1],
        (*bounds[0], my_country.valid_from, their_country.valid_from),
        (*bounds[1], my_country.valid_until, their_country.valid_until),
    )
    roles = (mine.role, theirs.role) if role is None else (literal(role), literal(role))
    initiative_id = getattr(mine, owner)
    statement = (
        select(
            mine.country_id.label("country_id"),
            theirs.country_id.label("partner_id"),
            literal(channel.value).label("channel"),
            initiative_id.label("initiative_id"),
            start.label("start_date"),
            end.label("end_date"),
            _least_certain(mine.certainty, theirs.certainty, *certainties).label("certainty"),
            getattr(mine, fact_id).label("country_fact_id"),
            getattr(theirs, fact_id).label("partner_fact_id"),
            roles[0].label("country_role"),
            roles[1].label("partner_role"),
            inferred.label("start_inferred"),
        )
        .join(
            sides[1],
            and_(getattr(theirs, owner) == initiative_id, theirs.country_id != mine.country_id),
        )
        .join(initiative, initiative.id == initiative_id)
        .join(my_country, my_country.id == mine.country_id)
        .join(their_country, their_country.id == theirs.country_id)
        .where(*where)
    )
    if initiative_ids is not None:
        statement = statement.where(initiative_id.in_(initiative_ids))
    return _tie_select(statement)


def organization_ties(initiative_ids: Collection[int] | None) -> AnySelect:
    mine, theirs = aliased(Membership), aliased(Membership)
    return _pair_ties(
        TieChannel.organization,
        (mine, theirs),
        Organization,
        "organization_id",
        facts=((mine.start_date, theirs.start_date), (mine.end_date, theirs.end_date)),
        bounds=((Organization.founded_date,), (Organization.ended_date,)),
        role="member",
        where=(
            mine.role == MembershipRole.member,
            theirs.role == MembershipRole.member,
            Organization.universal.is_(False),
        ),
        initiative_ids=initiative_ids,
    )


def exercise_ties(initiative_ids: Collection[int] | None) -> AnySelect:
    mine, theirs = aliased(Participation), aliased(Participation)
    # The edition's year, within both countries' validity: the Soviet Union in a 1992
    # edition (a mistaken name in a dataset) makes no tie, and one in 1991 none after
    # 25 December.
    year = ((year_start(ExerciseEdition.year),), (year_start(ExerciseEdition.year + 1),))
    return _pair_ties(
        TieChannel.exercise,
        (mine, theirs),
        ExerciseEdition,
        "edition_id",
        facts=year,
        bounds=((), ()),
        certainties=(ExerciseEdition.certainty,),
        where=(mine.role != ParticipantRole.observer, theirs.role != ParticipantRole.observer),
        initiative_ids=initiative_ids,
    )


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


def agreement_ties(initiative_ids: Collection[int] | None) -> AnySelect:
    participants = _agreement_participants(initiative_ids)
    mine, theirs = participants.alias("mine"), participants.alias("theirs")
    # Entry into force binds the parties: a tie starting then is a fact. Where it is unknown,
    # the tie starts at signature (the bound) and says its start is inferred.
    return _pair_ties(
        TieChannel.agreement,
        (mine, theirs),
        Agreement,
        "agreement_id",
        facts=(
            (
                Agreement.in_force_date,
                mine.c.party_start,
                mine.c.member_start,
                theirs.c.party_start,
                theirs.c.member_start,
            ),
            (mine.c.party_end, mine.c.member_end, theirs.c.party_end, theirs.c.member_end),
        ),
        bounds=(
            (func.coalesce(Agreement.in_force_date, Agreement.signed_date),),
            (Agreement.ended_date,),
        ),
        certainties=(Agreement.certainty,),
        fact_id="party_id",
        # The participants are already those of the given agreements.
        initiative_ids=None,
    )


def operation_ties(initiative_ids: Collection[int] | None) -> AnySelect:
    mine, theirs = aliased(Contribution), aliased(Contribution)
    return _pair_ties(
        TieChannel.operation,
        (mine, theirs),
        Operation,
        "operation_id",
        facts=((mine.start_date, theirs.start_date), (mine.end_date, theirs.end_date)),
        bounds=((Operation.start_date,), (Operation.end_date,)),
        role="contributor",
        initiative_ids=initiative_ids,
    )


def transfer_ties(initiative_ids: Collection[int] | None) -> AnySelect:
    # The deal's last year: its last delivery, or its order year when no delivery is known
    # (or the register lists one before the order, as it may for an estimated order year).
    last_year = greatest(Transfer.order_year, func.coalesce(Transfer.last_delivery_year, 0))
    deal_end = case(
        (Transfer.delivery_status == DeliveryStatus.ongoing.value, null()),
        else_=year_start(last_year + 1),
    )
    # Nothing changed hands: no tie.
    nothing = and_(
        Transfer.delivery_status == DeliveryStatus.cancelled.value,
        Transfer.last_delivery_year.is_(None),
    )
    return _pair_ties(
        TieChannel.transfer,
        (aliased(TransferParty), aliased(TransferParty)),
        Transfer,
        "transfer_id",
        facts=((year_start(Transfer.order_year),), (deal_end,)),
        bounds=((), ()),
        certainties=(Transfer.certainty,),
        where=(~nothing,),
        initiative_ids=initiative_ids,
    )
