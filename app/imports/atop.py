"""Alliance Treaty Obligations and Provisions, version 5.1 (Leeds et al.): alliances and members.

What an ATOP alliance becomes (the model: `app.alliances.models`):
- an `Alliance` (atopid, dates, phases, COW ids, military aid, bases, integrated command,
  organization, the states it is directed against) and, per member row, an `AllianceMember`
  with the member's dates and obligations (defense, offense, neutrality, non-aggression,
  consultation);
- its members are tied through the record that stands for the treaty, its carrier: a curated
  agreement or organization named in `seed/data/atop_names.yaml` (the North Atlantic Treaty is
  the organization `nato`, the ANZUS Treaty the agreement `anzus-treaty`...), otherwise an
  agreement the import creates (`atop-1234`), one party per member row. A pair is therefore
  tied once per treaty, never once by the curated record and again by ATOP;
- merged into a curated carrier, a member row is matched to the curated party or membership of
  its state (or to an organization party standing for the state's organization): curated dates
  win, ATOP is cited on that fact as corroboration, and where the dates disagree the member
  row keeps a note naming both sources, listed by the import report. A member the curated
  record lacks is added, cited to ATOP;
- an alliance in which a member promises defense or offense addresses `armed-conflict`; the
  link is dated by the spells that carry those promises.

The files' quirks, and how each is read (see seed/datasets/README.md):
- members are keyed on (atopid, member, entry date): a state has one row per phase and per
  re-entry (NATO's phase 1 ends on 1951-06-19 and phase 2 starts that day), so each row is a
  spell of its own, cited as `atop3180:2:1949-04-04`;
- `yrexit = 0` (and `endyr = 0`) means still in force at the end of the coverage (2018);
- a month or day of 0 is unknown: the date keeps the precision that is known;
- `member` and `statthr1`/`statthr2` are COW state codes, resolved through the COW code
  periods (`CountryResolver.by_cow`) as of the entry date (a 260 in 1955 is the Federal
  Republic, i.e. DEU, as MME's "Federal Republic of Germany" is; 265 is the GDR, 315
  Czechoslovakia); ATOP starts in 1815, COW's state system on 1816-01-01, so an entry of 1815
  resolves as of that day. A member outside the state system on its entry date (a government
  in exile in 1942, Ukraine in 1990, Hanover before 1837: ATOP's `cowsys` 0), and a threat
  state named while out of it (occupied Germany in 1947), is the country that carries the code
  nearest in time, and the report says so; a code no country ever carried is rejected (a
  member) or kept by its code (a threat).
"""

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from importlib.resources import files
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.agreements.models import Agreement, AgreementKind, AgreementParty, PartyRole
from app.agreements.models import agreement_threats as AGREEMENT_THREATS
from app.alliances.models import Alliance, AllianceMember, AllianceTarget
from app.core.periods import DatePrecision, Span
from app.countries.models import Country
from app.curation.changes import curated, deleted_by_curators
from app.curation.writes.agreements import AGREEMENTS
from app.imports.base import DatasetAdapter, DatasetWriter, Progress, SourceRow
from app.imports.countries import CountryResolver
from app.imports.dates import PartialDate, partial_date_from_parts
from app.imports.reading import read_csv_rows, read_yaml
from app.imports.report import ImportFailed, ImportReport, Rejection
from app.organizations.models import Membership, MembershipRole, Organization
from app.organizations.models import organization_threats as ORGANIZATION_THREATS
from app.sources.models import Certainty, Citation
from app.threats.models import ThreatCategory

# What a file of the dataset is, in the message refusing one that is not.
_DATASET = "ATOP 5.1"
SOURCE_ID = "atop-v5-1"
ALLIANCE_FILE = "atop5_1a.csv"
MEMBER_FILE = "atop5_1m.csv"
NAMES_FILE = Path(str(files("seed") / "data" / "atop_names.yaml"))
ARMED_CONFLICT = "armed-conflict"

