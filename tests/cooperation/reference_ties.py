"""An independent reference for the ties and their per-pair aggregates: plain Python.

`app.cooperation.derivation` derives both in SQL. This module reads the fact rows with plain
SELECTs (one table each, no joins, nothing computed in the database) and applies the rules
of the README's "What a tie is" in Python, so that a wrong join, filter or period in the SQL
cannot be copied into the expectation it is checked against:
- organization: two members (role `member`) of one organization that is not universal,
  in overlapping periods;
- exercise: two participants of one edition, neither an observer, for the edition's year;
- agreement: two parties, a country party standing for itself and an organization party
  for each of its members (role `member`) during the membership, within the agreement's life
  (from entry into force, or signature, to its end) and both parties' periods;
- operation: two contributors to one operation, within the operation and both contributions;
- transfer: its supplier and its recipient (each way, with their roles), from January 1st of
  the order year to January 1st after the last delivery year (the order year when it is later
  or no delivery is known); open while deliveries are ongoing; no tie for a cancelled deal
  with no delivery.
Periods are half-open [start, end): no end is ongoing, and a pair whose periods share no day
is no tie. A tie never starts before its initiative (founding, entry into force, start) nor
before either country existed; when the facts give no start, or one before those bounds, the
tie starts at the latest bound and its start is inferred (issue 15). A tie is as certain as
the least certain of the rows behind it: the two facts, plus the edition or agreement they
belong to.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from itertools import permutations
from typing import Any, TypeVar

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from app.agreements.models import Agreement, AgreementParty, agreement_threats
from app.cooperation.models import TieChannel
from app.core.periods import Span
from app.countries.models import Country
from app.exercises.models import ExerciseEdition, Participation, edition_threats
from app.operations.models import Contribution, Operation, operation_threats
from app.organizations.models import Membership, Organization, organization_threats
from app.sources.models import Certainty
from app.transfers.models import Transfer, TransferParty, transfer_threats

TieRow = dict[str, Any]
Period = tuple[date | None, date | None]
_T = TypeVar("_T")

# From the most to the least certain.
_CERTAINTY_ORDER = [Certainty.confirmed, Certainty.disputed, Certainty.unconfirmed]


def _least_certain(*levels: Certainty) -> Certainty:
    return max(levels, key=_CERTAINTY_ORDER.index)


def _shared_period(*periods: Period) -> Period | None:
    """The days every period covers, or None when there is none."""
    starts = [start for start, _ in periods if start is not None]
    ends = [end for _, end in periods if end is not None]
    start = max(starts) if starts else None
    end = min(ends) if ends else None
    if start is not None and end is not None and start >= end:
        return None
    return start, end


def _rows(session: Session, *columns: Any) -> list[Any]:
    return list(session.execute(select(*columns)))


@dataclass(frozen=True)
class _Side:
    """One country's part in an initiative: the fact row behind it and what it brings."""

    country_id: int
    fact_id: int
    periods: tuple[Period, ...]
    certainty: Certainty
    role: str


def _validity(session: Session) -> dict[int, Period]:
    return {
        row.id: (row.valid_from, row.valid_until)
        for row in _rows(session, Country.id, Country.valid_from, Country.valid_until)
    }


