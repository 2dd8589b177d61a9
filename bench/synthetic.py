"""A deterministic, large synthetic dataset for the benchmark, written through the app's models.

The database is migrated with Alembic and loaded with the curated seed first (so the 257 real
countries, threats and sources exist); then synthetic facts are added with bulk inserts
(`session.execute(insert(Model), rows)`), every fact row and initiative gets one citation of
the synthetic source, `refresh_ties` rebuilds the derived ties table and the data version is
bumped, all in one transaction.

At scale 1: 200 countries, 500 exercise series with 5,000 editions and ~50,000
participations (skewed: a few hub countries take part in most editions), 60 organizations
with ~1,500 memberships (with periods), 3,000 agreements with ~7,700 parties (some of them
organizations), 100 operations with ~1,000 contributions, threat links on every kind of
initiative. Scale N multiplies every count of initiatives and facts by N; the countries
stay the same 200.

Usage: python bench/synthetic.py sqlite:///bench/.data/x.db --scale 1
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import math
import random
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Table, event, func, insert, select, text, update
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from alembic import command  # noqa: E402

from app.agreements.models import (  # noqa: E402
    Agreement,
    AgreementKind,
    AgreementParty,
    PartyRole,
    agreement_threats,
)
from app.cli import alembic_config  # noqa: E402
from app.cooperation.derivation import refresh_ties  # noqa: E402
from app.core.config import Settings  # noqa: E402
from app.core.db import create_db_engine, session_factory  # noqa: E402
from app.core.periods import DatePrecision  # noqa: E402
from app.countries.models import Country, CountryKind  # noqa: E402
from app.exercises.models import (  # noqa: E402
    ExerciseEdition,
    ExerciseSeries,
    ParticipantRole,
    Participation,
    edition_threats,
)
from app.operations.models import (  # noqa: E402
    Contribution,
    Operation,
    OperationKind,
    operation_threats,
)
from app.organizations.models import (  # noqa: E402
    Membership,
    MembershipRole,
    Organization,
    OrganizationKind,
    organization_threats,
)
from app.sources.models import (  # noqa: E402
    CITED_TABLES,
    Certainty,
    Citation,
    Source,
    SourceKind,
)
from app.system.models import DataState  # noqa: E402
from app.threats.models import ThreatCategory  # noqa: E402
from seed.loader import load_seed  # noqa: E402

_T = TypeVar("_T")

SEED = 20261125
SOURCE_ID = "synthetic-bench"
N_COUNTRIES = 200
# Real hubs of defense cooperation first; the rest of the 200 follow in a seeded order.
HUBS = ["USA", "GBR", "FRA", "AUS", "JPN", "DEU", "IDN", "CAN", "KOR", "IND", "ITA", "SGP"]
# Per scale 1.
EDITIONS, SERIES, MEAN_PARTICIPANTS = 5_000, 500, 10.0
ORGANIZATIONS, MEMBERSHIPS = 60, 1_500
AGREEMENTS = 3_000
OPERATIONS, CONTRIBUTIONS_PER_OPERATION = 100, 10
_CHUNK = 20_000

# Everything that shapes the generated data: a change to any of them invalidates a cache.
# (The schema is that of the migrations; a model edit without a migration changes no table.)
FINGERPRINT_GLOBS = [
    "bench/synthetic.py",
    "migrations/versions/*.py",
    "seed/loader.py",
    "seed/countries.py",
    "seed/data/*.yaml",
    "app/cooperation/channels.py",
    "app/cooperation/derivation.py",
    "app/cooperation/ties.py",
]


def fingerprint() -> str:
    """A short hash of the generator, the schema, the seed and the tie derivation.

    Python files are hashed by their syntax tree, so reformatting them keeps the cache.
    """
    digest = hashlib.sha256()
    for pattern in FINGERPRINT_GLOBS:
        for path in sorted(ROOT.glob(pattern)):
            digest.update(str(path.relative_to(ROOT)).encode())
            content = path.read_bytes()
            if path.suffix == ".py":
                content = ast.dump(ast.parse(content)).encode()
            digest.update(content)
    return digest.hexdigest()[:10]


@dataclass
class GenerationReport:
    scale: int
    seconds: float = 0.0
    rows: dict[str, int] = field(default_factory=dict)

    def line(self) -> str:
        counts = ", ".join(f"{n:,} {table}" for table, n in self.rows.items())
        return f"scale {self.scale}: generated in {self.seconds:.1f} s ({counts})"


class _Ids:
    """Explicit primary keys, so that citations can point at rows inserted in bulk."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.next: dict[str, int] = {}

    def take(self, model: Any) -> int:
        table = model.__tablename__
        if table not in self.next:
            current = self.session.scalar(select(func.max(model.id))) or 0
            self.next[table] = current + 1
        value = self.next[table]
        self.next[table] = value + 1
        return value