_ALLIANCE_COLUMNS = (
    "atopid", "cowid", "cow4id", "begyr", "begmo", "begday", "endyr", "endmo", "endday",
    "specthrt", "statthr1", "statthr2", "milaid", "base", "intcom", "organ1", "maxphase",
)  # fmt: skip
_MEMBER_COLUMNS = (
    "atopid", "member", "yrent", "moent", "dayent", "yrexit", "moexit", "dayexit", "phase",
    "defense", "offense", "neutral", "nonagg", "consul",
)  # fmt: skip
# ATOP column -> obligation (the names of `AllianceMember`'s flags).
_OBLIGATION_COLUMNS = {
    "defense": "defense",
    "offense": "offense",
    "neutral": "neutrality",
    "nonagg": "non_aggression",
    "consul": "consultation",
}


# --- the mapping file -------------------------------------------------------------------------


class NameEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    agreement: str | None = None
    organization: str | None = None


@dataclass(frozen=True)
class AtopNames:
    entries: dict[int, NameEntry]

    @classmethod
    def load(cls, path: Path = NAMES_FILE) -> "AtopNames":
        data = read_yaml(path)
        try:
            entries = {
                int(atop_id): NameEntry.model_validate(entry)
                for atop_id, entry in data.get("alliances", {}).items()
            }
        except (ValueError, ValidationError) as error:
            raise ImportFailed(f"{path.name}: {error}") from error
        return cls(entries)


# --- records ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AllianceRecord:
    atop_id: int
    locator: str
    start: PartialDate
    end: PartialDate | None
    phases: int
    cow_id: int | None
    cow4_id: int | None
    military_aid: bool
    bases: bool
    integrated_command: bool
    organization: bool
    targets: tuple[tuple[int, int | None], ...]  # (COW code, country id)


@dataclass(frozen=True)
class MemberRecord:
    atop_id: int
    locator: str
    cow_code: int
    country_id: int
    phase: int
    start: PartialDate
    end: PartialDate | None
    obligations: Mapping[str, bool]

    @property
    def armed(self) -> bool:
        """A promise to fight: defense or offense."""
        return self.obligations["defense"] or self.obligations["offense"]


AtopRecord = AllianceRecord | MemberRecord


def _number(text: str) -> int | None:
    text = text.strip()
    try:
        return int(float(text)) if text else None
    except ValueError:
        return None


def _flag(text: str) -> bool:
    return (_number(text) or 0) > 0


def _date_locator(year: str, month: str, day: str) -> str:
    parts = [_number(part) or 0 for part in (year, month, day)]
    return f"{parts[0]:04d}-{parts[1]:02d}-{parts[2]:02d}"


def _member_locators(rows: Sequence[Mapping[str, str]]) -> list[str]:
    """(atopid, member, entry date), and the phase where that names two rows: when
    Czechoslovakia split on 1993-01-01 its partners got a row for each of the two phases that
    begin that day."""
    keys = [
        f"atop{row['atopid'].strip()}:{row['member'].strip()}:"
        f"{_date_locator(row['yrent'], row['moent'], row['dayent'])}"
        for row in rows
    ]
    counts = Counter(keys)
    return [
        key if counts[key] == 1 else f"{key} (phase {row['phase'].strip()})"
        for key, row in zip(keys, rows, strict=True)
    ]


# COW's state system starts on this day; ATOP's starts in 1815.
_COW_SYSTEM_START = date(1816, 1, 1)


def _nearest_holder(names: CountryResolver, code: int, on: date) -> int | None:
    """The country that carried the COW code on `on`, else the one whose period is nearest to
    it: a state named as a threat while out of the state system (Germany in 1947, Japan in
    1950) is the state that carries its code before or after."""
    found = names.by_cow(code, on)
    if found is not None:
        return found

    def distance(span: Span) -> int:
        if span.start is not None and on < span.start:
            return (span.start - on).days
        return (on - span.end).days if span.end is not None else 0

    periods = names.cow_periods.get(code, [])
    return min(periods, key=lambda period: distance(period[0]))[1] if periods else None