def _pairs(
    channel: TieChannel,
    sides_by_initiative: Mapping[int, list[_Side]],
    initiative_periods: Mapping[int, Period],
    initiative_certainty: Mapping[int, tuple[Certainty, ...]],
    validity: Mapping[int, Period],
) -> Iterator[TieRow]:
    """Every ordered pair of two countries' sides in one initiative whose periods meet."""
    for initiative_id, sides in sides_by_initiative.items():
        for mine, theirs in permutations(sides, 2):
            if mine.country_id == theirs.country_id:
                continue
            facts = _shared_period(*mine.periods, *theirs.periods)
            bounds = _shared_period(
                initiative_periods.get(initiative_id, (None, None)),
                validity.get(mine.country_id, (None, None)),
                validity.get(theirs.country_id, (None, None)),
            )
            if facts is None or bounds is None:
                continue
            period = _shared_period(facts, bounds)
            if period is None:
                continue
            # An exercise's sides carry no period: its edition's year is a fact, not a bound.
            inferred = bool(mine.periods or theirs.periods) and (
                period[0] is not None and (facts[0] is None or facts[0] < period[0])
            )
            yield {
                "country_id": mine.country_id,
                "partner_id": theirs.country_id,
                "channel": channel,
                "initiative_id": initiative_id,
                "start_date": period[0],
                "end_date": period[1],
                "certainty": _least_certain(
                    mine.certainty,
                    theirs.certainty,
                    *initiative_certainty.get(initiative_id, ()),
                ),
                "country_fact_id": mine.fact_id,
                "partner_fact_id": theirs.fact_id,
                "country_role": mine.role,
                "partner_role": theirs.role,
                "start_inferred": inferred,
            }


def _grouped(
    session: Session,
    key: str,
    *columns: Any,
    each: Callable[[Any], Iterable[_T]],
) -> dict[int, list[_T]]:
    """What `each` makes of every row of `columns`, grouped by the row's column named `key`
    (the initiative a fact row belongs to): one loop for every channel's fact rows."""
    grouped: dict[int, list[_T]] = defaultdict(list)
    for row in _rows(session, *columns):
        for item in each(row):
            grouped[getattr(row, key)].append(item)
    return grouped


def _side(row: Any, periods: tuple[Period, ...], role: str) -> _Side:
    """The side of the country of a fact row (with `id`, `country_id` and `certainty`)."""
    return _Side(row.country_id, row.id, periods, row.certainty, role)


Member = tuple[int, int, Period, Certainty]


def _memberships(session: Session) -> dict[int, list[Member]]:
    """Each organization's members (role `member`): country, membership, period, certainty."""

    def member(row: Any) -> list[Member]:
        if row.role != "member":
            return []
        return [(row.country_id, row.id, (row.start_date, row.end_date), row.certainty)]

    return _grouped(
        session,
        "organization_id",
        Membership.id,
        Membership.organization_id,
        Membership.country_id,
        Membership.role,
        Membership.start_date,
        Membership.end_date,
        Membership.certainty,
        each=member,
    )


def _organization_ties(session: Session) -> Iterator[TieRow]:
    universal = {
        row.id for row in _rows(session, Organization.id, Organization.universal) if row.universal
    }
    sides = {
        organization_id: [
            _Side(country_id, membership_id, (period,), certainty, "member")
            for country_id, membership_id, period, certainty in members
        ]
        for organization_id, members in _memberships(session).items()
        if organization_id not in universal
    }
    founded = {
        row.id: (row.founded_date, row.ended_date)
        for row in _rows(
            session, Organization.id, Organization.founded_date, Organization.ended_date
        )
    }
    return _pairs(TieChannel.organization, sides, founded, {}, _validity(session))


def _exercise_ties(session: Session) -> Iterator[TieRow]:
    editions = {
        row.id: row
        for row in _rows(
            session, ExerciseEdition.id, ExerciseEdition.year, ExerciseEdition.certainty
        )
    }

    def participant(row: Any) -> list[_Side]:
        return [] if row.role == "observer" else [_side(row, (), str(row.role))]

    sides = _grouped(
        session,
        "edition_id",
        Participation.id,
        Participation.edition_id,
        Participation.country_id,
        Participation.role,
        Participation.certainty,
        each=participant,
    )
    years = {
        edition_id: (date(edition.year, 1, 1), date(edition.year + 1, 1, 1))
        for edition_id, edition in editions.items()
    }
    certainty = {edition_id: (edition.certainty,) for edition_id, edition in editions.items()}
    return _pairs(TieChannel.exercise, sides, years, certainty, _validity(session))


