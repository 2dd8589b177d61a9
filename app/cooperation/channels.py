"""The channels of cooperation, each declared once.

A channel is a kind of initiative (an organization, an exercise edition, an agreement, an
operation) whose fact rows (memberships, participations, parties, contributions) put
countries together. Everything that differs from one channel to the next is in its entry
below; the derivation (`derivation.py`), the partners and pair reads (`queries.py`), the
analytics, the threat-link write routes, the one change path (`app.curation.changes`) and
the API's `channel` enums read it from here, and hold no list of channels of their own.

To add a channel (arms transfers were the last, and the first directed one):
1. the models: the initiative, its fact table (a country column, a column naming the
   initiative, `certainty`), its threat-link table, a `Citation` column for the fact, and
   the new `TieChannel` value;
2. a migration creating them (and widening the `channel` enum of the ties and aggregates);
3. its pair `SELECT` in `ties.py` (one function, like the others) and one `Channel` entry
   below (a `source_role` if the tie has a direction: a supplier and a recipient), with the
   initiative's `lifetime` (the period its threat links must lie in);
4. its importer (`app.imports`), which writes through `app.curation.changes` like the
   others, so its ties and aggregates follow.
Nothing else changes: the write framework, the change path, the reads and the OpenAPI enums
pick the entry up (tests/test_channels.py checks that every channel has exactly one entry).
Two API shapes name channels field by field and grow only by a decision about the API: the
dyad-year columns (`app.analytics.dyads`) and a threat's lists of initiatives
(`app.threats`).
"""

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Column, Select, Table, select
from sqlalchemy.orm import InstrumentedAttribute

from app.agreements.models import Agreement, AgreementParty, agreement_threats
from app.cooperation import ties
from app.cooperation.models import TieChannel
from app.core.periods import Span, widest
from app.exercises.models import ExerciseEdition, Participation, edition_threats
from app.operations.models import Contribution, Operation, operation_threats
from app.organizations.models import Membership, Organization, organization_threats
from app.sources.models import Citation
from app.transfers.models import (
    DeliveryStatus,
    Transfer,
    TransferParty,
    TransferRole,
    transfer_threats,
)

# The initiatives of a channel whose ties change with the given initiatives of another.
Dependents = Callable[[Collection[int]], Select[int]]


@dataclass(frozen=True)
class ThreatLinkTable:
    """The table linking a channel's initiatives to the threats they address."""

    table: Table
    key: str  # what names the initiative in a link's snapshot and in messages

    @property
    def owner(self) -> str:
        """Its column naming the initiative (as the fact's column does)."""
        return f"{self.key}_id"

    @property
    def entity(self) -> str:
        """A link's entity in the audit trail."""
        return f"{self.key}_threat"

    @property
    def owner_column(self) -> Column[int]:
        return self.table.c[self.owner]


@dataclass(frozen=True)
class Channel:
    name: TieChannel
    # The initiative model (with `id`, `slug`, `name`) and its kind in the API, which is also
    # its entity in the audit trail.
    initiative: Any
    kind: str
    # The fact model, whose column `<key>_id` names the initiative (as the threat-link
    # table's does); the citation column of a fact.
    fact: Any
    citation: InstrumentedAttribute[int | None]
    threat_links: ThreatLinkTable
    # The pair SELECT of `ties.py` that the derivation inserts into the ties table.
    ties: Callable[[Collection[int] | None], ties.AnySelect]
    # The longest period an initiative may have lived (an exercise edition: its year): a
    # threat link must lie within it.
    lifetime: Callable[[Any], Span]
    # Other channels whose changes change this one's ties (an organization party stands for
    # its members: an agreement's ties change with the organization's memberships).
    fed_by: Mapping[TieChannel, Dependents] = field(default_factory=dict)
    # None in a symmetric channel: both countries stand in the same relation (members,
    # parties, participants). Otherwise the tie points from the country in this role (a
    # transfer's supplier) to the other: partners, pairs, networks and dyad-years say which way.
    source_role: str | None = None

    @property
    def symmetric(self) -> bool:
        return self.source_role is None

    @property
    def fact_owner(self) -> str:
        return self.threat_links.owner

    @property
    def fact_owner_column(self) -> InstrumentedAttribute[int]:
        column: InstrumentedAttribute[int] = getattr(self.fact, self.fact_owner)
        return column


