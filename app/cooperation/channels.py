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
   below (`symmetric=False` and the `source_role` if the tie has a direction: a supplier
   and a recipient);
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
from typing import Any

from sqlalchemy import Column, Select, Table, select
from sqlalchemy.orm import InstrumentedAttribute

from app.agreements.models import Agreement, AgreementParty, agreement_threats
from app.cooperation import ties
from app.cooperation.models import TieChannel
from app.exercises.models import ExerciseEdition, Participation, edition_threats
from app.operations.models import Contribution, Operation, operation_threats
from app.organizations.models import Membership, Organization, organization_threats
from app.sources.models import Citation
from app.transfers.models import Transfer, TransferParty, TransferRole, transfer_threats

# The initiatives of a channel whose ties change with the given initiatives of another.
Dependents = Callable[[Collection[int]], Select[int]]


@dataclass(frozen=True)
class ThreatLinkTable:
    """The table linking a channel's initiatives to the threats they address."""

    table: Table
    owner: str  # its column naming the initiative
    entity: str  # a link's entity in the audit trail
    key: str  # what names the initiative in a link's snapshot and in messages

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
    # The fact model and its column naming the initiative; the citation column of a fact.
    fact: Any
    fact_owner: str
    citation: InstrumentedAttribute[int | None]
    threat_links: ThreatLinkTable
    # Symmetric: both countries stand in the same relation (members, parties, participants).
    # Otherwise the tie points from the country in `source_role` (a transfer's supplier) to
    # the other: partners, pairs, networks and dyad-years say which way.
    symmetric: bool
    # The pair SELECT of `ties.py` that the derivation inserts into the ties table.
    ties: Callable[[Collection[int] | None], ties.AnySelect]
    # Other channels whose changes change this one's ties (an organization party stands for
    # its members: an agreement's ties change with the organization's memberships).
    fed_by: Mapping[TieChannel, Dependents] = field(default_factory=dict)
    source_role: str | None = None

    def __post_init__(self) -> None:
        if self.symmetric != (self.source_role is None):
            raise ValueError(f"{self.name}: a directed channel, and only one, has a source role")

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


_ENTRIES = (
    Channel(
        name=TieChannel.organization,
        initiative=Organization,
        kind="organization",
        fact=Membership,
        fact_owner="organization_id",
        citation=Citation.membership_id,
        threat_links=ThreatLinkTable(
            organization_threats, "organization_id", "organization_threat", "organization"
        ),
        symmetric=True,
        ties=ties.organization_ties,
    ),
    Channel(
        name=TieChannel.exercise,
        initiative=ExerciseEdition,
        kind="exercise_edition",
        fact=Participation,
        fact_owner="edition_id",
        citation=Citation.participation_id,
        threat_links=ThreatLinkTable(edition_threats, "edition_id", "edition_threat", "edition"),
        symmetric=True,
        ties=ties.exercise_ties,
    ),
    Channel(
        name=TieChannel.agreement,
        initiative=Agreement,
        kind="agreement",
        fact=AgreementParty,
        fact_owner="agreement_id",
        citation=Citation.party_id,
        threat_links=ThreatLinkTable(
            agreement_threats, "agreement_id", "agreement_threat", "agreement"
        ),
        symmetric=True,
        ties=ties.agreement_ties,
        fed_by={TieChannel.organization: _agreements_with_organization_parties},
    ),
    Channel(
        name=TieChannel.operation,
        initiative=Operation,
        kind="operation",
        fact=Contribution,
        fact_owner="operation_id",
        citation=Citation.contribution_id,
        threat_links=ThreatLinkTable(
            operation_threats, "operation_id", "operation_threat", "operation"
        ),
        symmetric=True,
        ties=ties.operation_ties,
    ),
    Channel(
        name=TieChannel.transfer,
        initiative=Transfer,
        kind="transfer",
        fact=TransferParty,
        fact_owner="transfer_id",
        citation=Citation.transfer_party_id,
        threat_links=ThreatLinkTable(
            transfer_threats, "transfer_id", "transfer_threat", "transfer"
        ),
        symmetric=False,
        ties=ties.transfer_ties,
        source_role=TransferRole.supplier.value,
    ),
)

# The directed channels, and the role of the country a tie of theirs points from.
DIRECTED: dict[TieChannel, str] = {
    entry.name: entry.source_role for entry in _ENTRIES if entry.source_role is not None
}

# In the API's channel order: that of `TieChannel`, and of the entries above.
CHANNELS: dict[TieChannel, Channel] = {entry.name: entry for entry in _ENTRIES}
