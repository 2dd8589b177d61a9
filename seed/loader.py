"""Load the curated seed data into the database, idempotently.

The files are read and validated first, all of them, with the write API's input schemas
(`seed.schemas`): a wrong file stops the seed before anything is written.

Every entity is matched on its natural key (slug, ISO3, organization + country + role +
start...), created when missing and updated when a field differs; nothing is deleted, so a
curator's or an importer's rows survive a re-seed. The data version moves only when something
changed, so re-running the loader changes nothing at all.

A resource that curators have taken over through the write API is theirs: one they changed
(its `modified_in_version` is set; a change to a member, participant, party, contributor or
threat link marks its parent) is left as it is, with everything under it, and one they deleted
(the audit trail says so) is not brought back. `make run` re-seeds on every start, so without
this a restart would undo the curators' work.
"""

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Table, and_, select
from sqlalchemy.orm import Session

from app.agreements.models import Agreement, AgreementParty, agreement_threats
from app.core.db import Versioned
from app.countries.models import Country, CowCodePeriod
from app.curation.changes import Changes, curated, deleted_by_curators
from app.curation.writes.agreements import AGREEMENTS
from app.curation.writes.countries import COUNTRY
from app.curation.writes.exercises import EDITION, EXERCISES
from app.curation.writes.operations import OPERATIONS
from app.curation.writes.organizations import ORGANIZATIONS
from app.curation.writes.sources import SOURCES
from app.curation.writes.threats import THREATS
from app.datasets.models import Dataset, DatasetCoverage
from app.exercises.models import (
    ExerciseEdition,
    ExerciseSeries,
    Participation,
    edition_activities,
    edition_domains,
    edition_threats,
)
from app.exercises.schemas import ParticipantIn
from app.imports.base import file_checksum, record_import
from app.imports.cow_states import CodePeriod, Holder, assign, read_states
from app.imports.report import ImportFailed, ImportReport
from app.operations.models import Contribution, Operation, operation_threats
from app.organizations.models import Membership, Organization, organization_threats
from app.sources.models import Citation, Source
from app.sources.schemas import CitationIn
from app.threats.models import ThreatCategory, ThreatResponse, response_threats
from seed.countries import CountryRecord, country_records, cow_state_record
from seed.schemas import (
    AgreementEntry,
    ContributorEntry,
    EditionEntry,
    MemberEntry,
    OperationEntry,
    OrganizationEntry,
    PartyEntry,
    SeedData,
    SeedError,
    SeriesEntry,
    ThreatEntry,
    read_seed,
)

DATA_DIR = Path(__file__).parent / "data"
DATASETS_DIR = Path(__file__).parent / "datasets"

Model = TypeVar("Model")
Resource = TypeVar("Resource", bound=Versioned)
CURATED_ENTITIES = (
    COUNTRY,
    SOURCES.entity,
    THREATS.entity,
    ORGANIZATIONS.entity,
    EXERCISES.entity,
    EDITION,
    AGREEMENTS.entity,
    OPERATIONS.entity,
)
# The fields of an entry that are rows of their own, not columns of its table.
_EDITION_LISTS = {"activities", "domains", "threats", "participants", "sources"}
_OPERATION_LINKS = {
    "slug",
    "lead_organization",
    "host_country",
    "threats",
    "contributors",
    "sources",
}


# The entries of the write API's resources that are keyed by their slug.
SlugEntry = ThreatEntry | OrganizationEntry | SeriesEntry | AgreementEntry | OperationEntry

# A country's fact about an initiative: the fields that key it besides the initiative and the
# country, and the column of the citations that cite it.
CountryFact = Membership | Participation | Contribution
_COUNTRY_FACTS: dict[type[CountryFact], tuple[tuple[str, ...], str]] = {
    Membership: (("role", "start_date"), "membership_id"),
    Participation: ((), "participation_id"),
    Contribution: (("start_date",), "contribution_id"),
}


@dataclass
class SeedReport:
    """What a seed run did, counted by resource (the CLI prints it), and the data version
    it left."""

    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    # Resources left as curators made them (changed or deleted through the write API).
    curated: Counter[str] = field(default_factory=Counter)
    # Rows of tables the seed owns outright (the dated COW codes) that the data no longer gives.
    removed: Counter[str] = field(default_factory=Counter)
    data_version: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.removed)


