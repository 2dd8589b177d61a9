import httpx
import pytest

pytestmark = pytest.mark.anyio


async def _members(api: httpx.AsyncClient, slug: str, day: str, role: str = "member") -> set[str]:
    response = await api.get(
        f"/v1/organizations/{slug}/members", params={"as_of": day, "role": role}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["as_of"] == day
    assert body["meta"]["total"] == len(body["data"])
    return {member["country"]["iso3"] for member in body["data"]}


@pytest.mark.parametrize(
    ("day", "count"),
    [
        ("1949-04-03", 0),
        ("1949-04-04", 12),
        ("1952-02-18", 14),
        ("1955-05-06", 15),
        ("1982-05-30", 16),
        ("1999-03-12", 19),
        ("2004-03-29", 26),
        ("2009-04-01", 28),
        ("2017-06-05", 29),
        ("2020-03-27", 30),
        ("2023-04-04", 31),
        ("2024-03-06", 31),
        ("2024-03-07", 32),
    ],
)
async def test_nato_membership_on_a_date(api: httpx.AsyncClient, day: str, count: int) -> None:
    assert len(await _members(api, "nato", day)) == count


async def test_nato_enlargements_name_the_right_countries(api: httpx.AsyncClient) -> None:
    before = await _members(api, "nato", "2004-03-28")
    after = await _members(api, "nato", "2004-03-29")
    assert after - before == {"BGR", "EST", "LVA", "LTU", "ROU", "SVK", "SVN"}
    assert "SWE" not in await _members(api, "nato", "2024-03-06")
    assert "SWE" in await _members(api, "nato", "2024-03-07")


async def test_asean_before_and_after_timor_leste(api: httpx.AsyncClient) -> None:
    before = await _members(api, "asean", "2025-10-25")
    after = await _members(api, "asean", "2025-10-26")
    assert len(before) == 10
    assert after == before | {"TLS"}
    assert "TLS" in await _members(api, "asean", "2025-10-25", role="observer")
    assert "TLS" not in await _members(api, "asean", "2025-10-26", role="observer")


async def test_disputed_and_unconfirmed_facts_say_so(api: httpx.AsyncClient) -> None:
    body = (await api.get("/v1/organizations/asean/members", params={"as_of": "2000-01-01"})).json()
    brunei = next(m for m in body["data"] if m["country"]["iso3"] == "BRN")
    # The ASEAN Secretariat's date is stored as confirmed; the other source's date is noted.
    assert brunei["certainty"] == "confirmed"
    assert "8 January 1984" in brunei["note"]
    admm = (
        await api.get(
            "/v1/organizations/admm/members", params={"as_of": "2026-01-01", "role": "member"}
        )
    ).json()
    timor = next(m for m in admm["data"] if m["country"]["iso3"] == "TLS")
    assert timor["certainty"] == "unconfirmed"


async def test_admm_plus_has_the_eight_plus_countries(api: httpx.AsyncClient) -> None:
    members = await _members(api, "admm-plus", "2010-10-12")
    assert {"AUS", "CHN", "IND", "JPN", "NZL", "KOR", "RUS", "USA"} <= members
    assert len(members) == 18


async def test_frozen_participation_is_noted(api: httpx.AsyncClient) -> None:
    body = (await api.get("/v1/organizations/csto/members", params={"as_of": "2025-01-01"})).json()
    armenia = next(m for m in body["data"] if m["country"]["iso3"] == "ARM")
    assert "froze" in armenia["note"].lower()


async def test_organization_detail_and_filters(api: httpx.AsyncClient) -> None:
    nato = (await api.get("/v1/organizations/nato")).json()
    assert nato["kind"] == "alliance"
    assert nato["founded_date"] == "1949-04-04"
    assert nato["sources"]
    slugs = {o["slug"] for o in (await api.get("/v1/organizations?limit=100")).json()["data"]}
    expected = {"nato", "asean", "admm", "admm-plus", "un", "five-eyes", "anzus", "aukus", "quad"}
    assert expected | {"sco", "csto"} <= slugs
    forums = (await api.get("/v1/organizations", params={"kind": "defense_forum"})).json()
    assert {o["slug"] for o in forums["data"]} == {"admm", "admm-plus", "shangri-la-dialogue"}
    cyber = (await api.get("/v1/organizations", params={"threat": "cyber-warfare"})).json()
    assert "nato" in {o["slug"] for o in cyber["data"]}


async def test_unknown_organization_is_404(api: httpx.AsyncClient) -> None:
    response = await api.get("/v1/organizations/warsaw-pact-2")
    assert response.status_code == 404
    assert "warsaw-pact-2" in response.json()["detail"]


async def test_members_mean_members_unless_other_roles_are_asked_for(
    api: httpx.AsyncClient,
) -> None:
    async def listed(day: str, **params: str | list[str]) -> list[dict[str, object]]:
        response = await api.get("/v1/organizations/asean/members", params={"as_of": day, **params})
        assert response.status_code == 200
        data: list[dict[str, object]] = response.json()["data"]
        return data

    assert len(await listed("2025-10-25")) == 10
    assert len(await listed("2025-10-27")) == 11
    assert {m["role"] for m in await listed("2025-10-25")} == {"member"}
    everyone = await listed("2025-10-25", role="any")
    assert len(everyone) == 11
    assert len(await listed("2025-10-25", role=["member", "observer"])) == 11
    observers = await listed("2025-10-25", role="observer")
    assert [m["country"]["iso3"] for m in observers] == ["TLS"]  # type: ignore[index]


async def test_members_answer_csv(api: httpx.AsyncClient) -> None:
    by_format = await api.get(
        "/v1/organizations/asean/members", params={"as_of": "2025-10-25", "format": "csv"}
    )
    by_accept = await api.get(
        "/v1/organizations/asean/members",
        params={"as_of": "2025-10-25"},
        headers={"Accept": "text/csv"},
    )
    for response in (by_format, by_accept):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/csv")
        header, *rows = response.text.strip().splitlines()
        assert "country.iso3" in header.split(",")
        assert len(rows) == 10
        assert not any("TLS" in row for row in rows)
    bad = await api.get("/v1/organizations/asean/members", params={"role": "emperor"})
    assert bad.status_code == 422
