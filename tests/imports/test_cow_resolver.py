"""COW codes resolve to countries through their periods, as an importer resolves them
(`CountryResolver.by_cow`, `by_cow_year`), on the seeded database of every backend. The
expected periods are read straight from the bundled states2016.csv."""

import csv
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.core.config import PROJECT_ROOT, Settings
from app.core.db import create_db_engine, session_factory
from app.countries.models import Country
from app.imports.countries import CountryResolver

STATES = PROJECT_ROOT / "seed" / "datasets" / "cow-states-2016" / "states2016.csv"


def _spells(code: int) -> list[tuple[date, date]]:
    """The (first day, last day) of each spell of a COW code, from the file."""
    with STATES.open(encoding="utf-8", newline="") as handle:
        return [
            (
                date(int(row["styear"]), int(row["stmonth"]), int(row["stday"])),
                date(int(row["endyear"]), int(row["endmonth"]), int(row["endday"])),
            )
            for row in csv.DictReader(handle)
            if int(row["ccode"]) == code
        ]


@pytest.fixture(scope="module")
def resolver_and_ids(seeded_url: str) -> Iterator[tuple[CountryResolver, dict[str, int]]]:
    engine = create_db_engine(Settings(database_url=seeded_url))
    with session_factory(engine)() as session:
        ids = dict(session.execute(select(Country.iso3, Country.id)).all())
        yield CountryResolver.from_database(session), ids
    engine.dispose()


def test_german_codes_resolve_by_date(
    resolver_and_ids: tuple[CountryResolver, dict[str, int]],
) -> None:
    resolver, ids = resolver_and_ids
    ((gfr_start, gfr_end),) = _spells(260)
    (_, reich_end), (unified_start, _) = _spells(255)
    assert resolver.by_cow(260, gfr_start) == ids["DEU"]
    assert resolver.by_cow(260, gfr_end) == ids["DEU"]
    assert resolver.by_cow(260, gfr_end + timedelta(days=1)) is None
    assert resolver.by_cow(260, gfr_start - timedelta(days=1)) is None
    assert resolver.by_cow(255, reich_end) == ids["DEU"]
    assert resolver.by_cow(255, reich_end + timedelta(days=1)) is None
    assert resolver.by_cow(255, date(1980, 1, 1)) is None
    assert resolver.by_cow(255, unified_start) == ids["DEU"]
    assert resolver.by_cow(265, date(1980, 1, 1)) == ids["DDR"]
    assert resolver.by_cow_year(260, 1980) == ids["DEU"]
    assert resolver.by_cow_year(255, 1980) is None


def test_czechoslovakia_then_czechia(
    resolver_and_ids: tuple[CountryResolver, dict[str, int]],
) -> None:
    resolver, ids = resolver_and_ids
    ((czechia_start, _),) = _spells(316)
    assert resolver.by_cow(315, date(1990, 1, 1)) == ids["CSK"]
    assert resolver.by_cow(315, czechia_start - timedelta(days=1)) == ids["CSK"]
    assert resolver.by_cow(315, czechia_start) is None
    assert resolver.by_cow(316, czechia_start) == ids["CZE"]
    assert resolver.by_cow(316, czechia_start - timedelta(days=1)) is None
    # The occupation: COW has no Czechoslovakia from 1939-03-16 to 1945-05-09.
    assert resolver.by_cow(315, date(1942, 1, 1)) is None


def test_shared_codes_follow_the_countries_validity(
    resolver_and_ids: tuple[CountryResolver, dict[str, int]],
) -> None:
    resolver, ids = resolver_and_ids
    assert resolver.by_cow(365, date(1900, 1, 1)) == ids["RUS"]
    assert resolver.by_cow(365, date(1980, 1, 1)) == ids["SUN"]
    assert resolver.by_cow(365, date(1991, 12, 25)) == ids["SUN"]
    assert resolver.by_cow(365, date(1991, 12, 26)) == ids["RUS"]
    assert resolver.by_cow_year(365, 1991) == ids["SUN"]  # held it until 25 December
    assert resolver.by_cow_year(365, 1992) == ids["RUS"]
    assert resolver.by_cow(345, date(1980, 1, 1)) == ids["YUG"]
    assert resolver.by_cow(345, date(2004, 1, 1)) == ids["SCG"]
    assert resolver.by_cow(345, date(2010, 1, 1)) == ids["SRB"]
    assert resolver.by_cow_year(345, 2006) == ids["SRB"]  # from 5 June: the longer part


def test_states_without_a_country_become_historical_ones(
    resolver_and_ids: tuple[CountryResolver, dict[str, int]],
) -> None:
    resolver, ids = resolver_and_ids
    assert resolver.by_cow(245, date(1850, 1, 1)) == ids["XBV"]  # Bavaria
    assert resolver.by_cow(300, date(1900, 1, 1)) == ids["XAH"]  # Austria-Hungary
    assert resolver.by_cow(640, date(1850, 1, 1)) == ids["TUR"]  # the Ottoman Empire is 640
    assert resolver.by_cow(245, date(1880, 1, 1)) is None
    assert resolver.by_cow(999, date(1980, 1, 1)) is None
