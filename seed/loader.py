"""Load the curated seed data into the database, idempotently.

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
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from app.agreements.models import Agreement, AgreementParty, agreement_threats
from app.agreements.writes import AGREEMENT
from app.core.db import Versioned
from app.core.periods import parse_partial_date
from app.countries.models import Country
from app.countries.writes import COUNTRY
from app.curation.changes import Changes, curated, deleted_by_curators
from app.exercises.models import (
    ExerciseEdition,
    ExerciseSeries,
    Participation,
    edition_activities,
    edition_threats,
)
from app.exercises.writes import EDITION, SERIES
from app.operations.models import Contribution, Operation, operation_threats
from app.operations.writes import OPERATION
from app.organizations.models import Membership, Organization, organization_threats
from app.organizations.writes import ORGANIZATION
from app.sources.models import Citation, Source
from app.sources.writes import SOURCE
from app.threats.models import ThreatCategory, ThreatResponse, response_threats
from app.threats.writes import THREAT
from seed.countries import country_records

DATA_DIR = Path(__file__).parent / "data"

Model = TypeVar("Model")
Resource = TypeVar("Resource", bound=Versioned)
CURATED_ENTITIES = (COUNTRY, SOURCE, THREAT, ORGANIZATION, SERIES, EDITION, AGREEMENT, OPERATION)


class SeedError(ValueError):
    """The seed files contradict themselves or the schema; nothing was written."""


@dataclass
class SeedReport:
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    # Resources left as curators made them (changed or deleted through the write API).
    curated: Counter[str] = field(default_factory=Counter)
    data_version: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


def _read(name: str, data_dir: Path) -> Any:
    with (data_dir / name).open(encoding="utf-8") as handle:
        return yaml.safe_load(handle) or []


def _partial(value: Any, prefix: str) -> dict[str, Any]:
    """`{prefix}_date` and `{prefix}_precision` from an optional partial-date string."""
    if value is None:
        return {f"{prefix}_date": None, f"{prefix}_precision": None}
    parsed, precision = parse_partial_date(value)
    return {f"{prefix}_date": parsed, f"{prefix}_precision": precision}


def _period(entry: dict[str, Any]) -> dict[str, Any]:
    return {**_partial(entry.get("start"), "start"), **_partial(entry.get("end"), "end")}


class SeedLoader:
    def __init__(self, session: Session, data_dir: Path = DATA_DIR) -> None:
        self.session = session
        self.data_dir = data_dir
        self.report = SeedReport()
        self.countries: dict[str, Country] = {}
        self.threats: dict[str, ThreatCategory] = {}
        self.organizations: dict[str, Organization] = {}
        self.source_ids: set[str] = set()
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

    def link_threats(self, table: Table, owner: str, owner_id: int, slugs: list[str]) -> None:
        self.link(table, owner, owner_id, "threat_id", {self.threat(s).id for s in slugs})

    def cite(self, column: str, target_id: int, citations: list[Any], context: str) -> None:
        if not citations:
            raise SeedError(f"{context}: no source cited")
        wanted = set()
        for citation in citations:
            source, locator = (
                (citation, None)
                if isinstance(citation, str)
                else (citation["source"], citation.get("locator"))
            )
            if source not in self.source_ids:
                raise SeedError(f"{context}: unknown source {source!r}")
            wanted.add((source, locator))
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

    def threat(self, slug: str) -> ThreatCategory:
        try:
            return self.threats[slug]
        except KeyError:
            raise SeedError(f"unknown threat category {slug!r}") from None

    # --- entities ----------------------------------------------------------------------

    def load(self) -> SeedReport:
        changes = Changes(self.session)
        try:
            self.load_countries()
            self.load_sources()
            self.load_threats()
            self.load_responses()
            self.load_organizations()
            self.load_exercises()
            self.load_agreements()
            self.load_operations()
            if self.report.changed:
                changes.rederive_everything()  # cheaper than following each of many facts
            self.report.data_version = changes.finish(changed=self.report.changed)
        finally:
            changes.close()
        return self.report

    def load_countries(self) -> None:
        for record in country_records(_read("countries.yaml", self.data_dir)):
            values = asdict(record)
            iso3 = values.pop("iso3")
            country = self.upsert_resource(Country, {"iso3": iso3}, values, (COUNTRY, iso3))
            assert country is not None  # the write API deletes no country
            self.countries[iso3] = country

    def load_sources(self) -> None:
        for entry in _read("sources.yaml", self.data_dir):
            values = {
                "kind": entry["kind"],
                "title": entry["title"],
                "publisher": entry.get("publisher"),
                "url": entry.get("url"),
                "language": entry.get("language"),
                "note": entry.get("note"),
                **_partial(entry.get("published"), "published"),
            }
            if self.upsert_resource(Source, {"id": entry["id"]}, values, (SOURCE, entry["id"])):
                self.source_ids.add(entry["id"])

    def load_threats(self) -> None:
        for entry in _read("threats.yaml", self.data_dir):
            threat = self.upsert_resource(
                ThreatCategory,
                {"slug": entry["slug"]},
                {
                    "name": entry["name"],
                    "name_id": entry["name_id"],
                    "kind": entry["kind"],
                    "description": entry.get("description"),
                },
                (THREAT, entry["slug"]),
            )
            if threat is None:
                continue
            self.threats[threat.slug] = threat
            if curated(threat):
                continue
            self.cite("threat_id", threat.id, entry.get("sources", []), f"threat {threat.slug}")

    def load_responses(self) -> None:
        for entry in _read("responses.yaml", self.data_dir):
            response = self.upsert(
                ThreatResponse,
                {"slug": entry["slug"]},
                {
                    "name": entry["name"],
                    "name_id": entry["name_id"],
                    "channel": entry["channel"],
                    "description": entry.get("description"),
                },
            )
            self.link_threats(response_threats, "response_id", response.id, entry["threats"])
            context = f"response {response.slug}"
            self.cite("response_id", response.id, entry.get("sources", []), context)

    def load_organizations(self) -> None:
        for entry in _read("organizations.yaml", self.data_dir):
            slug = entry["slug"]
            organization = self.upsert_resource(
                Organization,
                {"slug": slug},
                {
                    "name": entry["name"],
                    "name_id": entry.get("name_id"),
                    "acronym": entry.get("acronym"),
                    "kind": entry["kind"],
                    "universal": bool(entry.get("universal", False)),
                    "description": entry.get("description"),
                    **_partial(entry.get("founded"), "founded"),
                    **_partial(entry.get("ended"), "ended"),
                },
                (ORGANIZATION, slug),
            )
            if organization is None:
                continue
            self.organizations[slug] = organization
            if curated(organization):
                continue
            sources = entry.get("sources", [])
            self.cite("organization_id", organization.id, sources, f"organization {slug}")
            self.link_threats(
                organization_threats, "organization_id", organization.id, entry.get("threats", [])
            )
            for member in entry.get("members") or []:
                context = f"organization {slug}, member {member.get('country')}"
                period = _period(member)
                membership = self.upsert(
                    Membership,
                    {
                        "organization_id": organization.id,
                        "country_id": self.country(member["country"], context).id,
                        "role": member.get("role", "member"),
                        "start_date": period.pop("start_date"),
                    },
                    {
                        **period,
                        "certainty": member.get("certainty", "confirmed"),
                        "note": member.get("note"),
                    },
                )
                citations = member.get("sources") or sources
                self.cite("membership_id", membership.id, citations, context)

    def load_exercises(self) -> None:
        for entry in _read("exercises.yaml", self.data_dir):
            slug = entry["slug"]
            series = self.upsert_resource(
                ExerciseSeries,
                {"slug": slug},
                {
                    "name": entry["name"],
                    "name_id": entry.get("name_id"),
                    "description": entry.get("description"),
                },
                (SERIES, slug),
            )
            if series is None:
                continue
            sources = entry.get("sources", [])
            if not curated(series):
                self.cite("series_id", series.id, sources, f"exercise {slug}")
            for edition_entry in entry.get("editions") or []:
                self.load_edition(series, edition_entry, sources)

    def load_edition(
        self, series: ExerciseSeries, entry: dict[str, Any], series_sources: list[Any]
    ) -> None:
        year = int(entry["year"])
        slug = entry.get("slug") or f"{series.slug}-{year}"
        edition = self.upsert_resource(
            ExerciseEdition,
            {"slug": slug},
            {
                "series_id": series.id,
                "name": entry.get("name") or f"{series.name} {year}",
                "year": year,
                "ordinal": entry.get("ordinal"),
                "location": entry.get("location"),
                "latitude": entry.get("latitude"),
                "longitude": entry.get("longitude"),
                "personnel": entry.get("personnel"),
                "description": entry.get("description"),
                "certainty": entry.get("certainty", "confirmed"),
                "note": entry.get("note"),
                **_period(entry),
            },
            (EDITION, f"{series.slug}/{slug}"),
        )
        if edition is None or curated(edition):
            return
        sources = entry.get("sources") or series_sources
        self.cite("edition_id", edition.id, sources, f"edition {slug}")
        self.link_threats(edition_threats, "edition_id", edition.id, entry.get("threats", []))
        activities = set(entry.get("activities", []))
        self.link(edition_activities, "edition_id", edition.id, "activity", activities)
        for participant in entry.get("participants") or []:
            context = f"edition {slug}, participant {participant.get('country')}"
            participation = self.upsert(
                Participation,
                {
                    "edition_id": edition.id,
                    "country_id": self.country(participant["country"], context).id,
                },
                {
                    "role": participant.get("role", "full_participant"),
                    "is_host": bool(participant.get("host", False)),
                    "certainty": participant.get("certainty", "confirmed"),
                    "note": participant.get("note"),
                },
            )
            citations = participant.get("sources") or sources
            self.cite("participation_id", participation.id, citations, context)

    def load_agreements(self) -> None:
        for entry in _read("agreements.yaml", self.data_dir):
            slug = entry["slug"]
            agreement = self.upsert_resource(
                Agreement,
                {"slug": slug},
                {
                    "name": entry["name"],
                    "name_id": entry.get("name_id"),
                    "kind": entry["kind"],
                    "description": entry.get("description"),
                    "certainty": entry.get("certainty", "confirmed"),
                    "note": entry.get("note"),
                    **_partial(entry.get("signed"), "signed"),
                    **_partial(entry.get("in_force"), "in_force"),
                    **_partial(entry.get("ended"), "ended"),
                },
                (AGREEMENT, slug),
            )
            if agreement is None or curated(agreement):
                continue
            sources = entry.get("sources", [])
            self.cite("agreement_id", agreement.id, sources, f"agreement {slug}")
            self.link_threats(
                agreement_threats, "agreement_id", agreement.id, entry.get("threats", [])
            )
            for party in entry.get("parties") or []:
                self.load_party(agreement, party, sources)

    def load_party(self, agreement: Agreement, entry: dict[str, Any], sources: list[Any]) -> None:
        context = (
            f"agreement {agreement.slug}, party {entry.get('country') or entry.get('organization')}"
        )
        key: dict[str, Any] = {"agreement_id": agreement.id, "country_id": None}
        if "country" in entry:
            key["country_id"] = self.country(entry["country"], context).id
        else:
            organization = self.organizations.get(entry["organization"])
            if organization is None:
                raise SeedError(f"{context}: unknown organization")
            key["organization_id"] = organization.id
        period = _period(entry)
        key["start_date"] = period.pop("start_date")
        party = self.upsert(
            AgreementParty,
            key,
            {
                **period,
                "role": entry.get("role", "party"),
                "certainty": entry.get("certainty", "confirmed"),
                "note": entry.get("note"),
            },
        )
        self.cite("party_id", party.id, entry.get("sources") or sources, context)

    def load_operations(self) -> None:
        for entry in _read("operations.yaml", self.data_dir):
            slug = entry["slug"]
            context = f"operation {slug}"
            lead = entry.get("lead_organization")
            if lead is not None and lead not in self.organizations:
                raise SeedError(f"{context}: unknown organization {lead!r}")
            operation = self.upsert_resource(
                Operation,
                {"slug": slug},
                {
                    "name": entry["name"],
                    "name_id": entry.get("name_id"),
                    "kind": entry["kind"],
                    "lead_organization_id": self.organizations[lead].id if lead else None,
                    "host_country_id": (
                        self.country(entry["host"], context).id if entry.get("host") else None
                    ),
                    "mandate": entry.get("mandate"),
                    "description": entry.get("description"),
                    "certainty": entry.get("certainty", "confirmed"),
                    "note": entry.get("note"),
                    **_period(entry),
                },
                (OPERATION, slug),
            )
            if operation is None or curated(operation):
                continue
            sources = entry.get("sources", [])
            self.cite("operation_id", operation.id, sources, context)
            self.link_threats(
                operation_threats, "operation_id", operation.id, entry.get("threats", [])
            )
            for contributor in entry.get("contributors") or []:
                member_context = f"{context}, contributor {contributor.get('country')}"
                period = _period(contributor)
                contribution = self.upsert(
                    Contribution,
                    {
                        "operation_id": operation.id,
                        "country_id": self.country(contributor["country"], member_context).id,
                        "start_date": period.pop("start_date"),
                    },
                    {
                        **period,
                        "personnel": contributor.get("personnel"),
                        **_partial(contributor.get("as_of"), "personnel_as_of"),
                        "certainty": contributor.get("certainty", "confirmed"),
                        "note": contributor.get("note"),
                    },
                )
                citations = contributor.get("sources") or sources
                self.cite("contribution_id", contribution.id, citations, member_context)


def load_seed(session: Session, data_dir: Path = DATA_DIR) -> SeedReport:
    """Load every seed file in one transaction owned by the caller."""
    try:
        return SeedLoader(session, data_dir).load()
    except (KeyError, TypeError, ValueError) as error:
        if isinstance(error, SeedError):
            raise
        raise SeedError(f"malformed seed data: {error!r}") from error