# --- the adapter ------------------------------------------------------------------------------


class AtopAdapter(DatasetAdapter[AtopRecord]):
    """Reads the folder holding `atop5_1a.csv` (alliances) and `atop5_1m.csv` (members)."""

    source_id = SOURCE_ID

    def __init__(self) -> None:
        self.names = AtopNames.load()
        self.alliance_ids: set[int] = set()

    def read(self, path: Path) -> list[SourceRow]:
        if not path.is_dir():
            raise ImportFailed(f"{path} is not a folder: give the folder of {ALLIANCE_FILE}")
        alliances = read_csv_rows(path / ALLIANCE_FILE, _ALLIANCE_COLUMNS, _DATASET)
        members = read_csv_rows(path / MEMBER_FILE, _MEMBER_COLUMNS, _DATASET)
        self.alliance_ids = {n for row in alliances if (n := _number(row["atopid"])) is not None}
        return [
            *(SourceRow(f"atopid {row['atopid'].strip()}", row) for row in alliances),
            *(
                SourceRow(locator, row)
                for locator, row in zip(_member_locators(members), members, strict=True)
            ),
        ]

    def parse(
        self, row: SourceRow, names: CountryResolver, report: ImportReport
    ) -> AtopRecord | Rejection:
        atop_id = _number(row.fields["atopid"])
        if atop_id is None:
            return Rejection(row.locator, "no atopid")
        if "member" in row.fields:
            return self._member(atop_id, row, names, report)
        return self._alliance(atop_id, row, names, report)

    @staticmethod
    def _alliance(
        atop_id: int, row: SourceRow, names: CountryResolver, report: ImportReport
    ) -> AllianceRecord | Rejection:
        fields = row.fields
        start = partial_date_from_parts(fields["begyr"], fields["begmo"], fields["begday"])
        if start is None:
            return Rejection(row.locator, "no start year (begyr)")
        targets: list[tuple[int, int | None]] = []
        for column in ("statthr1", "statthr2"):
            code = _number(fields[column])
            if code and code > 0 and code not in (c for c, _ in targets):
                country_id = _nearest_holder(names, code, start.first_day)
                if country_id is None:
                    report.note(f"threat state COW {code} is no country in defcoop", row.locator)
                targets.append((code, country_id))
        return AllianceRecord(
            atop_id=atop_id,
            locator=row.locator,
            start=start,
            end=partial_date_from_parts(fields["endyr"], fields["endmo"], fields["endday"]),
            phases=max(_number(fields["maxphase"]) or 1, 1),
            cow_id=_number(fields["cowid"]),
            cow4_id=_number(fields["cow4id"]),
            military_aid=_flag(fields["milaid"]),
            bases=_flag(fields["base"]),
            integrated_command=_flag(fields["intcom"]),
            organization=_flag(fields["organ1"]),
            targets=tuple(targets),
        )

    def _member(
        self, atop_id: int, row: SourceRow, names: CountryResolver, report: ImportReport
    ) -> MemberRecord | Rejection:
        fields = row.fields
        if atop_id not in self.alliance_ids:
            return Rejection(row.locator, f"atopid not in {ALLIANCE_FILE}")
        code = _number(fields["member"])
        start = partial_date_from_parts(fields["yrent"], fields["moent"], fields["dayent"])
        if code is None or start is None:
            return Rejection(row.locator, "no member code or no entry year")
        country_id = names.by_cow(code, max(start.first_day, _COW_SYSTEM_START))
        if country_id is None:
            country_id = _nearest_holder(names, code, start.first_day)
            if country_id is None:
                return Rejection(row.locator, "the member's COW code names no country")
            report.note(
                "member outside COW's state system on its entry date: the country that "
                "carries its code nearest in time",
                row.locator,
            )
        end = partial_date_from_parts(fields["yrexit"], fields["moexit"], fields["dayexit"])
        return MemberRecord(
            atop_id=atop_id,
            locator=row.locator,
            cow_code=code,
            country_id=country_id,
            phase=max(_number(fields["phase"]) or 1, 1),
            start=start,
            end=end,
            obligations={
                name: _flag(fields[column]) for column, name in _OBLIGATION_COLUMNS.items()
            },
        )

    def write(
        self, session: Session, records: Sequence[AtopRecord], report: ImportReport,
        progress: Progress,
    ) -> None:  # fmt: skip
        AllianceWriter(session, self.source_id, self.names, report).write(records, progress)


