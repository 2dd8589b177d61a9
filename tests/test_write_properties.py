"""Property tests of the write path (hypothesis): any sequence of valid writes followed by
reads returns what was written; any invalid write changes nothing."""

import asyncio
import re
import string
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.config import Settings
from app.main import create_app
from tests.conftest import client_for, make_key

KINDS = ["alliance", "regional_organization", "defense_forum", "security_dialogue"]
COUNTRIES = ["IDN", "MYS", "SGP", "THA", "PHL", "VNM", "AUS", "NZL"]
SOURCES = ["article", "mme-v7", "asean-admm-inaugural", "dvids"]

slugs = st.text(string.ascii_lowercase + string.digits, min_size=1, max_size=12).map(
    lambda text: f"prop-{text}"
)
names = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), min_size=1, max_size=60
)
days = st.dates(min_value=date(1900, 1, 1), max_value=date(2030, 12, 31))
citations = st.lists(
    st.builds(
        lambda source, locator: {"source": source, "locator": locator},
        st.sampled_from(SOURCES),
        st.none() | st.text(string.ascii_letters + " .", min_size=1, max_size=20),
    ),
    min_size=1,
    max_size=3,
    unique_by=lambda c: (c["source"], c["locator"]),
)
fields = st.fixed_dictionaries(
    {},
    optional={
        "name": names,
        "acronym": st.none() | st.text(string.ascii_uppercase, min_size=1, max_size=10),
        "kind": st.sampled_from(KINDS),
        "universal": st.booleans(),
        "description": st.none() | names,
        "founded_date": st.none() | days.map(date.isoformat),
    },
)


def _period(role: str, start: date, years: int | None) -> dict[str, Any]:
    end = None if years is None else (start + timedelta(days=365 * years)).isoformat()
    return {"role": role, "start_date": start.isoformat(), "end_date": end}


periods = st.lists(
    st.builds(
        _period,
        st.sampled_from(["member", "observer", "partner"]),
        st.dates(min_value=date(1950, 1, 1), max_value=date(2020, 12, 31)),
        st.none() | st.integers(1, 30),
    ),
    min_size=1,
    max_size=3,
    unique_by=lambda p: (p["role"], p["start_date"]),
)
writes = st.lists(
    st.one_of(
        st.tuples(st.just("patch"), fields),
        st.tuples(st.just("member"), st.sampled_from(COUNTRIES), periods, citations),
        st.tuples(st.just("unmember"), st.sampled_from(COUNTRIES)),
    ),
    max_size=6,
)


@pytest.fixture(scope="module")
def prop_app(writable_url: str) -> Iterator[tuple[FastAPI, str]]:
    app = create_app(Settings(database_url=writable_url, rate_limit_writes=1_000_000))
    yield app, make_key(writable_url, "property-tests")
    app.state.engine.dispose()


def _run(app: FastAPI, key: str, scenario: Any) -> None:
    async def main() -> None:
        async with client_for(app, key=key) as api:
            await scenario(api)

    asyncio.run(main())


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(slug=slugs, initial=fields, sources=citations, sequence=writes)
def test_valid_writes_read_back(
    prop_app: tuple[FastAPI, str],
    slug: str,
    initial: dict[str, Any],
    sources: list[dict[str, Any]],
    sequence: list[Any],
) -> None:
    app, key = prop_app

    async def scenario(api: httpx.AsyncClient) -> None:
        await api.delete(f"/v1/organizations/{slug}")
        body = {"name": "Property", "kind": "alliance", **initial, "slug": slug, "sources": sources}
        created = await api.post("/v1/organizations", json=body)
        assert created.status_code == 201, created.text
        expected = {k: v for k, v in body.items() if k != "sources"}
        members: dict[str, list[dict[str, Any]]] = {}
        for write in sequence:
            if write[0] == "patch":
                response = await api.patch(f"/v1/organizations/{slug}", json=write[1])
                assert response.status_code == 200, response.text
                expected.update(write[1])
            elif write[0] == "member":
                _, code, new_periods, cited = write
                payload = [{**p, "sources": cited} for p in new_periods]
                response = await api.put(
                    f"/v1/organizations/{slug}/members/{code}", json={"periods": payload}
                )
                assert response.status_code == 200, response.text
                members[code] = new_periods
            else:
                response = await api.delete(f"/v1/organizations/{slug}/members/{write[1]}")
                assert response.status_code == (204 if write[1] in members else 404)
                members.pop(write[1], None)
        detail = (await api.get(f"/v1/organizations/{slug}")).json()
        for name, value in expected.items():
            assert detail[name] == value, name
        cited = sorted((s["source_id"], s["locator"] or "") for s in detail["sources"])
        assert cited == sorted((s["source"], s["locator"] or "") for s in sources)
        for code, written in members.items():
            history = await api.get(f"/v1/countries/{code}/memberships")
            stored = [
                {k: m[k] for k in ("role", "start_date", "end_date")}
                for m in history.json()["data"]
                if m["organization"]["slug"] == slug
            ]
            assert sorted(stored, key=str) == sorted(written, key=str)

    _run(app, key, scenario)


invalid_bodies = st.one_of(
    st.fixed_dictionaries({"name": st.just("")}),
    st.fixed_dictionaries({"kind": st.text(max_size=10).filter(lambda k: k not in KINDS)}),
    st.fixed_dictionaries({"sources": st.just([])}),
    st.fixed_dictionaries({"sources": st.just([{"source": "no-such-source"}])}),
    st.fixed_dictionaries({"unknown_field": st.integers()}),
    st.fixed_dictionaries({"name": st.text(min_size=1, max_size=5).map(lambda t: t + "\x00")}),
    st.fixed_dictionaries(
        {"founded_date": st.just("2000-01-01"), "ended_date": st.just("1999-12-31")}
    ),
    st.fixed_dictionaries(
        {
            "founded_date": st.text(max_size=12).filter(
                lambda t: not re.fullmatch(r"\d{4}-\d{2}-\d{2}", t)
            )
        }
    ),
)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=invalid_bodies, member=st.booleans())
def test_invalid_writes_change_nothing(
    prop_app: tuple[FastAPI, str], body: dict[str, Any], member: bool
) -> None:
    app, key = prop_app

    async def scenario(api: httpx.AsyncClient) -> None:
        meta = (await api.get("/v1/meta")).json()
        nato = (await api.get("/v1/organizations/nato")).json()
        if member:
            period = {"role": "member", "start_date": "2020-01-01", "sources": [{"source": "x"}]}
            response = await api.put(
                "/v1/organizations/nato/members/IDN", json={"periods": [{**period, **body}]}
            )
        else:
            response = await api.patch("/v1/organizations/nato", json=body)
        assert response.status_code == 422, response.text
        assert (await api.get("/v1/meta")).json() == meta
        assert (await api.get("/v1/organizations/nato")).json() == nato

    _run(app, key, scenario)
