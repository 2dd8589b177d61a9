"""Correlates of War IGO v3 (Pevehouse et al. 2020): security IGOs' yearly rows as memberships.

The file has one row per IGO per year (19,335 rows, 534 IGOs, 1816-2014) and one column per
state, named by its COW short name (`usa`, `wgermany`), mapped to a COW code through
`seed/datasets/cow-states-2016/states2016.csv` and to a country through the COW code valid
that year (`CountryResolver.by_cow`). How each part is read (see seed/datasets/README.md):

- Which IGOs: only those `seed/data/cow_igo_security.yaml` lists, each with why it counts as
  defense or security cooperation; every row of another IGO is rejected with a reason (not a
  security IGO, left out, or before the year the IGO became a security body).
- Cells: 1 full member (`member`), 2 associate (`associate`), 3 observer (`observer`), 0 not a
  member; -9 missing; COW's -1 (not a state that year) is an empty cell in this conversion.
- Spells: a country's consecutive years in one role form one membership, at year precision:
  from January 1 of its first year to January 1 of the year after its last (exclusive), so it
  covers every year COW records it; a spell reaching the IGO's last year ends with the IGO
  (its `deaddate` year), and one still running in 2014, the file's last year, stays open.
  Columns that stand for one country in turn (`wgermany` then `germany`) form one spell.
- A year's code is the country it stands for at the year's end (the CIS of 1991 is Russia's),
  except in the IGO's last year, read at its start (the Warsaw Pact of 1991 is the USSR's);
  where the code names no country on that day, the other end of the year is tried.
- -9 is unknown, not a gap: years coded -9 between two years in the same role continue the
  spell (noted on it); -9 at a spell's edge leaves the spell to the years COW knows (noted).
  An empty cell (not a state) is a gap: the state did not exist.
- Before 1965 COW observed membership every five years; the file fills the years between
  (rows with `imputed` = 1) by carrying the earlier observation forward unless COW knew the
  year a state joined or left. Those rows are read as published: a state present in 1950
  and 1955 is a member 1950-1955; a state present in 1955 but not in 1950 is a member from
  1955 (COW's filled rows say 0 for 1951-1954), and the spell says its date is within five
  years where COW's `accuracyofpre1965membershipdates` says so.
- Curated organizations (`nato`, `asean` ...) keep their memberships: a spell overlapping a
  curated membership of the same country and role is cited on it (locator: IGO, column and
  years), and where its years differ, the citation's note says what COW says instead (the
  curated dates stand). A spell with no curated counterpart is created and noted; a curated
  membership that COW does not list in the years it covers gets a citation saying so. The
  importer reports each disagreement.
- Curators come first: an organization curators changed or deleted through the write API is
  left alone, with all its rows.
"""

import csv
import gzip
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from importlib.resources import files
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, select, update
from sqlalchemy.orm import Session

from app.core.periods import DatePrecision
from app.curation.changes import curated, deleted_by_curators
from app.curation.writes.organizations import ORGANIZATIONS
from app.imports.base import CITATIONS, DatasetAdapter, DatasetWriter, Progress, SourceRow
from app.imports.countries import CountryResolver
from app.imports.reading import read_yaml
from app.imports.report import ImportFailed, ImportReport, Rejection
from app.organizations.models import (
    Membership,
    MembershipRole,
    Organization,
    OrganizationKind,
    organization_threats,
)
from app.sources.models import Certainty, Citation
from app.threats.models import ThreatCategory

SOURCE_ID = "cow-igo-3"
MAPPING_FILE = Path(str(files("seed") / "data" / "cow_igo_security.yaml"))
STATES_FILE = Path(str(files("seed") / "datasets" / "cow-states-2016" / "states2016.csv"))
LAST_YEAR = 2014  # the file's last year: a spell running then is still running
NOT_SECURITY = "not a security IGO (see seed/data/cow_igo_security.yaml)"