# --- the writer -------------------------------------------------------------------------------


@dataclass
class _Fact:
    """A curated party or membership an ATOP member row can be merged into."""

    id: int
    kind: str  # "party" or "membership"
    start: date | None
    start_precision: DatePrecision | None
    end: date | None
    end_precision: DatePrecision | None
    # An organization party: it stands for the organization's members at the time.
    organization_id: int | None = None


@dataclass
class _Carrier:
    """The record whose facts tie an alliance's members: an agreement or an organization."""

    agreement: Agreement | None
    organization: Organization | None
    imported: bool  # made by this import (one party per member row, nothing to merge)
    facts: dict[int, list[_Fact]] = field(default_factory=lambda: defaultdict(list))

    @property
    def record(self) -> Agreement | Organization:
        record = self.agreement or self.organization
        assert record is not None
        return record

    @property
    def owned_by_curators(self) -> bool:
        return curated(self.record)

    @property
    def start(self) -> date | None:
        if self.agreement is not None:
            return self.agreement.in_force_date or self.agreement.signed_date
        return self.record.founded_date  # type: ignore[union-attr]


def _period(
    fact: AgreementParty | Membership,
) -> tuple[date | None, DatePrecision | None, date | None, DatePrecision | None]:
    return fact.start_date, fact.start_precision, fact.end_date, fact.end_precision


def _span_text(start: date | None, end: date | None) -> str:
    return f"{start or 'unknown'} to {end or 'in force'}"


def _same(a: date | None, a_precision: DatePrecision | None, b: date | None,
          b_precision: DatePrecision | None) -> bool:  # fmt: skip
    """Equal as far as the less precise of the two dates is known."""
    if a is None or b is None:
        return a is b
    precisions = {a_precision, b_precision}
    if DatePrecision.year in precisions:
        return a.year == b.year
    if DatePrecision.month in precisions:
        return (a.year, a.month) == (b.year, b.month)
    return a == b