def _bulk(session: Session, target: Any, rows: Sequence[dict[str, Any]]) -> None:
    statement = insert(target)
    for start in range(0, len(rows), _CHUNK):
        session.execute(statement, rows[start : start + _CHUNK])


def _weighted_sample(
    rng: random.Random, population: Sequence[int], cum_weights: Sequence[float], k: int
) -> list[int]:
    """k distinct items, drawn with the given (cumulative) weights."""
    k = min(k, len(population))
    chosen: dict[int, None] = {}
    while len(chosen) < k:
        for item in rng.choices(population, cum_weights=cum_weights, k=k - len(chosen)):
            chosen[item] = None
    return list(chosen)


def _cumulative(weights: Iterable[float]) -> list[float]:
    total, out = 0.0, []
    for weight in weights:
        total += weight
        out.append(total)
    return out


def _year_date(year: int) -> date:
    return date(year, 1, 1)


class Generator:
    def __init__(self, session: Session, scale: int, seed: int = SEED) -> None:
        self.session = session
        self.scale = scale
        self.rng = random.Random(seed)
        self.ids = _Ids(session)
        self.rows: dict[str, list[dict[str, Any]]] = {}
        self.citations: list[dict[str, Any]] = []
        self.countries = self._pick_countries()
        # Zipf-like popularity: the first hubs take part in most initiatives.
        self.cum_weights = _cumulative(1.0 / (rank + 2) ** 1.1 for rank in range(N_COUNTRIES))
        self.flat_weights = _cumulative(1.0 / (rank + 2) ** 0.5 for rank in range(N_COUNTRIES))
        threats = session.execute(select(ThreatCategory.id, ThreatCategory.slug)).all()
        self.threat_ids = [threat_id for threat_id, _ in sorted(threats, key=lambda t: t[1])]
        self.armed_conflict = next((i for i, slug in threats if slug == "armed-conflict"), None)

    def _pick_countries(self) -> list[int]:
        rows = self.session.execute(
            select(Country.id, Country.iso3)
            .where(Country.kind == CountryKind.iso, Country.valid_until.is_(None))
            .order_by(Country.iso3)
        ).all()
        by_code = {iso3: country_id for country_id, iso3 in rows}
        hubs = [by_code[code] for code in HUBS if code in by_code]
        rest = [country_id for country_id, _ in rows if country_id not in hubs]
        self.rng.shuffle(rest)
        return (hubs + rest)[:N_COUNTRIES]

    # --- helpers ---------------------------------------------------------------------

    def add(self, model: Any, row: dict[str, Any]) -> None:
        self.rows.setdefault(model.__tablename__, []).append(row)

    def cite(self, column: str, target_id: int) -> None:
        row: dict[str, Any] = dict.fromkeys(CITED_TABLES)
        row.update(
            id=self.ids.take(Citation),
            source_id=SOURCE_ID,
            locator=f"synthetic {column.removesuffix('_id')} {target_id}",
        )
        row[column] = target_id
        self.citations.append(row)

    def threats_for(self, owner: str, owner_id: int, table: Table, most: int) -> None:
        picked = set(self.rng.sample(self.threat_ids, self.rng.randint(0, most)))
        if self.armed_conflict is not None and self.rng.random() < 0.3:
            picked.add(self.armed_conflict)
        for threat_id in sorted(picked):
            self.rows.setdefault(table.name, []).append({owner: owner_id, "threat_id": threat_id})

    def certainty(self) -> Certainty:
        tiers = [(0.9, Certainty.confirmed), (0.97, Certainty.unconfirmed)]
        return self.tiered(tiers, Certainty.disputed)

    def tiered(self, tiers: Sequence[tuple[float, _T]], otherwise: _T) -> _T:
        """One uniform draw: the value of the first tier whose bound it falls below, else
        `otherwise`."""
        draw = self.rng.random()
        return next((value for bound, value in tiers if draw < bound), otherwise)

    def later_date(
        self, year: int, chance: float, years_after: tuple[int, int], last: int | None = None
    ) -> date | None:
        """With probability `chance`, 1 January of a year `years_after` (a range) after `year`,
        at the latest `last`; else None."""
        if self.rng.random() >= chance:
            return None
        later = year + self.rng.randint(*years_after)
        return _year_date(later if last is None else min(later, last))

    def period(self, first: int, last: int, ended: float) -> tuple[date | None, date | None]:
        start_year = self.rng.randint(first, last)
        end = self.later_date(start_year, ended, (1, 25), last=2026)
        start = None if self.rng.random() < 0.05 else _year_date(start_year)
        return start, end

    # --- initiatives and facts -----------------------------------------------------------

    def organizations(self) -> list[tuple[int, list[int]]]:
        """Organizations with their members; memberships sized to ~1,500 per scale."""
        made = []
        count = ORGANIZATIONS * self.scale
        mean_size = MEMBERSHIPS / ORGANIZATIONS
        kinds = list(OrganizationKind)
        for n in range(count):
            organization_id = self.ids.take(Organization)
            founded = self.rng.randint(1945, 2020)
            self.add(
                Organization,
                {
                    "id": organization_id,
                    "slug": f"syn-org-{n}",
                    "name": f"Synthetic Organization {n}",
                    "acronym": f"SO{n}",
                    "kind": kinds[n % len(kinds)],
                    "founded_date": _year_date(founded),
                    "founded_precision": DatePrecision.year,
                    "universal": False,
                },
            )
            self.cite("organization_id", organization_id)
            self.threats_for("organization_id", organization_id, organization_threats, 3)
            size = max(3, min(N_COUNTRIES // 2, round(self.rng.expovariate(1 / mean_size))))
            members = _weighted_sample(self.rng, self.countries, self.flat_weights, size)
            for country_id in members:
                role = self.tiered(
                    [(0.85, MembershipRole.member), (0.95, MembershipRole.observer)],
                    MembershipRole.partner,
                )
                start, end = self.period(founded, 2024, ended=0.2)
                membership_id = self.ids.take(Membership)
                self.add(
                    Membership,
                    {
                        "id": membership_id,
                        "organization_id": organization_id,
                        "country_id": country_id,
                        "role": role,
                        "start_date": start,
                        "start_precision": DatePrecision.year if start else None,
                        "end_date": end,
                        "end_precision": DatePrecision.year if end else None,
                        "certainty": self.certainty(),
                    },
                )
                self.cite("membership_id", membership_id)
            made.append((organization_id, members))
        return made

    def exercises(self) -> None:
        series_count = SERIES * self.scale
        editions = EDITIONS * self.scale
        series_ids = []
        for n in range(series_count):
            series_id = self.ids.take(ExerciseSeries)
            series_ids.append(series_id)
            self.add(
                ExerciseSeries,
                {"id": series_id, "slug": f"syn-series-{n}", "name": f"Synthetic Exercise {n}"},
            )
            self.cite("series_id", series_id)
        # lognormal sizes with the wanted mean: most exercises are small, a few are huge
        sigma = 0.6
        mu = math.log(MEAN_PARTICIPANTS - 1) - sigma**2 / 2
        for n in range(editions):
            edition_id = self.ids.take(ExerciseEdition)
            series_index = n % series_count
            year = 1980 + (n * 7 + series_index) % 45
            self.add(
                ExerciseEdition,
                {
                    "id": edition_id,
                    "series_id": series_ids[series_index],
                    "slug": f"syn-series-{series_index}-{year}-{n}",
                    "name": f"Synthetic Exercise {series_index} {year}",
                    "year": year,
                    "start_date": _year_date(year),
                    "start_precision": DatePrecision.year,
                    "certainty": self.certainty(),
                },
            )
            self.cite("edition_id", edition_id)
            self.threats_for("edition_id", edition_id, edition_threats, 2)
            size = max(2, min(80, 1 + round(self.rng.lognormvariate(mu, sigma))))
            participants = _weighted_sample(self.rng, self.countries, self.cum_weights, size)
            for index, country_id in enumerate(participants):
                role = self.tiered(
                    [(0.88, ParticipantRole.full_participant), (0.96, ParticipantRole.observer)],
                    ParticipantRole.staff_only,
                )
                participation_id = self.ids.take(Participation)
                self.add(
                    Participation,
                    {
                        "id": participation_id,
                        "edition_id": edition_id,
                        "country_id": country_id,
                        "role": role,
                        "is_host": index == 0,
                        "certainty": self.certainty(),
                    },
                )
                self.cite("participation_id", participation_id)

    def agreements(self, organizations: list[tuple[int, list[int]]]) -> None:
        kinds = list(AgreementKind)
        for n in range(AGREEMENTS * self.scale):
            agreement_id = self.ids.take(Agreement)
            signed = self.rng.randint(1960, 2024)
            ended = self.later_date(signed, 0.2, (2, 30), last=2026)
            self.add(
                Agreement,
                {
                    "id": agreement_id,
                    "slug": f"syn-agreement-{n}",
                    "name": f"Synthetic Agreement {n}",
                    "kind": kinds[n % len(kinds)],
                    "signed_date": _year_date(signed),
                    "signed_precision": DatePrecision.year,
                    "in_force_date": _year_date(signed + 1) if self.rng.random() < 0.5 else None,
                    "in_force_precision": None,
                    "ended_date": ended,
                    "ended_precision": DatePrecision.year if ended else None,
                    "certainty": self.certainty(),
                },
            )
            self.cite("agreement_id", agreement_id)
            self.threats_for("agreement_id", agreement_id, agreement_threats, 2)
            draw = self.rng.random()
            size = 2 if draw < 0.8 else self.rng.randint(3, 10)
            parties: list[dict[str, Any]] = [
                {"country_id": c, "organization_id": None}
                for c in _weighted_sample(self.rng, self.countries, self.flat_weights, size)
            ]
            if draw > 0.95 and organizations:
                organization_id, _ = self.rng.choice(organizations)
                parties[-1] = {"country_id": None, "organization_id": organization_id}
            bilateral_roles = self.rng.random() < 0.3 and size == 2
            for index, party in enumerate(parties):
                party_id = self.ids.take(AgreementParty)
                role = (
                    (PartyRole.provider if index == 0 else PartyRole.recipient)
                    if bilateral_roles
                    else PartyRole.party
                )
                late = self.rng.random() < 0.1
                self.add(
                    AgreementParty,
                    {
                        "id": party_id,
                        "agreement_id": agreement_id,
                        **party,
                        "role": role,
                        "start_date": _year_date(signed + 3) if late else None,
                        "start_precision": DatePrecision.year if late else None,
                        "certainty": self.certainty(),
                    },
                )
                self.cite("party_id", party_id)

    def operations(self) -> None:
        kinds = list(OperationKind)
        for n in range(OPERATIONS * self.scale):
            operation_id = self.ids.take(Operation)
            start_year = self.rng.randint(1990, 2023)
            end = self.later_date(start_year, 0.6, (1, 15))
            self.add(
                Operation,
                {
                    "id": operation_id,
                    "slug": f"syn-operation-{n}",
                    "name": f"Synthetic Operation {n}",
                    "kind": kinds[n % len(kinds)],
                    "host_country_id": self.rng.choice(self.countries),
                    "start_date": _year_date(start_year),
                    "start_precision": DatePrecision.year,
                    "end_date": end,
                    "end_precision": DatePrecision.year if end else None,
                    "certainty": self.certainty(),
                },
            )
            self.cite("operation_id", operation_id)
            self.threats_for("operation_id", operation_id, operation_threats, 1)
            size = max(2, round(self.rng.expovariate(1 / CONTRIBUTIONS_PER_OPERATION)))
            for country_id in _weighted_sample(self.rng, self.countries, self.flat_weights, size):
                contribution_id = self.ids.take(Contribution)
                joined = start_year + self.rng.randint(0, 3)
                self.add(
                    Contribution,
                    {
                        "id": contribution_id,
                        "operation_id": operation_id,
                        "country_id": country_id,
                        "personnel": self.rng.randint(5, 3000),
                        "start_date": _year_date(joined),
                        "start_precision": DatePrecision.year,
                        "certainty": self.certainty(),
                    },
                )
                self.cite("contribution_id", contribution_id)

    # --- writing ---------------------------------------------------------------------------

    def write(self) -> dict[str, int]:
        session = self.session
        if session.get(Source, SOURCE_ID) is None:
            session.add(
                Source(
                    id=SOURCE_ID,
                    kind=SourceKind.dataset,
                    title="Synthetic benchmark data (bench/synthetic.py)",
                    note="Generated; not real. Exists only in benchmark databases.",
                )
            )
            session.flush()
        organizations = self.organizations()
        self.exercises()
        self.agreements(organizations)
        self.operations()
        order: list[tuple[Any, str]] = [
            (Organization, "organizations"),
            (Membership, "memberships"),
            (ExerciseSeries, "exercise_series"),
            (ExerciseEdition, "exercise_editions"),
            (Participation, "participations"),
            (Agreement, "agreements"),
            (AgreementParty, "agreement_parties"),
            (Operation, "operations"),
            (Contribution, "contributions"),
            (organization_threats, "organization_threats"),
            (edition_threats, "edition_threats"),
            (agreement_threats, "agreement_threats"),
            (operation_threats, "operation_threats"),
        ]
        counts: dict[str, int] = {}
        for target, table in order:
            rows = self.rows.get(table, [])
            _bulk(session, target.__table__ if hasattr(target, "__table__") else target, rows)
            counts[table] = len(rows)
        _bulk(session, Citation.__table__, self.citations)
        counts["citations"] = len(self.citations)
        return counts


def _sync_sequences(connection: Connection) -> None:
    """PostgreSQL: move each id sequence past the explicit ids written in bulk."""
    tables = [
        "organizations", "memberships", "exercise_series", "exercise_editions", "participations",
        "agreements", "agreement_parties", "operations", "contributions", "citations",
    ]  # fmt: skip
    for table in tables:
        sequence = connection.scalar(text(f"SELECT pg_get_serial_sequence('{table}', 'id')"))
        if sequence:
            connection.execute(
                text(f"SELECT setval('{sequence}', (SELECT COALESCE(max(id), 1) FROM {table}))")
            )


def migrate_and_seed(url: str) -> None:
    command.upgrade(alembic_config(Settings(database_url=url)), "head")
    engine = create_db_engine(Settings(database_url=url))
    try:
        with session_factory(engine).begin() as session:
            load_seed(session)
    finally:
        engine.dispose()


def generate(url: str, scale: int, seed: int = SEED, log: Any = print) -> GenerationReport:
    """Migrate, seed and fill the (empty) database at `url` with the synthetic data."""
    report = GenerationReport(scale=scale)
    started = time.perf_counter()
    migrate_and_seed(url)
    log(f"  migrated and seeded in {time.perf_counter() - started:.1f} s")
    engine = create_db_engine(Settings(database_url=url))
    if engine.dialect.name == "sqlite":
        # the whole load is one transaction: with SQLite's default 2 MB page cache it
        # re-reads its pages from the WAL gigabytes over
        @event.listens_for(engine, "connect")
        def _large_cache(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA cache_size=-1048576")
            cursor.close()

    try:
        with session_factory(engine).begin() as session:
            phase = time.perf_counter()
            generator = Generator(session, scale, seed)
            report.rows = generator.write()
            del generator  # the rows, before the ties are derived
            log(f"  facts written in {time.perf_counter() - phase:.1f} s")
            phase = time.perf_counter()
            report.rows["ties"] = refresh_ties(session)
            log(f"  ties derived in {time.perf_counter() - phase:.1f} s")
            session.execute(
                update(DataState)
                .where(DataState.id == 1)
                .values(version=DataState.version + 1, updated_at=datetime.now(UTC))
            )
            if engine.dialect.name == "postgresql":
                _sync_sequences(session.connection())
        with engine.connect() as connection:
            if engine.dialect.name == "postgresql":
                # autovacuum would gather statistics soon after a load; do it now
                connection.execute(text("ANALYZE"))
            else:
                # everything in the main file, so that a read-only reader needs no WAL
                connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
            connection.commit()
    finally:
        engine.dispose()
    report.seconds = time.perf_counter() - started
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="empty database: sqlite:///path or postgresql+psycopg://...")
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    url = make_url(args.url)
    if url.get_backend_name() == "sqlite" and url.database and Path(url.database).exists():
        parser.error(f"{url.database} exists; the generator fills an empty database")
    report = generate(args.url, args.scale, args.seed)
    print(report.line())


if __name__ == "__main__":
    main()