_ROLES = {"1": MembershipRole.member, "2": MembershipRole.associate, "3": MembershipRole.observer}
_MISSING = "-9"
_FIVE_YEARS = "Within 5 years"
_FIRST_STATE_COLUMN = "year"  # state columns run from after `year` to before `sdate`
_END_OF_STATES = "sdate"
_REQUIRED_COLUMNS = ("ioname", "orgname", "year", "sdate", "deaddate")
_ACCURACY = "accuracyofpre1965membershipdates"
MEMBERSHIPS = cast(Table, Membership.__table__)
ORGANIZATIONS_TABLE = cast(Table, Organization.__table__)


# --- the mapping file ----------------------------------------------------------------------


@dataclass(frozen=True)
class ThreatLinkSpec:
    threat: str
    start: int | None = None  # a year; None: the organization's first year
    why: str | None = None


@dataclass(frozen=True)
class NewOrganization:
    name: str
    acronym: str | None
    kind: OrganizationKind
    description: str
    threats: tuple[ThreatLinkSpec, ...]


@dataclass(frozen=True)
class SecurityIgo:
    ioname: str
    slug: str
    why: str
    from_year: int | None = None
    before_why: str | None = None
    create: NewOrganization | None = None  # None: merge with the curated organization


@dataclass(frozen=True)
class IgoMapping:
    igos: dict[str, SecurityIgo]
    left_out: dict[str, str]  # ioname -> why it is not imported

    @classmethod
    def load(cls, path: Path = MAPPING_FILE) -> "IgoMapping":
        try:
            data = read_yaml(path)
            igos = {entry["ioname"]: _security_igo(entry) for entry in data["organizations"]}
        except (KeyError, TypeError, ValueError) as error:
            raise ImportFailed(f"{path.name}: {error}") from error
        left_out = {str(k): str(v) for k, v in (data.get("left_out") or {}).items()}
        both = sorted(igos.keys() & left_out.keys())
        if both:
            raise ImportFailed(f"{path.name}: IGOs both imported and left out: {both}")
        return cls(igos, left_out)

    def rejection(self, ioname: str, year: int) -> str | None:
        """Why a row is not imported, or None."""
        igo = self.igos.get(ioname)
        if igo is None:
            why = self.left_out.get(ioname)
            return f"left out: {why}" if why else NOT_SECURITY
        if igo.from_year is not None and year < igo.from_year:
            return igo.before_why or f"before {igo.from_year}"
        return None


def _security_igo(entry: dict[str, Any]) -> SecurityIgo:
    create = entry.get("create")
    return SecurityIgo(
        ioname=entry["ioname"],
        slug=entry["slug"],
        why=entry["why"],
        from_year=entry.get("from_year"),
        before_why=entry.get("before_why"),
        create=NewOrganization(
            name=create["name"],
            acronym=create.get("acronym"),
            kind=OrganizationKind(create["kind"]),
            description=create["description"],
            threats=tuple(ThreatLinkSpec(**link) for link in create.get("threats", [])),
        )
        if create
        else None,
    )


def state_codes(path: Path = STATES_FILE) -> dict[str, int]:
    """COW short name (the IGO file's column) -> COW state code."""
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["state"]: int(row["ccode"]) for row in csv.DictReader(handle)}


# --- one row -------------------------------------------------------------------------------


@dataclass(frozen=True)
class IgoYear:
    """One IGO-year row: who holds which role, and which columns COW has no data for."""

    locator: str  # "NATO 1980"
    ioname: str
    year: int
    roles: dict[str, tuple[int, MembershipRole]]  # column -> (country id, role)
    missing: frozenset[str]  # columns coded -9
    within_five_years: bool  # COW: pre-1965 dates of this IGO are within 5 years
    dead_year: int | None  # the IGO's `deaddate`


def _number(text: str) -> int | None:
    try:
        return int(float(text))
    except ValueError:
        return None


