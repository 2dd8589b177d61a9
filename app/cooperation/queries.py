"""Ties: who cooperates with whom, through what, when, and against which threats.

A tie is one initiative that two countries share:
- organization: both are members (role `member`) in overlapping periods; universal bodies
  (the UN) do not count;
- exercise: both take part in the same edition in any role but `observer`;
- agreement: both are parties, directly or through an organization party, which stands for
  its members at the time;
- operation: both contribute to the same operation in overlapping periods.
Periods are half-open [start, end): an unknown start reaches back indefinitely, no end means
ongoing. The threats of a tie are those of the initiative it runs through.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy import Date, Select, Subquery, and_, cast, null, select, union_all
from sqlalchemy.orm import Session, aliased, joinedload

from app.agreements.models import Agreement, AgreementParty, agreement_threats
from app.countries.models import Country
from app.exercises.models import (
    ExerciseEdition,
    ParticipantRole,
    Participation,
    edition_threats,
)
from app.operations.models import Contribution, Operation, operation_threats
from app.organizations.models import (
    Membership,
    MembershipRole,
    Organization,
    organization_threats,
)
from app.sources.models import Certainty, Citation
from app.threats.models import ThreatCategory


class TieChannel(StrEnum):
    organization = "organization"
    exercise = "exercise"
    agreement = "agreement"
    operation = "operation"


# A statement of any number of columns of any types (SQLAlchemy 2.1 selects are variadic).
AnySelect = Select[*tuple[Any, ...]]

_CERTAINTY_RANK = {Certainty.confirmed: 0, Certainty.disputed: 1, Certainty.unconfirmed: 2}


@dataclass(frozen=True)
class Span:
    """A half-open period [start, end); None means unbounded on that side."""

    start: date | None
    end: date | None

    def overlap(self, other: "Span") -> "Span | None":
        starts = [d for d in (self.start, other.start) if d is not None]
        ends = [d for d in (self.end, other.end) if d is not None]
        span = Span(max(starts) if starts else None, min(ends) if ends else None)
        if span.start is not None and span.end is not None and span.start >= span.end:
            return None
        return span

    @classmethod
    def of_years(cls, first: int | None, last: int | None) -> "Span":
        return cls(
            date(first, 1, 1) if first is not None else None,
            date(last + 1, 1, 1) if last is not None else None,
        )


@dataclass
class Tie:
    partner_id: int
    channel: TieChannel
    initiative_id: int
    span: Span
    certainty: Certainty
    # The fact rows (membership, participation, party, contribution ids) behind the tie.
    evidence_ids: set[int] = field(default_factory=set)
    roles: tuple[str, str] = ("", "")
    threats: list[ThreatCategory] = field(default_factory=list)

    @property
    def first_year(self) -> int | None:
        return self.span.start.year if self.span.start else None

    @property
    def last_year(self) -> int | None:
        return date.fromordinal(self.span.end.toordinal() - 1).year if self.span.end else None


@dataclass
class TieFilters:
    threat_ids: list[int] = field(default_factory=list)
    channels: list[TieChannel] = field(default_factory=list)
    year: int | None = None
    year_gte: int | None = None
    year_lte: int | None = None

    def window(self) -> Span:
        if self.year is not None:
            return Span.of_years(self.year, self.year)
        return Span.of_years(self.year_gte, self.year_lte)

    def admits(self, tie: Tie) -> bool:
        if self.channels and tie.channel not in self.channels:
            return False
        if self.threat_ids and not {t.id for t in tie.threats} & set(self.threat_ids):
            return False
        return tie.span.overlap(self.window()) is not None


def _worst(*levels: Certainty) -> Certainty:
    return max(levels, key=_CERTAINTY_RANK.__getitem__)


# --- one SQL statement per channel, each row one pair of fact rows --------------------------


def _membership_pairs(country_id: int, partner_id: int | None) -> AnySelect:
    mine, theirs = aliased(Membership), aliased(Membership)
    statement = (
        select(
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
            mine.role,
            theirs.role,
        )
        .join(
            theirs,
            and_(
                theirs.organization_id == mine.organization_id, theirs.country_id != mine.country_id
            ),
        )
        .join(Organization, Organization.id == mine.organization_id)
        .where(
            mine.country_id == country_id,
            mine.role == MembershipRole.member,
            theirs.role == MembershipRole.member,
            Organization.universal.is_(False),
        )
    )
    return statement.where(theirs.country_id == partner_id) if partner_id else statement


def _participation_pairs(country_id: int, partner_id: int | None) -> AnySelect:
    mine, theirs = aliased(Participation), aliased(Participation)
    statement = (
        select(
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
            theirs, and_(theirs.edition_id == mine.edition_id, theirs.country_id != mine.country_id)
        )
        .join(ExerciseEdition, ExerciseEdition.id == mine.edition_id)
        .where(
            mine.country_id == country_id,
            mine.role != ParticipantRole.observer,
            theirs.role != ParticipantRole.observer,
        )
    )
    return statement.where(theirs.country_id == partner_id) if partner_id else statement


def _agreement_members() -> Subquery:
    """Every (agreement, country) participation: direct parties, and members of party
    organizations with their membership period."""
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


def _contribution_pairs(country_id: int, partner_id: int | None) -> AnySelect:
    mine, theirs = aliased(Contribution), aliased(Contribution)
    statement = (
        select(
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
        .where(mine.country_id == country_id)
    )
    return statement.where(theirs.country_id == partner_id) if partner_id else statement


# --- assembling ties -----------------------------------------------------------------------


class _TieCollector:
    def __init__(self) -> None:
        self.ties: dict[tuple[int, TieChannel, int], Tie] = {}

    def add(
        self,
        partner_id: int,
        channel: TieChannel,
        initiative_id: int,
        span: Span,
        certainty: Certainty,
        evidence: Iterable[int],
        roles: tuple[str, str],
    ) -> None:
        key = (partner_id, channel, initiative_id)
        tie = self.ties.get(key)
        if tie is None:
            self.ties[key] = Tie(
                partner_id, channel, initiative_id, span, certainty, set(evidence), roles
            )
            return
        # Several overlapping periods in one initiative (Quad 2007-08 and from 2017) are one
        # tie spanning them all.
        starts = [tie.span.start, span.start]
        ends = [tie.span.end, span.end]
        tie.span = Span(
            None if None in starts else min(d for d in starts if d),
            None if None in ends else max(d for d in ends if d),
        )
        tie.certainty = min(tie.certainty, certainty, key=_CERTAINTY_RANK.__getitem__)
        tie.evidence_ids.update(evidence)


def _organization_ties(
    session: Session, collector: _TieCollector, country_id: int, partner_id: int | None
) -> None:
    for (
        partner,
        organization_id,
        mine_id,
        theirs_id,
        my_start,
        my_end,
        their_start,
        their_end,
        my_certainty,
        their_certainty,
        my_role,
        their_role,
    ) in session.execute(_membership_pairs(country_id, partner_id)):
        span = Span(my_start, my_end).overlap(Span(their_start, their_end))
        if span is not None:
            collector.add(
                partner,
                TieChannel.organization,
                organization_id,
                span,
                _worst(my_certainty, their_certainty),
                (mine_id, theirs_id),
                (my_role, their_role),
            )


def _exercise_ties(
    session: Session, collector: _TieCollector, country_id: int, partner_id: int | None
) -> None:
    for (
        partner,
        edition_id,
        mine_id,
        theirs_id,
        year,
        my_certainty,
        their_certainty,
        edition_certainty,
        my_role,
        their_role,
    ) in session.execute(_participation_pairs(country_id, partner_id)):
        collector.add(
            partner,
            TieChannel.exercise,
            edition_id,
            Span.of_years(year, year),
            _worst(my_certainty, their_certainty, edition_certainty),
            (mine_id, theirs_id),
            (my_role, their_role),
        )


def _agreement_ties(
    session: Session, collector: _TieCollector, country_id: int, partner_id: int | None
) -> None:
    members = _agreement_members()
    mine, theirs = members.alias(), members.alias()
    statement = (
        select(
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
        .where(mine.c.country_id == country_id)
    )
    if partner_id:
        statement = statement.where(theirs.c.country_id == partner_id)
    for (
        partner,
        agreement_id,
        mine_id,
        theirs_id,
        my_start,
        my_end,
        my_member_start,
        my_member_end,
        their_start,
        their_end,
        their_member_start,
        their_member_end,
        signed,
        in_force,
        ended,
        my_certainty,
        their_certainty,
        agreement_certainty,
        my_role,
        their_role,
    ) in session.execute(statement):
        span: Span | None = Span(in_force or signed, ended)
        for period in (
            Span(my_start, my_end),
            Span(my_member_start, my_member_end),
            Span(their_start, their_end),
            Span(their_member_start, their_member_end),
        ):
            span = span.overlap(period) if span else None
        if span is not None:
            collector.add(
                partner,
                TieChannel.agreement,
                agreement_id,
                span,
                _worst(my_certainty, their_certainty, agreement_certainty),
                (mine_id, theirs_id),
                (my_role, their_role),
            )


def _operation_ties(
    session: Session, collector: _TieCollector, country_id: int, partner_id: int | None
) -> None:
    for (
        partner,
        operation_id,
        mine_id,
        theirs_id,
        my_start,
        my_end,
        their_start,
        their_end,
        operation_start,
        operation_end,
        my_certainty,
        their_certainty,
    ) in session.execute(_contribution_pairs(country_id, partner_id)):
        span = Span(operation_start, operation_end)
        for period in (Span(my_start, my_end), Span(their_start, their_end)):
            span = span.overlap(period) if span else None  # type: ignore[assignment]
        if span is not None:
            collector.add(
                partner,
                TieChannel.operation,
                operation_id,
                span,
                _worst(my_certainty, their_certainty),
                (mine_id, theirs_id),
                ("contributor", "contributor"),
            )


_THREAT_LINKS = {
    TieChannel.organization: (organization_threats, "organization_id"),
    TieChannel.exercise: (edition_threats, "edition_id"),
    TieChannel.agreement: (agreement_threats, "agreement_id"),
    TieChannel.operation: (operation_threats, "operation_id"),
}


def _attach_threats(session: Session, ties: list[Tie]) -> None:
    for channel, (table, column) in _THREAT_LINKS.items():
        initiative_ids = {tie.initiative_id for tie in ties if tie.channel is channel}
        if not initiative_ids:
            continue
        threats: dict[int, list[ThreatCategory]] = defaultdict(list)
        rows = session.execute(
            select(table.c[column], ThreatCategory)
            .join(ThreatCategory, ThreatCategory.id == table.c.threat_id)
            .where(table.c[column].in_(initiative_ids))
            .order_by(ThreatCategory.slug)
        )
        for initiative_id, threat in rows:
            threats[initiative_id].append(threat)
        for tie in ties:
            if tie.channel is channel:
                tie.threats = threats.get(tie.initiative_id, [])


def ties_of(
    session: Session, country_id: int, filters: TieFilters, partner_id: int | None = None
) -> list[Tie]:
    """Every tie of a country (with one partner, when given) that passes the filters."""
    collector = _TieCollector()
    builders = {
        TieChannel.organization: _organization_ties,
        TieChannel.exercise: _exercise_ties,
        TieChannel.agreement: _agreement_ties,
        TieChannel.operation: _operation_ties,
    }
    for channel, build in builders.items():
        if not filters.channels or channel in filters.channels:
            build(session, collector, country_id, partner_id)
    ties = list(collector.ties.values())
    _attach_threats(session, ties)
    return [tie for tie in ties if filters.admits(tie)]


# --- partners and the pair's evidence --------------------------------------------------------


@dataclass
class PartnerSummary:
    partner: Country
    ties: list[Tie]

    @property
    def channel_counts(self) -> dict[TieChannel, int]:
        counts = dict.fromkeys(TieChannel, 0)
        for tie in self.ties:
            counts[tie.channel] += 1
        return counts

    @property
    def threats(self) -> list[ThreatCategory]:
        unique = {threat.id: threat for tie in self.ties for threat in tie.threats}
        return sorted(unique.values(), key=lambda threat: threat.slug)

    @property
    def first_year(self) -> int | None:
        years = [tie.first_year for tie in self.ties]
        return None if None in years else min(y for y in years if y is not None)

    @property
    def last_year(self) -> int | None:
        years = [tie.last_year for tie in self.ties]
        return None if None in years else max(y for y in years if y is not None)

    @property
    def ongoing(self) -> bool:
        return any(tie.span.end is None for tie in self.ties)


def partners_of(session: Session, country_id: int, filters: TieFilters) -> list[PartnerSummary]:
    """Partners ranked by number of ties, then by name."""
    by_partner: dict[int, list[Tie]] = defaultdict(list)
    for tie in ties_of(session, country_id, filters):
        by_partner[tie.partner_id].append(tie)
    countries = {
        country.id: country
        for country in session.scalars(select(Country).where(Country.id.in_(by_partner)))
    }
    summaries = [PartnerSummary(countries[pid], ties) for pid, ties in by_partner.items()]
    summaries.sort(key=lambda s: (-len(s.ties), s.partner.name))
    return summaries


_INITIATIVES: dict[TieChannel, Any] = {
    TieChannel.organization: Organization,
    TieChannel.exercise: ExerciseEdition,
    TieChannel.agreement: Agreement,
    TieChannel.operation: Operation,
}
_EVIDENCE_COLUMNS = {
    TieChannel.organization: Citation.membership_id,
    TieChannel.exercise: Citation.participation_id,
    TieChannel.agreement: Citation.party_id,
    TieChannel.operation: Citation.contribution_id,
}


def initiatives_of(session: Session, ties: list[Tie]) -> dict[tuple[TieChannel, int], Any]:
    found: dict[tuple[TieChannel, int], Any] = {}
    for channel, model in _INITIATIVES.items():
        ids = {tie.initiative_id for tie in ties if tie.channel is channel}
        if ids:
            for row in session.scalars(select(model).where(model.id.in_(ids))):
                found[(channel, row.id)] = row
    return found


def citations_of(session: Session, ties: list[Tie]) -> dict[tuple[TieChannel, int], list[Citation]]:
    """The citations of the fact rows behind each tie, deduplicated by source and locator."""
    cited: dict[tuple[TieChannel, int], list[Citation]] = {}
    for channel, column in _EVIDENCE_COLUMNS.items():
        channel_ties = [tie for tie in ties if tie.channel is channel]
        evidence_ids = {i for tie in channel_ties for i in tie.evidence_ids}
        if not evidence_ids:
            continue
        by_row: dict[int, list[Citation]] = defaultdict(list)
        for citation in session.scalars(
            select(Citation).where(column.in_(evidence_ids)).options(joinedload(Citation.source))
        ):
            by_row[getattr(citation, column.key)].append(citation)
        for tie in channel_ties:
            unique: dict[tuple[str, str | None], Citation] = {}
            for row_id in sorted(tie.evidence_ids):
                for citation in by_row.get(row_id, []):
                    unique.setdefault((citation.source_id, citation.locator), citation)
            cited[(tie.channel, tie.initiative_id)] = list(unique.values())
    return cited
