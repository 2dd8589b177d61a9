"""A property of dated threat links (issue 15), through HTTP: for random organizations,
memberships, threat links and periods, written through the API with a curator key, the
threats of a tie in a year are exactly the linked threats whose period covers part of that
year's tie, as computed here in plain Python from what was written; and a country's partners
for a threat (in a year, and over all years from the per-pair aggregates) follow the same
rule.

Two countries with no seeded tie (Vanuatu and Samoa) share only the organizations written
here; each example deletes its organizations at the end, so examples do not meet.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import count
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.periods import Span
from tests.outside_in.support import BlockingClient, blocking_client, new_key, writable_app

pytestmark = pytest.mark.slow  # a hypothesis test, many writes per example

COUNTRY, PARTNER = "VUT", "WSM"
THREATS = ("cybercrime", "maritime-security-threats", "terrorism")
SOURCES = [{"source": "article", "locator": "property test"}]
YEARS = st.integers(1975, 2032)
_numbers = count(1)


def _later(start: date) -> st.SearchStrategy[date | None]:
    """No end, or an end after `start`."""
    return st.one_of(st.none(), st.integers(1, 6000).map(lambda days: start + timedelta(days)))


@dataclass
class Written:
    """One organization as written: its founding, both members' periods, its links."""

    founded: date | None
    members: dict[str, Span]
    links: dict[str, Span | None]  # None: undated
    slug: str = field(default_factory=lambda: f"property-pact-{next(_numbers)}")


@st.composite
def organizations(draw: st.DrawFn) -> Written:
    founded = draw(st.one_of(st.none(), st.dates(date(1980, 1, 1), date(2005, 12, 31))))
    members = {}
    for code in (COUNTRY, PARTNER):
        start = draw(st.one_of(st.none(), st.dates(date(1975, 1, 1), date(2020, 12, 31))))
        end = draw(_later(start or date(1990, 1, 1)))
        members[code] = Span(start, end)
    links: dict[str, Span | None] = {}
    for threat in draw(st.lists(st.sampled_from(THREATS), min_size=1, max_size=3, unique=True)):
        if draw(st.booleans()):
            links[threat] = None
            continue
        # A link lies within its organization's period: not before its founding.
        start = draw(st.dates(founded or date(1980, 1, 1), date(2028, 12, 31)))
        links[threat] = Span(start, draw(_later(start)))
    return Written(founded, members, links)


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _write(api: BlockingClient, written: Written) -> None:
    created = api.request(
        "POST",
        "/v1/organizations",
        json={
            "slug": written.slug,
            "name": f"Property Pact {written.slug}",
            "kind": "security_dialogue",
            "founded_date": _iso(written.founded),
            "sources": SOURCES,
        },
    )
    assert created.status_code == 201, created.text
    for code, span in written.members.items():
        period = {"role": "member", "start_date": _iso(span.start), "end_date": _iso(span.end)}
        put = api.request(
            "PUT",
            f"/v1/organizations/{written.slug}/members/{code}",
            json={"periods": [{**period, "sources": SOURCES}]},
        )
        assert put.status_code == 200, put.text
    for threat, link in written.links.items():
        body = (
            None
            if link is None
            else {"start_date": _iso(link.start), "end_date": _iso(link.end), "sources": SOURCES}
        )
        put = api.request("PUT", f"/v1/organizations/{written.slug}/threats/{threat}", json=body)
        assert put.status_code == 200, put.text


def _get(api: BlockingClient, path: str, **params: Any) -> Any:
    response = api.request("GET", path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def _validity(api: BlockingClient, code: str) -> Span:
    country = _get(api, f"/v1/countries/{code}")
    return Span(
        date.fromisoformat(country["valid_from"]) if country["valid_from"] else None,
        date.fromisoformat(country["valid_until"]) if country["valid_until"] else None,
    )


def _within(*spans: Span) -> Span | None:
    """The days every span covers (None: none)."""
    shared: Span | None = Span(None, None)
    for span in spans:
        shared = shared.overlap(span) if shared is not None else None
    return shared


def _tie(written: Written, validity: list[Span]) -> Span | None:
    """The reference tie: both memberships, from the founding, while both countries exist."""
    return _within(*written.members.values(), Span(written.founded, None), *validity)


def _threats(written: Written, tie: Span | None, window: Span) -> set[str]:
    """The linked threats whose period covers part of the tie within the window."""
    held = _within(tie, window) if tie is not None else None
    if held is None:
        return set()
    return {
        threat
        for threat, link in written.links.items()
        if _within(held, link or Span(None, None)) is not None
    }


@pytest.fixture
def api(fresh_url: str) -> Any:
    with blocking_client(writable_app(fresh_url), new_key(fresh_url)) as client:
        yield client


@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    written=st.lists(organizations(), min_size=1, max_size=2),
    years=st.lists(YEARS, min_size=3, max_size=5, unique=True),
)
def test_the_threats_of_a_tie_in_a_year_are_the_links_that_hold(
    api: BlockingClient, written: list[Written], years: list[int]
) -> None:
    validity = [_validity(api, COUNTRY), _validity(api, PARTNER)]
    try:
        for organization in written:
            _write(api, organization)
        ties = {organization.slug: _tie(organization, validity) for organization in written}
        for year in years:
            window = Span.of_years(year, year)
            pair = _get(
                api,
                f"/v1/countries/{COUNTRY}/partners/{PARTNER}",
                year=year,
                channel="organization",
            )
            found = {
                t["initiative"]["slug"]: {x["slug"] for x in t["threats"]} for t in pair["data"]
            }
            expected = {
                o.slug: _threats(o, tie, window)
                for o in written
                if (tie := ties[o.slug]) is not None and _within(tie, window) is not None
            }
            assert found == expected, (year, written)
            for threat in THREATS:
                partners = _get(
                    api, f"/v1/countries/{COUNTRY}/partners", threat=threat, year=year, limit=500
                )
                listed = PARTNER in {p["partner"]["iso3"] for p in partners["data"]}
                assert listed == any(threat in threats for threats in expected.values())
        # Over all years, from the per-pair aggregates.
        for threat in THREATS:
            partners = _get(api, f"/v1/countries/{COUNTRY}/partners", threat=threat, limit=500)
            listed = PARTNER in {p["partner"]["iso3"] for p in partners["data"]}
            anytime = Span(None, None)
            assert listed == any(threat in _threats(o, ties[o.slug], anytime) for o in written)
    finally:
        for organization in written:
            api.request("DELETE", f"/v1/organizations/{organization.slug}")