def _code(cell: str) -> str:
    """'1.0' -> '1', '-9.0' -> '-9', '' -> ''."""
    number = _number(cell)
    return "" if number is None else str(number)


class CowIgoAdapter(DatasetAdapter[IgoYear]):
    source_id = SOURCE_ID

    def __init__(self) -> None:
        self.mapping = IgoMapping.load()
        self.codes = state_codes()
        self.state_columns: list[str] = []

    def read(self, path: Path) -> list[SourceRow]:
        try:
            with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
                reader = csv.reader(handle)
                header = next(reader, [])
                self._check_columns(path, header)
                rows = [dict(zip(header, row, strict=False)) for row in reader]
        except (OSError, EOFError, UnicodeDecodeError, csv.Error) as error:
            raise ImportFailed(f"{path.name} cannot be read as gzip CSV: {error}") from error
        return [SourceRow(f"{row['ioname']} {_number(row['year'])}", row) for row in rows]

    def _check_columns(self, path: Path, header: Sequence[str]) -> None:
        missing = [column for column in _REQUIRED_COLUMNS if column not in header]
        if missing:
            raise ImportFailed(f"{path.name} is not COW IGO v3: it lacks the columns {missing}")
        self.state_columns = list(
            header[header.index(_FIRST_STATE_COLUMN) + 1 : header.index(_END_OF_STATES)]
        )
        unknown = [column for column in self.state_columns if column not in self.codes]
        if unknown:
            raise ImportFailed(f"{path.name}: state columns with no COW code: {unknown}")

    def parse(
        self, row: SourceRow, names: CountryResolver, report: ImportReport
    ) -> IgoYear | Rejection:
        fields = row.fields
        ioname, year = fields["ioname"].strip(), _number(fields["year"])
        if not ioname or year is None:
            return Rejection(row.locator, "no IGO name or no year")
        why_not = self.mapping.rejection(ioname, year)
        if why_not is not None:
            return Rejection(row.locator, why_not)
        dead_year = _number(fields["deaddate"])
        # The code's country at the year's end, but at its start in the IGO's last year.
        days = [date(year, 12, 31), date(year, 1, 1)]
        if year == dead_year:
            days.reverse()
        roles: dict[str, tuple[int, MembershipRole]] = {}
        missing = set()
        for column in self.state_columns:
            code = _code(fields.get(column, ""))
            if code == _MISSING:
                missing.add(column)
            role = _ROLES.get(code)
            if role is None:
                continue
            ccode = self.codes[column]
            country_id = next(
                (found for day in days if (found := names.by_cow(ccode, day)) is not None), None
            )
            if country_id is None:
                report.unresolved_name(f"{column} (COW {ccode})", row.locator)
                continue
            roles[column] = (country_id, role)
        return IgoYear(
            locator=row.locator,
            ioname=ioname,
            year=year,
            roles=roles,
            missing=frozenset(missing),
            within_five_years=fields.get(_ACCURACY, "").strip() == _FIVE_YEARS,
            dead_year=dead_year,
        )

    def write(
        self, session: Session, records: Sequence[IgoYear], report: ImportReport, progress: Progress
    ) -> None:
        IgoWriter(session, self.mapping, report).write(records, progress)


# --- spells --------------------------------------------------------------------------------


@dataclass
class Spell:
    """Consecutive years of one country in one role in one IGO."""

    country_id: int
    role: MembershipRole
    years: list[int]
    columns: dict[str, list[int]] = field(default_factory=dict)  # column -> its years
    bridged: list[int] = field(default_factory=list)  # -9 years read as continuing
    unknown_after: list[int] = field(default_factory=list)  # -9 years right after the spell
    within_five_years: bool = False
    end_year: int | None = None  # exclusive; None: still running in 2014

    @property
    def first(self) -> int:
        return self.years[0]

    def locator(self, ioname: str) -> str:
        spans = "; ".join(
            f"{column} {_span(years[0], years[-1])}" for column, years in self.columns.items()
        )
        return f"{ioname}: {spans}"

    def period(self) -> str:
        return f"{self.first}-{self.end_year - 1}" if self.end_year else f"from {self.first}"