def _agreement_ties(session: Session) -> Iterator[TieRow]:
    members = _memberships(session)
    in_force_dates = dict(_rows(session, Agreement.id, Agreement.in_force_date))

    def party(row: Any) -> list[_Side]:
        party_period = (row.start_date, row.end_date)
        # Entry into force binds every party: a start then is a fact, not an inference.
        in_force = (in_force_dates.get(row.agreement_id), None)
        role = str(row.role)
        if row.country_id is not None:
            return [_side(row, (party_period, in_force), role)]
        # an organization party stands for its members while they are members
        return [
            _Side(
                country_id, row.id, (party_period, membership_period, in_force), row.certainty, role
            )
            for country_id, _, membership_period, _ in members.get(row.organization_id, [])
        ]

    sides = _grouped(
        session,
        "agreement_id",
        AgreementParty.id,
        AgreementParty.agreement_id,
        AgreementParty.country_id,
        AgreementParty.organization_id,
        AgreementParty.role,
        AgreementParty.start_date,
        AgreementParty.end_date,
        AgreementParty.certainty,
        each=party,
    )
    agreements = _rows(
        session,
        Agreement.id,
        Agreement.signed_date,
        Agreement.in_force_date,
        Agreement.ended_date,
        Agreement.certainty,
    )
    lives = {row.id: (row.in_force_date or row.signed_date, row.ended_date) for row in agreements}
    certainty = {row.id: (row.certainty,) for row in agreements}
    return _pairs(TieChannel.agreement, sides, lives, certainty, _validity(session))


def _operation_ties(session: Session) -> Iterator[TieRow]:
    sides = _grouped(
        session,
        "operation_id",
        Contribution.id,
        Contribution.operation_id,
        Contribution.country_id,
        Contribution.start_date,
        Contribution.end_date,
        Contribution.certainty,
        each=lambda row: [_side(row, ((row.start_date, row.end_date),), "contributor")],
    )
    periods = {
        row.id: (row.start_date, row.end_date)
        for row in _rows(session, Operation.id, Operation.start_date, Operation.end_date)
    }
    return _pairs(TieChannel.operation, sides, periods, {}, _validity(session))


def _transfer_ties(session: Session) -> Iterator[TieRow]:
    deals = {
        row.id: row
        for row in _rows(
            session,
            Transfer.id,
            Transfer.order_year,
            Transfer.last_delivery_year,
            Transfer.delivery_status,
            Transfer.certainty,
        )
    }
    periods: dict[int, Period] = {}
    for deal in deals.values():
        if deal.delivery_status == "cancelled" and deal.last_delivery_year is None:
            continue  # nothing changed hands
        last = max(deal.order_year, deal.last_delivery_year or deal.order_year)
        end = None if deal.delivery_status == "ongoing" else date(last + 1, 1, 1)
        periods[deal.id] = (date(deal.order_year, 1, 1), end)

    def party(row: Any) -> list[_Side]:
        if row.transfer_id not in periods:
            return []
        return [_side(row, (periods[row.transfer_id],), str(row.role))]

    sides = _grouped(
        session,
        "transfer_id",
        TransferParty.id,
        TransferParty.transfer_id,
        TransferParty.country_id,
        TransferParty.role,
        TransferParty.certainty,
        each=party,
    )
    certainty = {deal_id: (deal.certainty,) for deal_id, deal in deals.items()}
    return _pairs(TieChannel.transfer, sides, {}, certainty, _validity(session))


def reference_ties(session: Session) -> list[TieRow]:
    """Every tie, both directions, derived in Python from the fact rows."""
    return [
        *_organization_ties(session),
        *_exercise_ties(session),
        *_agreement_ties(session),
        *_operation_ties(session),
        *_transfer_ties(session),
    ]


# --- the per-pair aggregates -----------------------------------------------------------------

