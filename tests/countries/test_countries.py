import httpx
import pytest

pytestmark = pytest.mark.anyio


async def test_country_by_alpha3_alpha2_any_case(api: httpx.AsyncClient) -> None:
    for code in ("IDN", "idn", "ID", "id"):
        response = await api.get(f"/v1/countries/{code}")
        assert response.status_code == 200, code
        body = response.json()
        assert body["iso3"] == "IDN"
        assert body["name"] == "Indonesia"
        assert body["iso2"] == "ID"
        assert body["numeric_code"] == "360"
        assert body["cow_code"] == 850


@pytest.mark.parametrize(
    ("code", "cow_code", "name_id"),
    [
        ("USA", 2, "Amerika Serikat"),
        ("DEU", 255, "Jerman"),
        ("VNM", 816, "Vietnam"),
        ("TLS", 860, "Timor Leste"),
        ("SRB", 345, "Serbia"),
    ],
)
async def test_correlates_of_war_codes_and_indonesian_names(
    api: httpx.AsyncClient, code: str, cow_code: int, name_id: str
) -> None:
    body = (await api.get(f"/v1/countries/{code}")).json()
    assert body["cow_code"] == cow_code
    assert body["name_id"] == name_id


async def test_historical_states_and_kosovo(api: httpx.AsyncClient) -> None:
    ussr = (await api.get("/v1/countries/SUN")).json()
    assert ussr["kind"] == "historical"
    assert ussr["valid_until"] == "1991-12-26"
    assert ussr["cow_code"] == 365
    east_germany = (await api.get("/v1/countries/DDR")).json()
    assert east_germany["name"] == "East Germany"
    assert east_germany["valid_until"] == "1990-10-03"
    kosovo = (await api.get("/v1/countries/XKX")).json()
    assert kosovo["kind"] == "non_iso"
    historical = (await api.get("/v1/countries", params={"kind": "historical"})).json()
    codes = {country["iso3"] for country in historical["data"]}
    assert {"SUN", "DDR", "YUG", "CSK", "RVN"} <= codes


async def test_list_walks_every_country_once_through_cursors(api: httpx.AsyncClient) -> None:
    seen: list[str] = []
    url: str | None = "/v1/countries?limit=100"
    while url:
        response = await api.get(url)
        assert response.status_code == 200
        body = response.json()
        seen += [country["iso3"] for country in body["data"]]
        url = body["links"]["next"]
        if url:
            assert response.headers["link"] == f'<{url}>; rel="next"'
    assert len(seen) == len(set(seen)) == body["meta"]["total"]
    assert seen == sorted(seen)
    assert len(seen) >= 249 + 8  # ISO 3166-1 plus the historical and non-ISO entities


async def test_search_by_indonesian_name_and_region(api: httpx.AsyncClient) -> None:
    body = (await api.get("/v1/countries", params={"q": "jerman"})).json()
    assert [c["iso3"] for c in body["data"]] == ["DDR", "DEU"]  # Jerman Timur, Jerman
    body = (
        await api.get("/v1/countries", params={"region": "South-eastern Asia", "limit": 500})
    ).json()
    assert {"IDN", "MYS", "THA", "TLS"} <= {c["iso3"] for c in body["data"]}


async def test_sort_by_name_descending(api: httpx.AsyncClient) -> None:
    body = (await api.get("/v1/countries", params={"sort": "-name", "limit": 3})).json()
    names = [c["name"] for c in body["data"]]
    assert names == sorted(names, reverse=True)


async def test_unknown_country_is_404_with_suggestion(api: httpx.AsyncClient) -> None:
    response = await api.get("/v1/countries/IDM")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 404
    assert "IDM" in problem["detail"]
    assert "IDN" in problem["detail"]
    assert problem["instance"] == "/v1/countries/IDM"


async def test_country_memberships(api: httpx.AsyncClient) -> None:
    body = (await api.get("/v1/countries/IDN/memberships")).json()
    assert body["country"]["iso3"] == "IDN"
    by_org = {m["organization"]["slug"]: m for m in body["data"]}
    assert {"asean", "admm", "admm-plus"} <= set(by_org)
    assert by_org["asean"]["start_date"] == "1967-08-08"
    assert by_org["asean"]["sources"]


async def test_country_detail_shows_its_network_figures(api: httpx.AsyncClient) -> None:
    usa = (await api.get("/v1/countries/USA")).json()["network"]
    bhutan = (await api.get("/v1/countries/BTN")).json()["network"]
    assert usa["degree"] > 40  # NATO, ADMM-Plus, Five Eyes, ANZUS, AUKUS, Quad, exercises
    assert usa["ranks"]["degree"] == 1
    assert bhutan == {
        "network_size": usa["network_size"],
        "degree": 0,
        "weighted_degree": 0,
        "betweenness": 0.0,
        "ranks": None,
        "data_version": (await api.get("/v1/meta")).json()["data_version"],
    }