def _span(first: int, last: int) -> str:
    return str(first) if first == last else f"{first}-{last}"


def _runs(years: Iterable[int]) -> list[list[int]]:
    runs: list[list[int]] = []
    for year in sorted(years):
        if runs and year == runs[-1][-1] + 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    return runs


def build_spells(rows: Sequence[IgoYear]) -> list[Spell]:
    """The membership spells of one IGO's rows (sorted by year), -9 years bridged."""
    by_year = {row.year: row for row in rows}
    held: dict[tuple[int, MembershipRole], dict[int, str]] = defaultdict(dict)
    bridged: set[tuple[int, MembershipRole, int]] = set()
    missing_years: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        for column, (country_id, role) in row.roles.items():
            held[(country_id, role)][row.year] = column
        for column in row.missing:
            missing_years[column].append(row.year)
    unknown: dict[str, list[list[int]]] = {c: _runs(ys) for c, ys in missing_years.items()}
    for column, stretches in unknown.items():
        for stretch in stretches:
            before = by_year.get(stretch[0] - 1)
            after = by_year.get(stretch[-1] + 1)
            held_before = before.roles.get(column) if before else None
            if (
                held_before is not None
                and after is not None
                and after.roles.get(column) == held_before
            ):
                country_id, role = held_before
                for year in stretch:
                    held[(country_id, role)][year] = column
                    bridged.add((country_id, role, year))
    last_year = max(by_year)
    dead_year = rows[-1].dead_year
    spells = []
    for (country_id, role), years in held.items():
        for run in _runs(years):
            spell = Spell(country_id, role, run)
            for year in run:
                spell.columns.setdefault(years[year], []).append(year)
                if (country_id, role, year) in bridged:
                    spell.bridged.append(year)
            last_column = years[run[-1]]
            spell.unknown_after = next(
                (stretch for stretch in unknown.get(last_column, []) if stretch[0] == run[-1] + 1),
                [],
            )
            spell.within_five_years = by_year[run[0]].within_five_years and (
                run[0] < 1965 or run[-1] < 1965
            )
            if run[-1] == last_year and dead_year is None and last_year == LAST_YEAR:
                spell.end_year = None
            elif run[-1] == last_year and dead_year is not None:
                spell.end_year = max(dead_year, run[0] + 1)
            else:
                spell.end_year = run[-1] + 1
            spells.append(spell)
    spells.sort(key=lambda s: (s.country_id, s.role, s.first))
    return spells


def _spell_note(spell: Spell) -> str | None:
    parts = []
    if spell.bridged:
        parts.append(f"COW IGO v3 has no data (-9) for {_years(spell.bridged)}: read as continuing")
    if spell.unknown_after:
        parts.append(
            f"COW IGO v3 has no data (-9) for {_years(spell.unknown_after)}: "
            "the membership may have lasted into those years"
        )
    if spell.within_five_years:
        parts.append(
            "before 1965 COW observed membership every five years: dates within five years"
        )
    if spell.end_year is None:
        parts.append(f"COW IGO v3 ends in {LAST_YEAR}: still held then")
    return "; ".join(parts) or None


def _years(years: Sequence[int]) -> str:
    return ", ".join(_span(run[0], run[-1]) for run in _runs(years))


# --- writing -------------------------------------------------------------------------------


@dataclass
class _Membership:
    id: int
    country_id: int
    role: MembershipRole
    start: date | None
    end: date | None


def _year_start(year: int | None) -> date | None:
    return date(year, 1, 1) if year is not None else None


def _overlaps(membership: _Membership, spell: Spell) -> bool:
    start, end = _year_start(spell.first), _year_start(spell.end_year)
    return (membership.end is None or start is None or start < membership.end) and (
        end is None or membership.start is None or membership.start < end
    )


