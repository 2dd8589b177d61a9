"""A database seeded before the December 2026 corrections of two membership starts takes them
through the migration, so that a re-seed updates those memberships instead of adding a second
one beside each."""

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from app.core.config import Settings
from app.core.db import create_db_engine, session_factory
from app.countries.models import Country
from app.organizations.models import Membership, Organization
from seed.loader import load_seed
from tests.databases import copy_database, drop_database
from tests.migrations.test_migrations import run_alembic

CORRECTED = {("admm", "TLS", "observer"): "2023-11-01", ("sco", "BLR", "member"): "2024-07-04"}
BEFORE = {("admm", "TLS", "observer"): "2024-03-01", ("sco", "BLR", "member"): "2024-07-01"}


@pytest.fixture
def engine(template_url: str, tmp_path: Path) -> Iterator[Engine]:
    url = copy_database(template_url, tmp_path)
    engine = create_db_engine(Settings(database_url=url))
    yield engine
    engine.dispose()
    drop_database(url)


def _starts(engine: Engine) -> dict[tuple[str, str, str], list[str]]:
    starts: dict[tuple[str, str, str], list[str]] = {}
    with session_factory(engine)() as session:
        rows = session.execute(
            select(Organization.slug, Country.iso3, Membership.role, Membership.start_date)
            .join(Organization, Membership.organization_id == Organization.id)
            .join(Country, Membership.country_id == Country.id)
        )
        for slug, iso3, role, start in rows:
            key = (slug, iso3, str(role))
            if key in CORRECTED:
                assert isinstance(start, date)
                starts.setdefault(key, []).append(start.isoformat())
    return starts


def test_the_corrected_starts_move_and_a_reseed_adds_no_duplicate(engine: Engine) -> None:
    assert _starts(engine) == {key: [day] for key, day in CORRECTED.items()}
    # The step down restores the starts a database seeded before the correction has.
    run_alembic(engine, "downgrade", "5d1e7a9c3b20")
    assert _starts(engine) == {key: [day] for key, day in BEFORE.items()}

    run_alembic(engine, "upgrade", "head")
    assert _starts(engine) == {key: [day] for key, day in CORRECTED.items()}
    with session_factory(engine).begin() as session:
        report = load_seed(session)
    assert report.created["memberships"] == 0
    assert _starts(engine) == {key: [day] for key, day in CORRECTED.items()}
