"""The slow reference for the tie derivation, row by row in Python.

This is the row-by-row derivation that `app.cooperation.derivation` replaced with set-based
SQL, kept here so that `test_partner_aggregates` can check the SQL against it.
"""

from collections.abc import Callable, Collection, Iterator
from typing import Any

from sqlalchemy import Date, Select, Subquery, and_, cast, null, select, union_all
from sqlalchemy.orm import Session, aliased

from app.agreements.models import Agreement, AgreementParty
from app.cooperation.models import TieChannel
from app.core.periods import Span, overlap_all
from app.exercises.models import ExerciseEdition, ParticipantRole, Participation
from app.operations.models import Contribution, Operation
from app.organizations.models import Membership, MembershipRole, Organization
from app.sources.models import Certainty

AnySelect = Select[*tuple[Any, ...]]
TieRow = dict[str, Any]

_CERTAINTY_RANK = {Certainty.confirmed: 0, Certainty.disputed: 1, Certainty.unconfirmed: 2}


def least_certain(*levels: Certainty) -> Certainty:
    return max(levels, key=_CERTAINTY_RANK.__getitem__)


def most_certain(*levels: Certainty) -> Certainty:
    return min(levels, key=_CERTAINTY_RANK.__getitem__)


def _tie(
    channel: TieChannel,
    pair: tuple[int, int, int, int, int],
    span: Span,
    certainty: Certainty,
    roles: tuple[str, str],
) -> TieRow:
    country_id, partner_id, initiative_id, country_fact_id, partner_fact_id = pair
    return {
        "country_id": country_id,
        "partner_id": partner_id,
        "channel": channel,
        "initiative_id": initiative_id,
        "start_date": span.start,
        "end_date": span.end,
        "certainty": certainty,
        "country_fact_id": country_fact_id,
        "partner_fact_id": partner_fact_id,
        "country_role": roles[0],
        "partner_role": roles[1],
    }


def _organization_ties(
    session: Session, initiative_ids: Collection[int] | None
) -> Iterator[TieRow]:
    mine, theirs = aliased(Membership), aliased(Membership)
    statement = (
        select(
            mine.country_id,
            theirs.country_id,
            mine.organization_id,
            mine.id,
            theirs.id,
            mine.start_date,
            mine.end_date,
            theirs.start_date,
            theirs.end_date,
            mine.certainty,
            theirs.certainty,
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
    for row in session.execute(statement):
        (*pair, my_start, my_end, their_start, their_end, my_certainty, their_certainty) = row
        span = Span(my_start, my_end).overlap(Span(their_start, their_end))
        if span is not None:
            yield _tie(
                TieChannel.organization,
                tuple(pair),
                span,
                least_certain(my_certainty, their_certainty),
                ("member", "member"),
            )


def _exercise_ties(session: Session, initiative_ids: Collection[int] | None) -> Iterator[TieRow]:
    mine, theirs = aliased(Participation), aliased(Participation)
    statement = (
        select(
            mine.country_id,
            theirs.country_id,
            mine.edition_id,
            mine.id,
            theirs.id,
            ExerciseEdition.year,
            mine.certainty,
            theirs.certainty,
            ExerciseEdition.certainty,
            mine.role,
            theirs.role,
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
    for row in session.execute(statement):
        (*pair, year, my_certainty, their_certainty, edition_certainty, my_role, their_role) = row
        yield _tie(
            TieChannel.exercise,
            tuple(pair),
            Span.of_years(year, year),
            least_certain(my_certainty, their_certainty, edition_certainty),
            (my_role, their_role),
        )


def _agreement_participants() -> Subquery:
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
    return union_all(direct, through_organization).subquery()


def _agreement_ties(session: Session, initiative_ids: Collection[int] | None) -> Iterator[TieRow]:
    participants = _agreement_participants()
    mine, theirs = participants.alias(), participants.alias()
    statement = (
        select(
            mine.c.country_id,
            theirs.c.country_id,
            mine.c.agreement_id,
            mine.c.party_id,
            theirs.c.party_id,
            mine.c.party_start,
            mine.c.party_end,
            mine.c.member_start,
            mine.c.member_end,
            theirs.c.party_start,
            theirs.c.party_end,
            theirs.c.member_start,
            theirs.c.member_end,
            Agreement.signed_date,
            Agreement.in_force_date,
            Agreement.ended_date,
            mine.c.certainty,
            theirs.c.certainty,
            Agreement.certainty,
            mine.c.role,
            theirs.c.role,
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
    if initiative_ids is not None:
        statement = statement.where(mine.c.agreement_id.in_(initiative_ids))
    for row in session.execute(statement):
        pair = tuple(row[:5])
        (
            my_start, my_end, my_member_start, my_member_end,
            their_start, their_end, their_member_start, their_member_end,
            signed, in_force, ended,
            my_certainty, their_certainty, agreement_certainty, my_role, their_role,
        ) = row[5:]  # fmt: skip
        span = overlap_all(
            Span(in_force or signed, ended),
            Span(my_start, my_end),
            Span(my_member_start, my_member_end),
            Span(their_start, their_end),
            Span(their_member_start, their_member_end),
        )
        if span is not None:
            yield _tie(
                TieChannel.agreement,
                pair,
                span,
                least_certain(my_certainty, their_certainty, agreement_certainty),
                (my_role, their_role),
            )


def _operation_ties(session: Session, initiative_ids: Collection[int] | None) -> Iterator[TieRow]:
    mine, theirs = aliased(Contribution), aliased(Contribution)
    statement = (
        select(
            mine.country_id,
            theirs.country_id,
            mine.operation_id,
            mine.id,
            theirs.id,
            mine.start_date,
            mine.end_date,
            theirs.start_date,
            theirs.end_date,
            Operation.start_date,
            Operation.end_date,
            mine.certainty,
            theirs.certainty,
        )
        .join(
            theirs,
            and_(theirs.operation_id == mine.operation_id, theirs.country_id != mine.country_id),
        )
        .join(Operation, Operation.id == mine.operation_id)
    )
    if initiative_ids is not None:
        statement = statement.where(mine.operation_id.in_(initiative_ids))
    for row in session.execute(statement):
        pair = tuple(row[:5])
        (my_start, my_end, their_start, their_end, op_start, op_end, mine_c, theirs_c) = row[5:]
        span = overlap_all(
            Span(op_start, op_end), Span(my_start, my_end), Span(their_start, their_end)
        )
        if span is not None:
            yield _tie(
                TieChannel.operation,
                pair,  # type: ignore[arg-type]
                span,
                least_certain(mine_c, theirs_c),
                ("contributor", "contributor"),
            )


_DERIVERS: dict[TieChannel, Callable[[Session, Collection[int] | None], Iterator[TieRow]]] = {
    TieChannel.organization: _organization_ties,
    TieChannel.exercise: _exercise_ties,
    TieChannel.agreement: _agreement_ties,
    TieChannel.operation: _operation_ties,
}


def reference_ties(session: Session) -> list[TieRow]:
    """Every tie, derived row by row in Python."""
    return [row for derive in _DERIVERS.values() for row in derive(session, None)]