def _curated_period(membership: _Membership) -> str:
    start = membership.start.isoformat() if membership.start else "unknown start"
    end = membership.end.isoformat() if membership.end else "open"
    return f"{start} to {end}"


class IgoWriter(DatasetWriter):
    """Creates or finds each IGO's organization, then its memberships, merging with curated
    ones; every row of an IGO shares its organization's outcome on the report."""

    def __init__(self, session: Session, mapping: IgoMapping, report: ImportReport) -> None:
        super().__init__(session, SOURCE_ID, report)
        self.mapping = mapping
        self.threat_ids: dict[str, int] = dict(
            session.execute(select(ThreatCategory.slug, ThreatCategory.id)).all()
        )
        self.organizations: dict[str, tuple[int, int]] = {
            slug: (organization_id, version)
            for organization_id, slug, version in session.execute(
                select(Organization.id, Organization.slug, Organization.modified_in_version)
            )
        }
        self.deleted = {
            key for entity, key in deleted_by_curators(session, (ORGANIZATIONS.entity,))
        }
        self.cited_organizations = {
            organization_id for _, organization_id in self.cited_rows("organization_id")
        }
        self.citations: list[dict[str, Any]] = []

    def write(self, records: Sequence[IgoYear], progress: Progress) -> None:
        self._check_threats()
        by_igo: dict[str, list[IgoYear]] = defaultdict(list)
        for record in records:
            by_igo[record.ioname].append(record)
        for ioname, rows in by_igo.items():
            rows.sort(key=lambda row: row.year)
            self._write_igo(self.mapping.igos[ioname], rows)
            progress(len(rows))
        self.insert_rows(CITATIONS, self.citations)

    def _check_threats(self) -> None:
        wanted = {
            link.threat
            for igo in self.mapping.igos.values()
            if igo.create
            for link in igo.create.threats
        }
        unknown = sorted(wanted - self.threat_ids.keys())
        if unknown:
            raise ImportFailed(f"unknown threat categories in the mapping: {unknown}")

    def _write_igo(self, igo: SecurityIgo, rows: list[IgoYear]) -> None:
        found = self.organizations.get(igo.slug)
        if found is None and igo.slug in self.deleted:
            self.report.left_to_curators += len(rows)
            return
        if found is None:
            if igo.create is None:
                raise ImportFailed(
                    f"{igo.ioname} merges with {igo.slug!r}, which is not in the database: "
                    "run `defcoop seed`"
                )
            organization_id = self._create_organization(igo, igo.create, rows)
            self.report.created += len(rows)
        else:
            organization_id, version = found
            if curated(version):
                self.report.left_to_curators += len(rows)
                return
            if organization_id in self.cited_organizations:
                self.report.already_imported += len(rows)
            elif igo.create is None:
                self.report.merged += len(rows)
                self.cite(organization_id=organization_id, locator=igo.ioname)
            else:  # created by this import, its citation lost: cite it again
                self.report.created += len(rows)
                self.cite(organization_id=organization_id, locator=igo.ioname)
        spells = build_spells(rows)
        MembershipMerge(self, igo, organization_id, rows).apply(spells)

    def _create_organization(
        self, igo: SecurityIgo, spec: NewOrganization, rows: list[IgoYear]
    ) -> int:
        first = rows[0].year
        dead = rows[-1].dead_year
        self.insert_rows(
            ORGANIZATIONS_TABLE,
            [
                {
                    "slug": igo.slug,
                    "name": spec.name,
                    "acronym": spec.acronym,
                    "kind": spec.kind,
                    "founded_date": date(first, 1, 1),
                    "founded_precision": DatePrecision.year,
                    "ended_date": _year_start(dead),
                    "ended_precision": DatePrecision.year if dead else None,
                    "universal": False,
                    "description": spec.description,
                    "modified_in_version": 0,
                }
            ],
        )
        organization_id = self.session.scalars(
            select(Organization.id).where(Organization.slug == igo.slug)
        ).one()
        self.organizations[igo.slug] = (organization_id, 0)
        self.cite(organization_id=organization_id, locator=igo.ioname)
        self.insert_rows(
            organization_threats,
            [
                {
                    "organization_id": organization_id,
                    "threat_id": self.threat_ids[link.threat],
                    "start_date": date(link.start or first, 1, 1),
                    "start_precision": DatePrecision.year,
                    "end_date": _year_start(dead),
                    "end_precision": DatePrecision.year if dead else None,
                    "source_id": self.source_id,
                    "locator": f"{igo.ioname} {_span(link.start or first, dead or LAST_YEAR)}"
                    f" (seed/data/cow_igo_security.yaml{': ' + link.why if link.why else ''})",
                }
                for link in spec.threats
            ],
        )
        return organization_id

    def cite(self, **values: Any) -> None:
        # One executemany takes rows of the same keys: both targets, one of them null.
        target = {"organization_id": None, "membership_id": None, "note": None}
        self.citations.append({"source_id": self.source_id, **target, **values})