class AllianceWriter(DatasetWriter):
    """Writes each alliance with its member spells, ties its members through its carrier
    (merged into a curated one where `atop_names.yaml` names it) and dates its armed-conflict
    threat link."""

    def __init__(
        self, session: Session, source_id: str, names: AtopNames, report: ImportReport
    ) -> None:
        super().__init__(session, source_id, report)
        self.names = names
        self.alliances: dict[int, Alliance] = {
            alliance.atop_id: alliance for alliance in session.scalars(select(Alliance))
        }
        self.member_locators: set[str] = set(session.scalars(select(AllianceMember.locator)))
        self.deleted_slugs = {
            slug for _, slug in deleted_by_curators(session, (AGREEMENTS.entity,))
        }
        self.carriers: dict[int, _Carrier] = {}
        self.cited: set[tuple[str, str]] = set()

    def write(self, records: Sequence[AtopRecord], progress: Progress) -> None:
        alliances = [r for r in records if isinstance(r, AllianceRecord)]
        members: defaultdict[int, list[MemberRecord]] = defaultdict(list)
        for record in records:
            if isinstance(record, MemberRecord):
                members[record.atop_id].append(record)
        for alliance in alliances:
            self._alliance(alliance, members[alliance.atop_id])
        progress(len(alliances))
        self.session.flush()
        threat = self.session.scalar(
            select(ThreatCategory.id).where(ThreatCategory.slug == ARMED_CONFLICT)
        )
        if threat is None:
            raise ImportFailed(f"the threat category {ARMED_CONFLICT!r} is not in the database")
        for atop_id in members.keys() - {alliance.atop_id for alliance in alliances}:
            self.report.rejected.extend(
                Rejection(spell.locator, "its alliance's row was rejected")
                for spell in members[atop_id]
            )
        matched: defaultdict[tuple[str, int], list[tuple[MemberRecord, AllianceMember]]] = (
            defaultdict(list)
        )
        with self.session.no_autoflush:
            for alliance in alliances:
                spells = members[alliance.atop_id]
                carrier = self.carriers.get(alliance.atop_id)
                if carrier is None:
                    self.report.left_to_curators += len(spells)
                else:
                    self._members(self.alliances[alliance.atop_id], carrier, spells, matched)
                progress(len(spells))
        self.session.flush()
        for (kind, fact_id), merged in matched.items():
            self._corroborate(kind, fact_id, merged)
        self._threat_links(alliances, members, threat)
        self.session.flush()

    # --- alliances ----------------------------------------------------------------------

    def _alliance(self, record: AllianceRecord, spells: Sequence[MemberRecord]) -> None:
        existing = self.alliances.get(record.atop_id)
        if existing is not None:
            carrier = self._existing_carrier(existing)
            if carrier is None or carrier.owned_by_curators:
                self.report.left_to_curators += 1
                return
            self.report.already_imported += 1
            self.carriers[record.atop_id] = carrier
            return
        entry = self.names.entries.get(record.atop_id)
        carrier = self._curated_carrier(record, entry)
        if carrier is None:
            slug = f"atop-{record.atop_id}"
            if slug in self.deleted_slugs:
                self.report.left_to_curators += 1
                return
            carrier = _Carrier(self._new_agreement(record, entry, slug, spells), None, True)
            self.report.created += 1
        else:
            self.report.merged += 1
            self._cite(carrier.record, record.locator)
        alliance = Alliance(
            atop_id=record.atop_id,
            slug=f"atop-{record.atop_id}",
            name=carrier.record.name,
            name_is_label=entry is None and carrier.imported,
            agreement=carrier.agreement,
            created_organization=carrier.organization
            if carrier.organization is not None
            else self._organization(entry),
            start_date=record.start.first_day,
            start_precision=record.start.precision,
            end_date=record.end.first_day if record.end else None,
            end_precision=record.end.precision if record.end else None,
            phases=record.phases,
            cow_id=record.cow_id,
            cow4_id=record.cow4_id,
            military_aid=record.military_aid,
            bases=record.bases,
            integrated_command=record.integrated_command,
            organization=record.organization,
            locator=record.locator,
            targets=[AllianceTarget(cow_code=c, country_id=i) for c, i in record.targets],
        )
        self.session.add(alliance)
        self.alliances[record.atop_id] = alliance
        self.carriers[record.atop_id] = carrier
        self.report.written["alliances"] += 1

    def _organization(self, entry: NameEntry | None) -> Organization | None:
        if entry is None or entry.organization is None:
            return None
        organization = self.session.scalar(
            select(Organization).where(Organization.slug == entry.organization)
        )
        if organization is None:
            raise ImportFailed(
                f"atop_names.yaml names an unknown organization {entry.organization!r}"
            )
        return organization

    def _curated_carrier(self, record: AllianceRecord, entry: NameEntry | None) -> _Carrier | None:
        if entry is None or (entry.agreement is None and entry.organization is None):
            return None
        if entry.agreement is not None:
            agreement = self.session.scalar(
                select(Agreement).where(Agreement.slug == entry.agreement)
            )
            if agreement is None:
                raise ImportFailed(
                    f"atop_names.yaml: ATOP {record.atop_id} names an unknown agreement "
                    f"{entry.agreement!r}"
                )
            return self._load_facts(_Carrier(agreement, None, False))
        return self._load_facts(_Carrier(None, self._organization(entry), False))

    def _existing_carrier(self, alliance: Alliance) -> _Carrier | None:
        if alliance.agreement_id is not None:
            agreement = self.session.get(Agreement, alliance.agreement_id)
            assert agreement is not None
            imported = agreement.slug == alliance.slug
            carrier = _Carrier(agreement, None, imported)
        elif alliance.organization_id is not None:
            carrier = _Carrier(
                None, self.session.get(Organization, alliance.organization_id), False
            )
        else:
            return None  # its agreement was deleted by curators
        return carrier if carrier.imported else self._load_facts(carrier)

    def _load_facts(self, carrier: _Carrier) -> _Carrier:
        """The curated parties or memberships of the carrier, by country."""
        if carrier.agreement is not None:
            parties = self.session.scalars(
                select(AgreementParty).where(AgreementParty.agreement_id == carrier.agreement.id)
            )
            for party in parties:
                carrier.facts[party.country_id or 0].append(
                    _Fact(party.id, "party", *_period(party), party.organization_id)
                )
            organization_ids = [f.organization_id for f in carrier.facts[0] if f.organization_id]
            for membership in self._memberships(organization_ids):
                for fact in carrier.facts[0]:
                    if fact.organization_id == membership.organization_id:
                        carrier.facts[membership.country_id].append(
                            _Fact(
                                fact.id,
                                "organization party",
                                *_period(membership),
                                fact.organization_id,
                            )
                        )
        else:
            for membership in self._memberships([carrier.record.id]):
                carrier.facts[membership.country_id].append(
                    _Fact(membership.id, "membership", *_period(membership))
                )
        return carrier

    def _memberships(self, organization_ids: Iterable[int]) -> Sequence[Membership]:
        return self.session.scalars(
            select(Membership)
            .where(
                Membership.organization_id.in_(list(organization_ids)),
                Membership.role == MembershipRole.member,
            )
            .order_by(Membership.start_date)
        ).all()

    def _new_agreement(
        self, record: AllianceRecord, entry: NameEntry | None, slug: str,
        spells: Sequence[MemberRecord],
    ) -> Agreement:  # fmt: skip
        agreement = Agreement(
            slug=slug,
            name=entry.name if entry else f"ATOP {record.atop_id}",
            kind=AgreementKind.defense_treaty,
            signed_date=record.start.first_day,
            signed_precision=record.start.precision,
            ended_date=record.end.first_day if record.end else None,
            ended_precision=record.end.precision if record.end else None,
            description=(
                f"An alliance of {len({s.country_id for s in spells})} states coded by ATOP 5.1 "
                f"(atopid {record.atop_id}); its members' obligations: /v1/alliances/{slug}."
            ),
            certainty=Certainty.confirmed,
            citations=[Citation(source_id=self.source_id, locator=record.locator)],
        )
        self.session.add(agreement)
        self.report.written["agreements"] += 1
        return agreement

    def _cite(self, record: Agreement | Organization | AgreementParty | Membership,
              locator: str) -> None:  # fmt: skip
        """ATOP as corroboration of a curated record, once per row (unless curators own it)."""
        key = (f"{type(record).__name__} {record.id}", locator)
        if key in self.cited:
            return
        self.cited.add(key)
        target = {
            Agreement: "agreement_id",
            Organization: "organization_id",
            AgreementParty: "party_id",
            Membership: "membership_id",
        }[type(record)]
        exists = self.session.scalar(
            select(Citation.id).where(
                getattr(Citation, target) == record.id,
                Citation.source_id == self.source_id,
                Citation.locator == locator,
            )
        )
        if exists is None:
            self.session.add(
                Citation(source_id=self.source_id, locator=locator, **{target: record.id})
            )
            self.report.written["citations"] += 1

    # --- members ------------------------------------------------------------------------

    def _members(
        self, alliance: Alliance, carrier: _Carrier, spells: Sequence[MemberRecord],
        matched: defaultdict[tuple[str, int], list[tuple[MemberRecord, AllianceMember]]],
    ) -> None:  # fmt: skip
        for spell in spells:
            if spell.locator in self.member_locators:
                self.report.already_imported += 1
                continue
            if carrier.owned_by_curators:
                self.report.left_to_curators += 1
                continue
            fact = None if carrier.imported else self._match(carrier, spell)
            member = AllianceMember(
                alliance=alliance,
                country_id=spell.country_id,
                cow_code=spell.cow_code,
                phase=spell.phase,
                start_date=spell.start.first_day,
                start_precision=spell.start.precision,
                end_date=spell.end.first_day if spell.end else None,
                end_precision=spell.end.precision if spell.end else None,
                locator=spell.locator,
                **spell.obligations,
            )
            if fact is None and self._before_organization(carrier, spell):
                # The Shanghai Five's spells of 1996-2001 are not SCO memberships: the spell
                # is kept, with no tie.
                self.report.note(
                    "spell ends before the curated organization was founded: kept, no tie",
                    spell.locator,
                )
                self.report.created += 1
            elif fact is None:
                self._new_fact(carrier, spell, member)
                self.report.created += 1
            else:
                if fact.kind == "membership":
                    member.membership_id = fact.id
                else:
                    member.party_id = fact.id
                if fact.kind != "organization party":
                    matched[(fact.kind, fact.id)].append((spell, member))
                self.report.merged += 1
            self.session.add(member)
            self.member_locators.add(spell.locator)
            self.report.written["alliance_members"] += 1

    def _corroborate(
        self, kind: str, fact_id: int, merged: Sequence[tuple[MemberRecord, AllianceMember]]
    ) -> None:
        """ATOP cited on the curated fact its rows merged into; the dates compared."""
        record: AgreementParty | Membership | None = (
            self.session.get(AgreementParty, fact_id)
            if kind == "party"
            else self.session.get(Membership, fact_id)
        )
        assert record is not None
        for spell, _ in merged:
            self._cite(record, spell.locator)
        alliance = merged[0][1].alliance
        carrier = self.carriers[alliance.atop_id]
        self._compare(alliance, carrier, record, merged)

    @staticmethod
    def _before_organization(carrier: _Carrier, spell: MemberRecord) -> bool:
        """The spell ended before the carrier organization existed."""
        founded = carrier.organization.founded_date if carrier.organization else None
        return founded is not None and spell.end is not None and spell.end.first_day <= founded

    @staticmethod
    def _match(carrier: _Carrier, spell: MemberRecord) -> _Fact | None:
        """The curated fact of the member's state whose period overlaps the spell; none: the
        spell is a membership the curated record lacks (a re-entry, an earlier period)."""
        spell_end = spell.end.first_day if spell.end else date.max
        for fact in carrier.facts.get(spell.country_id, []):
            if (fact.start is None or fact.start < spell_end) and (
                fact.end is None or fact.end > spell.start.first_day
            ):
                return fact
        return None

    def _new_fact(self, carrier: _Carrier, spell: MemberRecord, member: AllianceMember) -> None:
        citation = Citation(source_id=self.source_id, locator=spell.locator)
        dates = {
            "start_date": spell.start.first_day,
            "start_precision": spell.start.precision,
            "end_date": spell.end.first_day if spell.end else None,
            "end_precision": spell.end.precision if spell.end else None,
        }
        if carrier.agreement is not None:
            member.party = AgreementParty(
                agreement=carrier.agreement, country_id=spell.country_id, role=PartyRole.party,
                certainty=Certainty.confirmed, citations=[citation], **dates,
            )  # fmt: skip
            self.report.written["agreement_parties"] += 1
        else:
            member.membership = Membership(
                organization_id=carrier.record.id, country_id=spell.country_id,
                role=MembershipRole.member, certainty=Certainty.confirmed,
                citations=[citation], **dates,
            )  # fmt: skip
            self.report.written["memberships"] += 1

    def _compare(self, alliance: Alliance, carrier: _Carrier,
                 record: AgreementParty | Membership,
                 merged: Sequence[tuple[MemberRecord, AllianceMember]]) -> None:  # fmt: skip
        """Curated dates win; where ATOP's differ, a note on the member row and the report."""
        spells = [spell for spell, _ in merged]
        first, first_row = min(merged, key=lambda pair: pair[0].start.first_day)
        last_ends = [s.end for s in spells]
        atop_end = None if None in last_ends else max(last_ends, key=lambda e: e.first_day)  # type: ignore[union-attr]
        start, start_precision = record.start_date, record.start_precision
        if start is None:  # a party without dates is bound from the agreement's start
            start, start_precision = carrier.start, DatePrecision.day
        same_start = _same(start, start_precision, first.start.first_day, first.start.precision)
        # ATOP's coverage ends in 2018: a curated end after it does not disagree.
        atop_open = atop_end is None
        curated_end = record.end_date
        same_end = (
            _same(curated_end, record.end_precision, atop_end.first_day, atop_end.precision)
            if atop_end is not None and curated_end is not None
            else atop_open and (curated_end is None or curated_end.year > 2018)
        )
        if same_start and same_end:
            return
        cited_by = (
            Citation.party_id if isinstance(record, AgreementParty) else Citation.membership_id
        )
        sources = sorted(
            set(
                self.session.scalars(
                    select(Citation.source_id).where(
                        cited_by == record.id, Citation.source_id != self.source_id
                    )
                )
            )
        ) or [f"the curated {carrier.record.slug}"]
        iso3 = self._iso3(record.country_id)  # type: ignore[arg-type]
        atop_span = _span_text(first.start.first_day, atop_end.first_day if atop_end else None)
        message = (
            f"{alliance.name}, {iso3}: curated {_span_text(start, curated_end)} "
            f"({', '.join(sources)}) stands; ATOP 5.1 gives {atop_span}"
        )
        first_row.note = message[:2000]
        self.report.note(f"curated dates stand over ATOP's: {message}", first.locator)

    def _iso3(self, country_id: int) -> str:
        country = self.session.get(Country, country_id)
        return country.iso3 if country else str(country_id)

    # --- threats ------------------------------------------------------------------------

    def _threat_links(
        self, alliances: Sequence[AllianceRecord],
        members: Mapping[int, Sequence[MemberRecord]], threat_id: int,
    ) -> None:  # fmt: skip
        """A defense or offense promise addresses armed conflict, while the promise holds: the
        carrier is linked to `armed-conflict` for the span of the spells that promise it,
        unless it is linked already (a curated link stays as curators dated it)."""
        tables = {"agreement_id": AGREEMENT_THREATS, "organization_id": ORGANIZATION_THREATS}
        linked = {
            (owner, row_id)
            for owner, table in tables.items()
            for row_id in self.session.scalars(
                select(table.c[owner]).where(table.c.threat_id == threat_id)
            )
        }
        rows: defaultdict[str, list[dict[str, Any]]] = defaultdict(list)
        for record in alliances:
            carrier = self.carriers.get(record.atop_id)
            armed = [spell for spell in members.get(record.atop_id, []) if spell.armed]
            if carrier is None or not armed or carrier.owned_by_curators:
                continue
            owner = "agreement_id" if carrier.agreement is not None else "organization_id"
            if (owner, carrier.record.id) in linked:
                continue
            linked.add((owner, carrier.record.id))
            start = min(armed, key=lambda s: s.start.first_day).start
            ends = [spell.end for spell in armed]
            end = None if None in ends else max(ends, key=lambda e: e.first_day)  # type: ignore[union-attr]
            rows[owner].append(
                {
                    owner: carrier.record.id,
                    "threat_id": threat_id,
                    "start_date": start.first_day,
                    "start_precision": start.precision,
                    "end_date": end.first_day if end else None,
                    "end_precision": end.precision if end else None,
                    "source_id": self.source_id,
                    "locator": f"{record.locator}: defense or offense obligations",
                }
            )
        for owner, owner_rows in rows.items():
            self.insert_rows(tables[owner], owner_rows)