_THREAT_LINKS: dict[TieChannel, tuple[Table, str]] = {
    TieChannel.organization: (organization_threats, "organization_id"),
    TieChannel.exercise: (edition_threats, "edition_id"),
    TieChannel.agreement: (agreement_threats, "agreement_id"),
    TieChannel.operation: (operation_threats, "operation_id"),
    TieChannel.transfer: (transfer_threats, "transfer_id"),
}
# A transfer points from its supplier to its recipient.
SOURCE_ROLES = {TieChannel.transfer: "supplier"}


LinkedThreats = dict[tuple[TieChannel, int], dict[int, Span]]


def initiative_threats(session: Session) -> LinkedThreats:
    """The threats each initiative addresses, by (channel, initiative), each with the period
    of its link (an undated link: from the initiative's start, which bounds its ties)."""
    threats: LinkedThreats = defaultdict(dict)
    for channel, (links, column) in _THREAT_LINKS.items():
        for owner, threat_id, start, end in _rows(
            session, links.c[column], links.c.threat_id, links.c.start_date, links.c.end_date
        ):
            threats[(channel, owner)][threat_id] = Span(start, end)
    return threats


def directions(ties: Iterable[TieRow]) -> tuple[int, int]:
    """Distinct initiatives of a directed channel from the country to the partner, and back
    (0, 0 in a symmetric channel)."""
    rows = list(ties)

    def pointing(side: str) -> int:
        return len(
            {
                tie["initiative_id"]
                for tie in rows
                if tie[side] == SOURCE_ROLES.get(tie["channel"], object())
            }
        )

    return pointing("country_role"), pointing("partner_role")


def _summary(ties: Iterable[TieRow]) -> tuple[Any, ...]:
    """Distinct initiatives, those pointing each way (directed channels), the earliest start
    (none if any is unknown), the latest end (none if any is ongoing), and the distinct year
    ranges "first-last" (as a set: the table's comma-joined text has no order)."""
    rows = list(ties)
    starts = [tie["start_date"] for tie in rows]
    ends = [tie["end_date"] for tie in rows]
    spans = [Span(tie["start_date"], tie["end_date"]) for tie in rows]
    return (
        len({tie["initiative_id"] for tie in rows}),
        *directions(rows),
        None if None in starts else min(starts),
        None if None in ends else max(ends),
        frozenset(f"{s.first_year or ''}-{s.last_year or ''}" for s in spans),
    )


def reference_aggregates(
    ties: list[TieRow], threats: LinkedThreats
) -> dict[str, set[tuple[Any, ...]]]:
    """The rows of `partner_channels`, `partner_threats` and `partner_co_threats`, in their
    tables' column order, grouped in Python from the ties."""
    by_channel: dict[tuple[int, int, TieChannel], list[TieRow]] = defaultdict(list)
    by_threat: dict[tuple[int, int, TieChannel, int], list[TieRow]] = defaultdict(list)
    co_threats: set[tuple[Any, ...]] = set()
    for tie in ties:
        country, partner, channel = tie["country_id"], tie["partner_id"], tie["channel"]
        by_channel[(country, partner, channel)].append(tie)
        period = Span(tie["start_date"], tie["end_date"])
        links = threats.get((channel, tie["initiative_id"]), {})
        # The tie addresses a threat only while its link holds.
        for threat, link in links.items():
            held = period.overlap(link)
            if held is None:
                continue
            by_threat[(country, partner, channel, threat)].append(
                {**tie, "start_date": held.start, "end_date": held.end}
            )
            co_threats |= {
                (country, threat, partner, channel, co)
                for co, co_link in links.items()
                if held.overlap(co_link) is not None
            }
    return {
        "partner_channels": {(*key, *_summary(rows)) for key, rows in by_channel.items()},
        "partner_threats": {(*key, *_summary(rows)) for key, rows in by_threat.items()},
        "partner_co_threats": co_threats,
    }