class MembershipMerge:
    """One IGO's spells against its organization's memberships."""

    def __init__(
        self, writer: IgoWriter, igo: SecurityIgo, organization_id: int, rows: list[IgoYear]
    ) -> None:
        self.writer = writer
        self.session = writer.session
        self.report = writer.report
        self.igo = igo
        self.organization_id = organization_id
        self.first_year = max(rows[0].year, igo.from_year or 0)
        self.last_year = rows[-1].year
        self.memberships = {m.id: m for m in self._memberships()}
        # membership id -> {locator: (citation id, note)}: this dataset's citations
        self.cited: dict[int, dict[str, tuple[int, str | None]]] = defaultdict(dict)
        cited_elsewhere: set[int] = set()
        for citation_id, membership_id, source_id, locator, note in self.session.execute(
            select(
                Citation.id, Citation.membership_id, Citation.source_id, Citation.locator,
                Citation.note,
            )
            .join(Membership, Membership.id == Citation.membership_id)
            .where(Membership.organization_id == organization_id)
        ):  # fmt: skip
            assert membership_id is not None  # joined on it
            if source_id == SOURCE_ID:
                self.cited[membership_id][locator or ""] = (citation_id, note)
            else:
                cited_elsewhere.add(membership_id)
        # Memberships an earlier run created: cited by this dataset alone.
        self.ours = {m for m in self.memberships if m not in cited_elsewhere and m in self.cited}

    def _memberships(self) -> list[_Membership]:
        rows = self.session.execute(
            select(
                Membership.id,
                Membership.country_id,
                Membership.role,
                Membership.start_date,
                Membership.end_date,
            )
            .where(Membership.organization_id == self.organization_id)
            .order_by(Membership.start_date, Membership.id)
        ).all()
        return [_Membership(*row) for row in rows]

    def apply(self, spells: list[Spell]) -> None:
        by_locator = {
            locator: membership_id
            for membership_id, locators in self.cited.items()
            for locator in locators
        }
        matched: set[int] = set(self.ours)
        new: list[tuple[Spell, str]] = []
        for spell in spells:
            locator = spell.locator(self.igo.ioname)
            membership_id = by_locator.get(locator)
            if membership_id is None:
                membership_id = self._curated_match(spell)
                if membership_id is None:
                    new.append((spell, locator))
                    continue
            matched.add(membership_id)
            if membership_id not in self.ours:
                self._corroborate(self.memberships[membership_id], spell, locator)
        self._create(new)
        self._unlisted(matched)

    def _curated_match(self, spell: Spell) -> int | None:
        return next(
            (
                m.id
                for m in self.memberships.values()
                if m.id not in self.ours
                and m.country_id == spell.country_id
                and m.role == spell.role
                and _overlaps(m, spell)
            ),
            None,
        )

    def _corroborate(self, membership: _Membership, spell: Spell, locator: str) -> None:
        """Cite the spell on the curated membership, with what COW says where it differs."""
        note = self._disagreement(membership, spell)
        if note:
            self.report.note(
                f"COW IGO v3 disagrees with a curated {self.igo.slug} membership "
                "(curated dates kept)",
                locator,
            )
        self._cite_once(membership.id, locator, note)

    def _cite_once(self, membership_id: int, locator: str, note: str | None) -> None:
        """A new citation, or the note of the existing one brought up to date."""
        existing = self.cited[membership_id].get(locator)
        if existing is None:
            self.writer.cite(membership_id=membership_id, locator=locator, note=note)
        elif existing[1] != note:
            self.session.execute(
                update(Citation).where(Citation.id == existing[0]).values(note=note)
            )
            self.report.written["citation notes"] += 1

    def _disagreement(self, membership: _Membership, spell: Spell) -> str | None:
        differences = []
        start_year = membership.start.year if membership.start else None
        # A curated start before COW covers the IGO cannot be compared.
        before_coverage = (
            start_year is not None and spell.first == self.first_year and start_year < spell.first
        )
        if start_year != spell.first and not before_coverage:
            differences.append(f"starts in {spell.first}")
        end_year = membership.end.year if membership.end else None
        if spell.end_year is None:
            if end_year is not None and end_year <= LAST_YEAR:
                differences.append(f"still lists it in {LAST_YEAR}")
        elif end_year != spell.end_year:
            differences.append(f"last lists it in {spell.end_year - 1}")
        if not differences:
            return None
        return (
            f"COW IGO v3 {' and '.join(differences)} ({spell.role} {spell.period()}); "
            f"the curated period ({_curated_period(membership)}) stands"
        )

    def _create(self, new: list[tuple[Spell, str]]) -> None:
        if not new:
            return
        curated_organization = self.igo.create is None
        rows = []
        for spell, locator in new:
            notes = [_spell_note(spell)]
            if curated_organization:
                self.report.note(
                    f"COW IGO v3 lists a membership of {self.igo.slug} that the curated list lacks "
                    "(imported)",
                    locator,
                )
                notes.insert(0, "COW IGO v3 only: not in the curated list")
            rows.append(
                {
                    "organization_id": self.organization_id,
                    "country_id": spell.country_id,
                    "role": spell.role,
                    "start_date": _year_start(spell.first),
                    "start_precision": DatePrecision.year,
                    "end_date": _year_start(spell.end_year),
                    "end_precision": DatePrecision.year if spell.end_year else None,
                    "note": "; ".join(filter(None, notes)) or None,
                    "certainty": Certainty.confirmed,
                }
            )
        self.writer.insert_rows(MEMBERSHIPS, rows)
        created = {
            (country_id, role, start): membership_id
            for membership_id, country_id, role, start in self.session.execute(
                select(
                    Membership.id, Membership.country_id, Membership.role, Membership.start_date
                ).where(Membership.organization_id == self.organization_id)
            )
        }
        for spell, locator in new:
            membership_id = created[(spell.country_id, spell.role, _year_start(spell.first))]
            self.writer.cite(membership_id=membership_id, locator=locator)

    def _unlisted(self, matched: set[int]) -> None:
        """Curated memberships COW does not list in the years it covers: cite COW saying so."""
        coverage = Spell(0, MembershipRole.member, [self.first_year], end_year=self.last_year + 1)
        locator = f"{self.igo.ioname} {self.first_year}-{self.last_year}: not listed"
        for membership in self.memberships.values():
            if membership.id in matched or not _overlaps(membership, coverage):
                continue
            self.report.note(
                f"a curated {self.igo.slug} membership COW IGO v3 does not list (curated kept)",
                f"{locator} ({membership.role} {_curated_period(membership)})",
            )
            self._cite_once(
                membership.id,
                locator,
                f"COW IGO v3 does not list this {membership.role} in "
                f"{self.first_year}-{self.last_year}; the curated membership stands",
            )
