"""Property tests of the write path, through HTTP on the in-process app.

A hypothesis state machine runs random sequences of writes (create, patch and delete
organizations; put and delete memberships; link and unlink threats) against a fresh copy of the
seeded database per example, and keeps a model of what each write should leave:

- a valid write answers 2xx, bumps the data version by one, adds one audit entry, and every read
  afterwards returns what the model holds;
- an invalid write (duplicate slug, unknown country or source, end before start, unknown field,
  over-long string, stale If-Match, unknown organization) answers 4xx and changes nothing: the
  data version, the audit count and the resource read back are as before.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from app.organizations.models import MembershipRole, OrganizationKind
from tests.databases import copy_database, drop_database
from tests.outside_in.support import BlockingClient, blocking_client, new_key, writable_app

pytestmark = pytest.mark.slow  # a hypothesis state machine, a database copy per example

SETTINGS = settings(
    max_examples=15,
    stateful_step_count=25,
    deadline=None,
    derandomize=True,
    database=None,
    # A failing sequence is printed step by step; shrinking it can take minutes.
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
KINDS = [kind.value for kind in OrganizationKind]
ROLES = [role.value for role in MembershipRole]

# Text as curators type it, from every script, but without the control characters the input
# schemas refuse.
text = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), min_size=1, max_size=30
)
dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2030, 12, 31))
slugs = st.sampled_from([f"pt-{name}" for name in ("alpha", "bravo", "charlie", "delta")])
picks = st.lists(st.integers(0, 4), min_size=1, max_size=3, unique=True)


@dataclass
class Organization:
    name: str
    kind: str
    sources: list[str]
    acronym: str | None = None
    description: str | None = None
    founded_date: date | None = None
    ended_date: date | None = None
    universal: bool = False
    threats: set[str] = field(default_factory=set)


@dataclass
class Context:
    template: str
    directory: Path


CONTEXT: list[Context] = []


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _precision(value: date | None) -> str | None:
    return "day" if value else None


class WritePath(RuleBasedStateMachine):
    memberships = Bundle("memberships")

    def __init__(self) -> None:
        super().__init__()
        context = CONTEXT[-1]
        self.url = copy_database(context.template, context.directory)
        key = new_key(self.url)
        self._client = blocking_client(writable_app(self.url), key)
        self.api: BlockingClient = self._client.__enter__()
        self.sources = [s["id"] for s in self.get("/v1/sources?limit=5")["data"]]
        self.countries = [c["iso3"] for c in self.get("/v1/countries?limit=5")["data"]]
        self.threats = [t["slug"] for t in self.get("/v1/threat-categories?limit=5")["data"]]
        self.seeded_slug = self.get("/v1/organizations?limit=1")["data"][0]["slug"]
        self.organizations: dict[str, Organization] = {}
        self.periods: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.version, self.audited = self.counters()

    def teardown(self) -> None:
        self._client.__exit__(None, None, None)
        drop_database(self.url)

    # --- reading -------------------------------------------------------------------------

    def get(self, path: str) -> Any:
        response = self.api.request("GET", path)
        assert response.status_code == 200, (path, response.status_code, response.text)
        return response.json()

    def counters(self) -> tuple[int, int]:
        version = self.get("/v1/meta")["data_version"]
        audited = self.get("/v1/audit?limit=1")["meta"]["total"]
        return version, audited

    def snapshot(self, slug: str) -> tuple[int, Any]:
        response = self.api.request("GET", f"/v1/organizations/{slug}")
        return response.status_code, response.json()

    def etag(self, slug: str) -> str:
        response = self.api.request("GET", f"/v1/organizations/{slug}")
        assert response.status_code == 200, response.text
        return response.headers["ETag"]

    def expected(self, slug: str) -> dict[str, Any]:
        org = self.organizations[slug]
        return {
            "slug": slug,
            "name": org.name,
            "kind": org.kind,
            "acronym": org.acronym,
            "description": org.description,
            "founded_date": _iso(org.founded_date),
            "founded_precision": _precision(org.founded_date),
            "ended_date": _iso(org.ended_date),
            "ended_precision": _precision(org.ended_date),
            "universal": org.universal,
            "sources": sorted(org.sources),
            "threats": sorted(org.threats),
        }

    @staticmethod
    def observed(detail: dict[str, Any]) -> dict[str, Any]:
        return {
            **{k: v for k, v in detail.items() if k not in ("name_id", "sources", "threats")},
            "sources": sorted(s["source_id"] for s in detail["sources"]),
            "threats": sorted(t["slug"] for t in detail["threats"]),
        }

    # --- writing -------------------------------------------------------------------------

    def valid(self, method: str, path: str, expected: int, **kwargs: Any) -> dict[str, Any] | None:
        response = self.api.request(method, path, **kwargs)
        assert response.status_code == expected, (method, path, kwargs, response.text)
        version, audited = self.counters()
        assert (version, audited) == (self.version + 1, self.audited + 1), "one bump, one entry"
        self.version, self.audited = version, audited
        return response.json() if response.content else None

    def invalid(self, method: str, path: str, statuses: set[int], slug: str, **kwargs: Any) -> None:
        before = self.snapshot(slug)
        response = self.api.request(method, path, **kwargs)
        assert response.status_code in statuses, (method, path, kwargs, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert self.counters() == (self.version, self.audited), "an invalid write changed data"
        assert self.snapshot(slug) == before

    def body(self, data: st.DataObject, *, create: bool) -> dict[str, Any]:
        body: dict[str, Any] = {}
        if create or data.draw(st.booleans()):
            body["name"] = data.draw(text)
        if create or data.draw(st.booleans()):
            body["kind"] = data.draw(st.sampled_from(KINDS))
        for name, values in (
            ("acronym", st.none() | text.map(lambda s: s[:40])),
            ("description", st.none() | text),
            ("founded_date", st.none() | dates),
            ("ended_date", st.none() | dates),
            ("universal", st.booleans()),
        ):
            if data.draw(st.booleans()):
                body[name] = data.draw(values, label=name)
        if create or data.draw(st.booleans()):
            body["sources"] = [{"source": self.sources[i]} for i in data.draw(picks)]
        return body

    @staticmethod
    def encoded(body: dict[str, Any]) -> dict[str, Any]:
        return {k: v.isoformat() if isinstance(v, date) else v for k, v in body.items()}

    # --- valid writes --------------------------------------------------------------------

    @rule(slug=slugs, data=st.data())
    def create_organization(self, slug: str, data: st.DataObject) -> None:
        body = self.body(data, create=True)
        founded, ended = body.get("founded_date"), body.get("ended_date")
        if founded and ended and ended <= founded:
            status = 422  # the body is checked before the stored data
        elif slug in self.organizations:
            status = 409
        else:
            status = 201
        if status != 201:
            self.invalid(
                "POST",
                "/v1/organizations",
                {status},
                slug,
                json={"slug": slug, **self.encoded(body)},
            )
            return
        created = self.valid(
            "POST", "/v1/organizations", 201, json={"slug": slug, **self.encoded(body)}
        )
        sources = [s["source"] for s in body.pop("sources")]
        self.organizations[slug] = Organization(**body, sources=sources)
        assert created is not None and self.observed(created) == self.expected(slug)

    @precondition(lambda self: self.organizations)
    @rule(data=st.data(), if_match=st.sampled_from(["none", "current", "any"]))
    def patch_organization(self, data: st.DataObject, if_match: str) -> None:
        slug = data.draw(st.sampled_from(sorted(self.organizations)))
        body = self.body(data, create=False)
        headers = {"current": {"If-Match": self.etag(slug)}, "any": {"If-Match": "*"}}
        org = self.organizations[slug]
        founded = body.get("founded_date", org.founded_date)
        ended = body.get("ended_date", org.ended_date)
        path = f"/v1/organizations/{slug}"
        kwargs = {"json": self.encoded(body), "headers": headers.get(if_match, {})}
        if founded and ended and ended <= founded:
            self.invalid("PATCH", path, {422}, slug, **kwargs)
            return
        updated = self.valid("PATCH", path, 200, **kwargs)
        if "sources" in body:
            org.sources = [s["source"] for s in body.pop("sources")]
        for name, value in body.items():
            setattr(org, name, value)
        assert updated is not None and self.observed(updated) == self.expected(slug)
        latest = self.get(f"/v1/audit?entity=organization&entity_id={slug}&limit=1")["data"][0]
        assert latest["operation"] == "update" and latest["after"] == updated

    @precondition(lambda self: self.organizations)
    @rule(data=st.data())
    def delete_organization(self, data: st.DataObject) -> None:
        slug = data.draw(st.sampled_from(sorted(self.organizations)))
        self.valid("DELETE", f"/v1/organizations/{slug}", 204)
        del self.organizations[slug]
        self.periods = {k: v for k, v in self.periods.items() if k[0] != slug}

    @precondition(lambda self: self.organizations)
    @rule(target=memberships, data=st.data(), country=st.integers(0, 4))
    def put_membership(self, data: st.DataObject, country: int) -> tuple[str, str]:
        slug = data.draw(st.sampled_from(sorted(self.organizations)))
        code = self.countries[country]
        periods = []
        for role in data.draw(
            st.lists(st.sampled_from(ROLES), min_size=1, max_size=2, unique=True)
        ):
            start = data.draw(st.none() | dates)
            later = (
                dates if start is None else st.dates(start + timedelta(days=1), date(2031, 1, 1))
            )
            end = data.draw(st.none() | later)
            period: dict[str, Any] = {
                "role": role,
                "start_date": _iso(start),
                "end_date": _iso(end),
                "certainty": data.draw(st.sampled_from(["confirmed", "unconfirmed", "disputed"])),
                "note": data.draw(st.none() | text),
                "sources": [{"source": self.sources[i]} for i in data.draw(picks)],
            }
            periods.append(period)
        self.valid(
            "PUT", f"/v1/organizations/{slug}/members/{code}", 200, json={"periods": periods}
        )
        self.periods[slug, code] = periods
        return slug, code

    @rule(membership=consumes(memberships))
    def delete_membership(self, membership: tuple[str, str]) -> None:
        slug, code = membership
        path = f"/v1/organizations/{slug}/members/{code}"
        if membership not in self.periods:  # deleted with its organization, or replaced
            response = self.api.request("DELETE", path)
            assert response.status_code == 404, response.text
            return
        self.valid("DELETE", path, 204)
        del self.periods[membership]

    @precondition(lambda self: self.organizations)
    @rule(data=st.data(), threat=st.integers(0, 4))
    def link_threat(self, data: st.DataObject, threat: int) -> None:
        slug = data.draw(st.sampled_from(sorted(self.organizations)))
        if threat >= len(self.threats):
            return
        self.valid("PUT", f"/v1/organizations/{slug}/threats/{self.threats[threat]}", 200)
        self.organizations[slug].threats.add(self.threats[threat])

    @precondition(lambda self: any(o.threats for o in self.organizations.values()))
    @rule(data=st.data())
    def unlink_threat(self, data: st.DataObject) -> None:
        linked = sorted((s, t) for s, o in self.organizations.items() for t in o.threats)
        slug, threat = data.draw(st.sampled_from(linked))
        self.valid("DELETE", f"/v1/organizations/{slug}/threats/{threat}", 204)
        self.organizations[slug].threats.discard(threat)

    # --- invalid writes ------------------------------------------------------------------

    @rule(data=st.data())
    def create_duplicate_of_seeded(self, data: st.DataObject) -> None:
        body = {"slug": self.seeded_slug, **self.encoded(self.body(data, create=True))}
        body.pop("ended_date", None)
        self.invalid("POST", "/v1/organizations", {409}, self.seeded_slug, json=body)

    @precondition(lambda self: self.organizations)
    @rule(data=st.data(), mistake=st.sampled_from(["field", "long-name", "long-acronym", "source"]))
    def patch_with_a_mistake(self, data: st.DataObject, mistake: str) -> None:
        slug = data.draw(st.sampled_from(sorted(self.organizations)))
        mistakes: dict[str, dict[str, Any]] = {
            "field": {"name": "x", "headquarters": "Jakarta"},
            "long-name": {"name": "n" * 201},
            "long-acronym": {"acronym": "A" * 41},
            "source": {"sources": [{"source": "no-such-source-anywhere"}]},
        }
        body = mistakes[mistake]
        self.invalid("PATCH", f"/v1/organizations/{slug}", {422}, slug, json=body)

    @precondition(lambda self: self.organizations)
    @rule(data=st.data(), delete=st.booleans())
    def write_with_a_stale_tag(self, data: st.DataObject, delete: bool) -> None:
        slug = data.draw(st.sampled_from(sorted(self.organizations)))
        stale = self.etag(slug)
        description = data.draw(text)
        self.valid("PATCH", f"/v1/organizations/{slug}", 200, json={"description": description})
        self.organizations[slug].description = description
        headers = {"If-Match": stale}
        if delete:
            self.invalid("DELETE", f"/v1/organizations/{slug}", {412}, slug, headers=headers)
        else:
            body = {"description": data.draw(text)}
            self.invalid(
                "PATCH", f"/v1/organizations/{slug}", {412}, slug, json=body, headers=headers
            )

    @precondition(lambda self: self.organizations)
    @rule(data=st.data(), mistake=st.sampled_from(["country", "period", "organization", "twice"]))
    def put_membership_with_a_mistake(self, data: st.DataObject, mistake: str) -> None:
        slug = data.draw(st.sampled_from(sorted(self.organizations)))
        start = data.draw(dates)
        period = {
            "role": "member",
            "start_date": start.isoformat(),
            "sources": [{"source": self.sources[0]}],
        }
        code, target, periods = self.countries[0], slug, [period]
        if mistake == "country":
            code = "ZZZ"
        elif mistake == "period":
            end = start - timedelta(days=data.draw(st.integers(0, 3000)))
            period["end_date"] = end.isoformat()
        elif mistake == "organization":
            target = "pt-never-created"
        else:
            periods = [period, period]
        path = f"/v1/organizations/{target}/members/{code}"
        self.invalid("PUT", path, {404, 422}, slug, json={"periods": periods})

    # --- reads return what was written ---------------------------------------------------

    @invariant()
    def reads_return_what_was_written(self) -> None:
        for slug in self.organizations:
            assert self.observed(self.get(f"/v1/organizations/{slug}")) == self.expected(slug)
        for code in self.countries:
            stored = [
                m
                for m in self.get(f"/v1/countries/{code}/memberships")["data"]
                if m["organization"]["slug"].startswith("pt-")
            ]
            observed = sorted(
                (
                    m["organization"]["slug"],
                    m["role"],
                    m["start_date"],
                    m["end_date"],
                    m["certainty"],
                    m["note"],
                    tuple(sorted(s["source_id"] for s in m["sources"])),
                )
                for m in stored
            )
            expected = sorted(
                (
                    slug,
                    p["role"],
                    p["start_date"],
                    p["end_date"],
                    p["certainty"],
                    p["note"],
                    tuple(sorted(s["source"] for s in p["sources"])),
                )
                for (slug, c), periods in self.periods.items()
                if c == code
                for p in periods
            )
            assert observed == expected


def test_writes_then_reads_return_what_was_written(template_url: str, tmp_path: Path) -> None:
    CONTEXT.append(Context(template_url, tmp_path))
    try:
        run_state_machine_as_test(WritePath, settings=SETTINGS)
    finally:
        CONTEXT.pop()