def _agreements_with_organization_parties(organization_ids: Collection[int]) -> Select[int]:
    return (
        select(AgreementParty.agreement_id)
        .where(AgreementParty.organization_id.in_(organization_ids))
        .distinct()
    )


def _organization_life(organization: Organization) -> Span:
    return widest(organization.founded_date, organization.ended_date, organization.ended_precision)


def _edition_life(edition: ExerciseEdition) -> Span:
    return Span.of_years(edition.year, edition.year)


def _agreement_life(agreement: Agreement) -> Span:
    """From its signature (or entry into force when unsigned) to its end."""
    starts = [day for day in (agreement.signed_date, agreement.in_force_date) if day is not None]
    return widest(min(starts, default=None), agreement.ended_date, agreement.ended_precision)


def _operation_life(operation: Operation) -> Span:
    return widest(operation.start_date, operation.end_date, operation.end_precision)


def _transfer_life(transfer: Transfer) -> Span:
    """From the order year to the end of the last delivery year; open while deliveries go on
    (as the transfer's ties: `ties.transfer_ties`)."""
    ended = transfer.delivery_status is not DeliveryStatus.ongoing
    last = transfer.last_delivery_year
    return Span(
        date(transfer.order_year, 1, 1),
        date(last + 1, 1, 1) if ended and last is not None else None,
    )


_ENTRIES = (
    Channel(
        name=TieChannel.organization,
        initiative=Organization,
        kind="organization",
        fact=Membership,
        citation=Citation.membership_id,
        threat_links=ThreatLinkTable(organization_threats, "organization"),
        ties=ties.organization_ties,
        lifetime=_organization_life,
    ),
    Channel(
        name=TieChannel.exercise,
        initiative=ExerciseEdition,
        kind="exercise_edition",
        fact=Participation,
        citation=Citation.participation_id,
        threat_links=ThreatLinkTable(edition_threats, "edition"),
        ties=ties.exercise_ties,
        lifetime=_edition_life,
    ),
    Channel(
        name=TieChannel.agreement,
        initiative=Agreement,
        kind="agreement",
        fact=AgreementParty,
        citation=Citation.party_id,
        threat_links=ThreatLinkTable(agreement_threats, "agreement"),
        ties=ties.agreement_ties,
        lifetime=_agreement_life,
        fed_by={TieChannel.organization: _agreements_with_organization_parties},
    ),
    Channel(
        name=TieChannel.operation,
        initiative=Operation,
        kind="operation",
        fact=Contribution,
        citation=Citation.contribution_id,
        threat_links=ThreatLinkTable(operation_threats, "operation"),
        ties=ties.operation_ties,
        lifetime=_operation_life,
    ),
    Channel(
        name=TieChannel.transfer,
        initiative=Transfer,
        kind="transfer",
        fact=TransferParty,
        citation=Citation.transfer_party_id,
        threat_links=ThreatLinkTable(transfer_threats, "transfer"),
        ties=ties.transfer_ties,
        source_role=TransferRole.supplier.value,
        lifetime=_transfer_life,
    ),
)

# The directed channels, and the role of the country a tie of theirs points from.
DIRECTED: dict[TieChannel, str] = {
    entry.name: entry.source_role for entry in _ENTRIES if entry.source_role is not None
}

# In the API's channel order: that of `TieChannel`, and of the entries above.
CHANNELS: dict[TieChannel, Channel] = {entry.name: entry for entry in _ENTRIES}