class SeedLoader:
    def __init__(
        self, session: Session, data_dir: Path = DATA_DIR, data: SeedData | None = None
    ) -> None:
        self.session = session
        # Every file is read and validated before anything is written.
        self.data = data if data is not None else read_seed(data_dir)
        self.report = SeedReport()
        self.countries: dict[str, Country] = {}
        self.threats: dict[str, ThreatCategory] = {}
        self.organizations: dict[str, Organization] = {}
        self.source_ids: set[str] = set()
        # The COW list as read by load_cow_codes, recorded once its dataset record exists.
        self.cow_import: tuple[ImportReport, str] | None = None
        self.deleted = deleted_by_curators(session, CURATED_ENTITIES)

    # --- generic upserts -------------------------------------------------------------

    def upsert_resource(
        self,
        model: type[Resource],
        key: dict[str, Any],
        values: dict[str, Any],
        resource: tuple[str, str],
    ) -> Resource | None:
        """`upsert` for a resource of the write API, `resource` being its (entity, id) in the
        audit trail: None when curators deleted it; unchanged when they changed it (the caller
        then leaves what hangs off it alone: `curated(row)`)."""
        row = self.session.scalars(select(model).filter_by(**key)).one_or_none()
        if row is None and resource in self.deleted:
            self.report.curated[resource[0]] += 1
            return None
        if row is not None and curated(row):
            self.report.curated[resource[0]] += 1
            return row
        return self.upsert(model, key, values)

    def upsert_entry(
        self,
        model: type[Resource],
        entry: SlugEntry,
        entity: str,
        exclude: set[str],
        values: dict[str, Any] | None = None,
    ) -> Resource | None:
        """`upsert_resource` for an entry keyed by its slug: its fields but `exclude` (the rows
        of their own), with `values` over them, are the row's."""
        fields = entry.model_dump(exclude={"slug", *exclude}) | (values or {})
        return self.upsert_resource(model, {"slug": entry.slug}, fields, (entity, entry.slug))

    def upsert(self, model: type[Model], key: dict[str, Any], values: dict[str, Any]) -> Model:
        statement = select(model).filter_by(**key)
        row = self.session.scalars(statement).one_or_none()
        table = model.__tablename__  # type: ignore[attr-defined]
        if row is None:
            row = model(**key, **values)
            self.session.add(row)
            self.session.flush()
            self.report.created[table] += 1
            return row
        changed = [name for name, value in values.items() if getattr(row, name) != value]
        for name in changed:
            setattr(row, name, values[name])
        if changed:
            self.report.updated[table] += 1
        return row

    def link(self, table: Table, owner: str, owner_id: int, column: str, values: set[Any]) -> None:
        existing = set(
            self.session.execute(
                select(table.c[column]).where(table.c[owner] == owner_id)
            ).scalars()
        )
        missing = values - existing
        if missing:
            self.session.execute(
                table.insert(), [{owner: owner_id, column: value} for value in sorted(missing)]
            )
            self.report.created[table.name] += len(missing)

    def link_threats(
        self, table: Table, owner: str, owner_id: int, slugs: Iterable[str], context: str
    ) -> None:
        threat_ids = {self.threat(slug, context).id for slug in slugs}
        self.link(table, owner, owner_id, "threat_id", threat_ids)

    def load_country_facts(
        self,
        model: type[CountryFact],
        initiative: dict[str, int],
        facts: Sequence[MemberEntry | ParticipantIn | ContributorEntry],
        initiative_sources: list[CitationIn],
        context: str,
    ) -> None:
        """Countries' facts about one initiative (memberships, participations or
        contributions), each keyed by the initiative, the country and its own key fields
        (`_COUNTRY_FACTS`), and cited by its own sources or else the initiative's."""
        key_fields, citation = _COUNTRY_FACTS[model]
        for fact in facts:
            fact_context = f"{context} {fact.country}"
            key = {**initiative, "country_id": self.country(fact.country, fact_context).id}
            key |= {name: getattr(fact, name) for name in key_fields}
            values = fact.model_dump(exclude={"country", "sources", *key_fields})
            row = self.upsert(model, key, values)
            self.cite(citation, row.id, fact.sources or initiative_sources, fact_context)

    def cite_and_link(
        self,
        table: Table,
        owner: str,
        owner_id: int,
        sources: list[CitationIn],
        threats: Iterable[str],
        context: str,
    ) -> None:
        """A record's citations (`owner` is its column in citations too) and threat links."""
        self.cite(owner, owner_id, sources, context)
        self.link_threats(table, owner, owner_id, threats, context)

    def date_threats(
        self, table: Table, owner: str, owner_id: int, entry: OrganizationEntry, context: str
    ) -> None:
        """Dates the threat links the entry dates; the others stay undated."""
        for dated in entry.threat_dates:
            if dated.threat not in entry.threats:
                raise SeedError(f"{context}: threat_dates names {dated.threat!r}, not in threats")
            if dated.source not in self.source_ids:
                raise SeedError(f"{context}: unknown source {dated.source!r}")
            period = dated.model_dump(exclude={"threat", "source"}) | {"source_id": dated.source}
            link = and_(
                table.c[owner] == owner_id,
                table.c.threat_id == self.threat(dated.threat, context).id,
            )
            stored = self.session.execute(
                select(*(table.c[key] for key in period)).where(link)
            ).one()
            if dict(stored._mapping) != period:
                self.session.execute(table.update().where(link).values(period))
                if stored.start_date is not None:  # a new link is created, not updated
                    self.report.updated[table.name] += 1

    def cite(self, column: str, target_id: int, citations: list[CitationIn], context: str) -> None:
        wanted = set()
        for citation in citations:
            if citation.source not in self.source_ids:
                raise SeedError(f"{context}: unknown source {citation.source!r}")
            wanted.add((citation.source, citation.locator))
        target = getattr(Citation, column)
        existing = set(
            self.session.execute(
                select(Citation.source_id, Citation.locator).where(target == target_id)
            )
        )
        for source, locator in sorted(wanted - existing, key=str):
            self.session.add(Citation(source_id=source, locator=locator, **{column: target_id}))
            self.report.created["citations"] += 1

    # --- lookups -----------------------------------------------------------------------

    def country(self, code: str, context: str) -> Country:
        try:
            return self.countries[code]
        except KeyError:
            raise SeedError(f"{context}: unknown country code {code!r}") from None

    def threat(self, slug: str, context: str) -> ThreatCategory:
        try:
            return self.threats[slug]
        except KeyError:
            raise SeedError(f"{context}: unknown threat category {slug!r}") from None

    # --- entities ----------------------------------------------------------------------

    def load(self) -> SeedReport:
        changes = Changes(self.session)
        try:
            self.load_countries()
            self.load_sources()
            self.load_cow_codes()
            self.load_threats()
            self.load_responses()
            self.load_organizations()
            self.load_exercises()
            self.load_agreements()
            self.load_operations()
            self.load_datasets()
            self.record_cow_import()
            if self.report.changed:
                changes.rederive_everything()  # cheaper than following each of many facts
            self.report.data_version = changes.finish(changed=self.report.changed)
        finally:
            changes.close()
        return self.report

    def load_countries(self) -> None:
        for record in country_records(self.data.countries):
            self.upsert_country(record)

    def upsert_country(self, record: CountryRecord) -> None:
        values = asdict(record)
        iso3 = values.pop("iso3")
        country = self.upsert_resource(Country, {"iso3": iso3}, values, (COUNTRY, iso3))
        assert country is not None  # the write API deletes no country
        self.countries[iso3] = country

    def load_cow_codes(self) -> None:
        """The dated COW codes from the state list, and a historical country for each COW state
        without one (app/imports/cow_states.py). The periods are the file's, not curators':
        they are made to match it, removed ones included."""
        config = self.data.countries.cow_states
        if config is None:
            return
        if config.source not in self.source_ids:
            raise SeedError(f"countries.yaml: cow_states: unknown source {config.source!r}")
        holders = [
            Holder(c.iso3, c.cow_code, c.valid_from, c.valid_until) for c in self.countries.values()
        ]
        try:
            spells = read_states(DATASETS_DIR / config.file)
            assignment = assign(spells, holders, config.earlier_codes)
        except ImportFailed as error:
            raise SeedError(f"countries.yaml: cow_states: {error}") from None
        for state in assignment.historical:
            self.upsert_country(cow_state_record(state))
        changed_rows = self.sync_cow_periods(assignment.periods, config.source)
        # Every row is a dated code (`assign` stops otherwise): new or changed, or as before.
        self.cow_import = (
            ImportReport(
                config.source,
                rows_read=len(spells),
                created=changed_rows,
                already_imported=len(spells) - changed_rows,
            ),
            file_checksum(DATASETS_DIR / config.file),
        )

    def record_cow_import(self) -> None:
        """The COW list's figures on its dataset record (datasets.yaml), as an import's."""
        if self.cow_import is None:
            return
        report, checksum = self.cow_import
        dataset = self.session.get(Dataset, report.dataset)
        if dataset is not None:
            record_import(dataset, report, checksum)

    def sync_cow_periods(self, periods: list[CodePeriod], source_id: str) -> int:
        """Make the stored periods the list's; the number of rows whose periods changed."""
        wanted: dict[tuple[int, int, date | None], dict[str, Any]] = {
            (self.countries[p.iso3].id, p.cow_code, p.valid_from): {
                "valid_until": p.valid_until,
                "source_id": source_id,
                "locator": p.locator,
                "note": p.note,
            }
            for p in periods
        }
        table = CowCodePeriod.__tablename__
        for row in self.session.scalars(select(CowCodePeriod)):
            if (row.country_id, row.cow_code, row.valid_from) not in wanted:
                self.session.delete(row)
                self.report.removed[table] += 1
        self.session.flush()
        changed_locators: set[str] = set()
        for (country_id, code, valid_from), values in wanted.items():
            key = {"country_id": country_id, "cow_code": code, "valid_from": valid_from}
            writes = self.report.created[table] + self.report.updated[table]
            self.upsert(CowCodePeriod, key, values)
            if self.report.created[table] + self.report.updated[table] > writes:
                changed_locators.add(values["locator"])
        return len(changed_locators)

    def load_sources(self) -> None:
        for entry in self.data.sources:
            values = entry.model_dump(exclude={"id"})
            if self.upsert_resource(Source, {"id": entry.id}, values, (SOURCES.entity, entry.id)):
                self.source_ids.add(entry.id)

    def load_threats(self) -> None:
        for entry in self.data.threats:
            threat = self.upsert_entry(ThreatCategory, entry, THREATS.entity, {"sources"})
            if threat is None:
                continue
            self.threats[threat.slug] = threat
            if curated(threat):
                continue
            context = f"threats.yaml: threat {threat.slug}"
            self.cite("threat_id", threat.id, entry.sources, context)

    def load_responses(self) -> None:
        for entry in self.data.responses:
            response = self.upsert(
                ThreatResponse,
                {"slug": entry.slug},
                entry.model_dump(exclude={"slug", "threats", "sources"}),
            )
            context = f"responses.yaml: response {response.slug}"
            self.cite_and_link(
                response_threats, "response_id", response.id, entry.sources, entry.threats, context
            )

    def load_organizations(self) -> None:
        for entry in self.data.organizations:
            slug = entry.slug
            links = {"threats", "threat_dates", "members", "sources"}
            organization = self.upsert_entry(Organization, entry, ORGANIZATIONS.entity, links)
            if organization is None:
                continue
            self.organizations[slug] = organization
            if curated(organization):
                continue
            context = f"organizations.yaml: organization {slug}"
            self.cite_and_link(
                organization_threats,
                "organization_id",
                organization.id,
                entry.sources,
                entry.threats,
                context,
            )
            self.date_threats(
                organization_threats, "organization_id", organization.id, entry, context
            )
            members, key = entry.members, {"organization_id": organization.id}
            self.load_country_facts(Membership, key, members, entry.sources, f"{context}, member")

    def load_exercises(self) -> None:
        for entry in self.data.exercises:
            slug = entry.slug
            links = {"editions", "sources"}
            series = self.upsert_entry(ExerciseSeries, entry, EXERCISES.entity, links)
            if series is None:
                continue
            if not curated(series):
                self.cite("series_id", series.id, entry.sources, f"exercises.yaml: exercise {slug}")
            for edition_entry in entry.editions:
                self.load_edition(series, edition_entry, entry.sources)

    def load_edition(
        self, series: ExerciseSeries, entry: EditionEntry, series_sources: list[CitationIn]
    ) -> None:
        slug = entry.slug or f"{series.slug}-{entry.year}"
        edition = self.upsert_resource(
            ExerciseEdition,
            {"slug": slug},
            {
                **entry.model_dump(exclude=_EDITION_LISTS | {"slug", "name"}),
                "series_id": series.id,
                "name": entry.name or f"{series.name} {entry.year}",
            },
            (EDITION, f"{series.slug}/{slug}"),
        )
        if edition is None or curated(edition):
            return
        context = f"exercises.yaml: edition {slug}"
        sources = entry.sources or series_sources
        self.cite_and_link(
            edition_threats, "edition_id", edition.id, sources, entry.threats, context
        )
        activities = {activity.value for activity in entry.activities}
        self.link(edition_activities, "edition_id", edition.id, "activity", activities)
        domains = {domain.value for domain in entry.domains}
        self.link(edition_domains, "edition_id", edition.id, "domain", domains)
        participants, key = entry.participants, {"edition_id": edition.id}
        context += ", participant"
        self.load_country_facts(Participation, key, participants, sources, context)

    def load_agreements(self) -> None:
        for entry in self.data.agreements:
            slug = entry.slug
            links = {"threats", "parties", "sources"}
            agreement = self.upsert_entry(Agreement, entry, AGREEMENTS.entity, links)
            if agreement is None or curated(agreement):
                continue
            context = f"agreements.yaml: agreement {slug}"
            self.cite_and_link(
                agreement_threats,
                "agreement_id",
                agreement.id,
                entry.sources,
                entry.threats,
                context,
            )
            for party in entry.parties:
                self.load_party(agreement, party, entry.sources)

    def load_party(
        self, agreement: Agreement, entry: PartyEntry, sources: list[CitationIn]
    ) -> None:
        context = f"agreements.yaml: agreement {agreement.slug}, party "
        key: dict[str, Any] = {"agreement_id": agreement.id, "country_id": None}
        if entry.country is not None:
            context += entry.country
            key["country_id"] = self.country(entry.country, context).id
        else:
            assert entry.organization is not None  # PartyIn: a country or an organization
            context += entry.organization
            organization = self.organizations.get(entry.organization)
            if organization is None:
                raise SeedError(f"{context}: unknown organization")
            key["organization_id"] = organization.id
        key["start_date"] = entry.start_date
        party = self.upsert(
            AgreementParty,
            key,
            entry.model_dump(exclude={"country", "organization", "start_date", "sources"}),
        )
        self.cite("party_id", party.id, entry.sources or sources, context)

    def load_operations(self) -> None:
        for entry in self.data.operations:
            slug = entry.slug
            context = f"operations.yaml: operation {slug}"
            lead = entry.lead_organization
            if lead is not None and lead not in self.organizations:
                raise SeedError(f"{context}: unknown organization {lead!r}")
            host = entry.host_country
            operation = self.upsert_entry(
                Operation,
                entry,
                OPERATIONS.entity,
                _OPERATION_LINKS,
                {
                    "lead_organization_id": self.organizations[lead].id if lead else None,
                    "host_country_id": self.country(host, context).id if host else None,
                },
            )
            if operation is None or curated(operation):
                continue
            self.cite_and_link(
                operation_threats,
                "operation_id",
                operation.id,
                entry.sources,
                entry.threats,
                context,
            )
            contributors, key = entry.contributors, {"operation_id": operation.id}
            context += ", contributor"
            self.load_country_facts(Contribution, key, contributors, entry.sources, context)

    def load_datasets(self) -> None:
        """A dataset's record is the seed's: its last import's figures are the importer's."""
        for entry in self.data.datasets:
            if entry.id not in self.source_ids and self.session.get(Source, entry.id) is None:
                raise SeedError(f"datasets.yaml: dataset {entry.id}: no source {entry.id!r}")
            values = entry.model_dump(exclude={"id", "coverage"})
            dataset = self.upsert(Dataset, {"id": entry.id}, values)
            listed = {(coverage.channel, coverage.starts) for coverage in entry.coverage}
            for stale in [c for c in dataset.coverage if (c.channel, c.starts) not in listed]:
                dataset.coverage.remove(stale)  # the file is the whole record: no curator edits it
                self.report.updated["dataset_coverage"] += 1
            for coverage in entry.coverage:
                key = {"dataset_id": dataset.id, "channel": coverage.channel}
                values = {"ends": coverage.ends, "what": coverage.what}
                self.upsert(DatasetCoverage, {**key, "starts": coverage.starts}, values)


def load_seed(
    session: Session, data_dir: Path = DATA_DIR, data: SeedData | None = None
) -> SeedReport:
    """Load every seed file (or `data`, the files already read) in one transaction owned by
    the caller.

    A file that does not fit its schema, or an entry naming an unknown country, source, threat
    or organization, raises SeedError; the caller's transaction then writes nothing.
    """
    return SeedLoader(session, data_dir, data).load()
