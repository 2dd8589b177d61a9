"""Names in Indonesian (issue 16): `lang=id` or `Accept-Language: id`, through HTTP.

The expected names are read from the API's own English answers (each record's `name_id`),
never typed here: what is tested is that every embedded name follows the language asked for,
that a record without an Indonesian name keeps its English one and says so, and that the
cache and the ETags keep the two languages apart.
"""

import csv
import io
from typing import Any

import httpx
import networkx as nx  # type: ignore[import-untyped]
import pytest

pytestmark = pytest.mark.anyio


async def _json(api: httpx.AsyncClient, path: str, **kwargs: Any) -> Any:
    response = await api.get(path, **kwargs)
    assert response.status_code == 200, response.text
    return response.json()


async def _country_names(api: httpx.AsyncClient) -> dict[str, dict[str, Any]]:
    """Every country's English record (with its `name_id`), by ISO3."""
    countries: dict[str, dict[str, Any]] = {}
    path: str | None = "/v1/countries?limit=500"
    while path:
        page = await _json(api, path)
        countries |= {row["iso3"]: row for row in page["data"]}
        path = page["links"]["next"]
    return countries


def _indonesian(record: dict[str, Any]) -> tuple[str, str]:
    """The name and `name_lang` an Indonesian answer gives a country of this English record:
    its own Indonesian name, or (a COW state the seed names in English only) its English one."""
    if record["kind"] == "historical" and record["name_id"] == record["name"]:
        return record["name"], "en"
    return record["name_id"], "id"


async def test_country_detail_in_indonesian(api: httpx.AsyncClient) -> None:
    english = await api.get("/v1/countries/CHN")
    indonesian = await api.get("/v1/countries/CHN", params={"lang": "id"})
    assert english.status_code == indonesian.status_code == 200
    assert english.json()["name"] != english.json()["name_id"]  # a country that changes
    assert "name_lang" not in english.json()
    assert indonesian.json()["name"] == english.json()["name_id"]
    assert indonesian.json()["name_lang"] == "id"
    # Only the name changes.
    rest = {k: v for k, v in indonesian.json().items() if k not in ("name", "name_lang")}
    assert rest == {k: v for k, v in english.json().items() if k != "name"}
    assert english.headers["content-language"] == "en"
    assert indonesian.headers["content-language"] == "id"
    for response in (english, indonesian):
        assert "Accept-Language" in response.headers["vary"]


async def test_partners_embed_indonesian_countries_and_threats(api: httpx.AsyncClient) -> None:
    countries = await _country_names(api)
    threats = {t["slug"]: t["name_id"] for t in (await _json(api, "/v1/threat-categories"))["data"]}
    page = await _json(api, "/v1/countries/IDN/partners", params={"limit": 100, "lang": "id"})
    assert len(page["data"]) > 10
    for row in page["data"]:
        partner = row["partner"]
        assert (partner["name"], partner["name_lang"]) == _indonesian(countries[partner["iso3"]])
        for threat in row["threats"]:
            assert (threat["name"], threat["name_lang"]) == (threats[threat["slug"]], "id")


async def test_threat_detail_names_its_initiatives_in_indonesian(api: httpx.AsyncClient) -> None:
    english = await _json(api, "/v1/threat-categories/terrorism")
    indonesian = await _json(api, "/v1/threat-categories/terrorism", params={"lang": "id"})
    assert (indonesian["name"], indonesian["name_lang"]) == (english["name_id"], "id")
    assert indonesian["organizations"], "terrorism is addressed by organizations"
    for organization in indonesian["organizations"]:
        record = await _json(api, f"/v1/organizations/{organization['slug']}")
        assert organization["name"] == (record["name_id"] or record["name"])
        assert organization["name_lang"] == ("id" if record["name_id"] else "en")
    for mine, theirs in zip(indonesian["responses"], english["responses"], strict=True):
        assert (mine["name"], mine["name_lang"]) == (theirs["name_id"], "id")


async def test_organization_and_its_members_in_indonesian(api: httpx.AsyncClient) -> None:
    countries = await _country_names(api)
    nato = await _json(api, "/v1/organizations/nato")
    detail = await _json(api, "/v1/organizations/nato", params={"lang": "id"})
    assert (detail["name"], detail["name_lang"]) == (nato["name_id"], "id")
    assert detail["acronym"] == nato["acronym"]
    members = await _json(api, "/v1/organizations/asean/members", params={"lang": "id"})
    asean = await _json(api, "/v1/organizations/asean")
    assert members["organization"]["name"] == asean["name_id"]
    for member in members["data"]:
        country = member["country"]
        assert (country["name"], country["name_lang"]) == _indonesian(countries[country["iso3"]])


async def test_fallback_to_english_is_flagged(api: httpx.AsyncClient) -> None:
    """A COW state with no Indonesian name, and exercise editions (named by their organizers
    only), keep their English names, flagged `en`, beside Indonesian ones in one answer."""
    historical = await _json(api, "/v1/countries", params={"kind": "historical", "limit": 100})
    english_only = [c for c in historical["data"] if c["name"] == c["name_id"]]
    translated = [c for c in historical["data"] if c["name"] != c["name_id"]]
    assert english_only and translated
    for record in (english_only[0], translated[0]):
        got = await _json(api, f"/v1/countries/{record['iso3']}", params={"lang": "id"})
        assert (got["name"], got["name_lang"]) == _indonesian(record)
    pair = await _json(api, "/v1/countries/THA/partners/USA", params={"year": 2024})
    pair_id = await _json(
        api, "/v1/countries/THA/partners/USA", params={"year": 2024, "lang": "id"}
    )
    languages = set()
    for mine, theirs in zip(pair_id["data"], pair["data"], strict=True):
        initiative = mine["initiative"]
        languages.add(initiative["name_lang"])
        if initiative["kind"] == "exercise_edition":
            assert initiative["name"] == theirs["initiative"]["name"]
            assert initiative["name_lang"] == "en"
        elif initiative["kind"] == "organization":
            record = await _json(api, f"/v1/organizations/{initiative['slug']}")
            assert (initiative["name"], initiative["name_lang"]) == (record["name_id"], "id")
    assert languages == {"en", "id"}


async def test_csv_download_in_indonesian(api: httpx.AsyncClient) -> None:
    countries = await _country_names(api)
    path = "/v1/countries/IDN/partners"
    english = await api.get(path, params={"format": "csv"})
    indonesian = await api.get(path, params={"format": "csv", "lang": "id"})
    assert english.status_code == indonesian.status_code == 200
    assert indonesian.headers["content-language"] == "id"
    english_rows = list(csv.DictReader(io.StringIO(english.text)))
    rows = list(csv.DictReader(io.StringIO(indonesian.text)))
    assert "partner.name_lang" not in english_rows[0]
    assert [row["partner.iso3"] for row in rows] == [row["partner.iso3"] for row in english_rows]
    for row in rows:
        expected = _indonesian(countries[row["partner.iso3"]])
        assert (row["partner.name"], row["partner.name_lang"]) == expected


async def test_graphml_and_edge_list_in_indonesian(api: httpx.AsyncClient) -> None:
    countries = await _country_names(api)
    params = {"organization": "asean", "lang": "id"}
    graphml = await api.get("/v1/network", params={**params, "format": "graphml"})
    assert graphml.status_code == 200 and graphml.headers["content-language"] == "id"
    graph = nx.parse_graphml(graphml.text)
    assert graph.number_of_nodes() > 5
    for iso3, data in graph.nodes(data=True):
        assert (data["name"], data["name_lang"]) == _indonesian(countries[iso3])
    edges = await api.get("/v1/network", params={**params, "format": "csv"})
    for row in csv.DictReader(io.StringIO(edges.text)):
        for end in ("source", "target"):
            expected = _indonesian(countries[row[end]])
            assert (row[f"{end}_name"], row[f"{end}_name_lang"]) == expected
    english = await api.get("/v1/network", params={"organization": "asean", "format": "graphml"})
    assert all(
        "name_lang" not in data for _, data in nx.parse_graphml(english.text).nodes(data=True)
    )


@pytest.mark.parametrize(
    ("accept_language", "language"),
    [
        ("id", "id"),
        ("id-ID,id;q=0.9,en-US;q=0.8", "id"),
        ("fr;q=1, id;q=0.5", "id"),  # French is not offered: the next best is
        ("en;q=0.8, id;q=0.2", "en"),
        ("id;q=0, en", "en"),  # q=0: not acceptable
        ("fr", "en"),  # negotiation, not an error
        ("*", "en"),
    ],
)
async def test_accept_language_is_negotiated(
    api: httpx.AsyncClient, accept_language: str, language: str
) -> None:
    english = await _json(api, "/v1/threat-categories/cybercrime")
    response = await api.get(
        "/v1/threat-categories/cybercrime", headers={"Accept-Language": accept_language}
    )
    assert response.status_code == 200
    assert response.headers["content-language"] == language
    assert response.json()["name"] == (english["name_id"] if language == "id" else english["name"])
    assert ("name_lang" in response.json()) == (language == "id")


async def test_lang_parameter_wins_over_the_header(api: httpx.AsyncClient) -> None:
    response = await api.get(
        "/v1/threat-categories/cybercrime", params={"lang": "en"}, headers={"Accept-Language": "id"}
    )
    assert response.headers["content-language"] == "en"
    assert "name_lang" not in response.json()


async def test_languages_are_cached_apart(api: httpx.AsyncClient) -> None:
    path = "/v1/countries/IDN/partners?limit=5"
    first = await api.get(path)
    indonesian = await api.get(path, headers={"Accept-Language": "id"})
    again = await api.get(path)
    indonesian_again = await api.get(path, headers={"Accept-Language": "id"})
    assert first.text != indonesian.text
    assert first.headers["etag"] != indonesian.headers["etag"]
    assert (again.text, again.headers["etag"]) == (first.text, first.headers["etag"])
    assert indonesian_again.text == indonesian.text
    assert indonesian_again.headers["content-language"] == "id"
    # An English tag does not validate the Indonesian representation.
    revalidated = await api.get(
        path, headers={"Accept-Language": "id", "If-None-Match": first.headers["etag"]}
    )
    assert revalidated.status_code == 200 and revalidated.text == indonesian.text
    not_modified = await api.get(
        path, headers={"Accept-Language": "id", "If-None-Match": indonesian.headers["etag"]}
    )
    assert not_modified.status_code == 304
    assert "Accept-Language" in not_modified.headers["vary"]


@pytest.mark.parametrize("lang", ["xx", "fr", "ID", ""])
async def test_unsupported_lang_is_a_422(api: httpx.AsyncClient, lang: str) -> None:
    response = await api.get("/v1/countries/IDN/partners", params={"lang": lang})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert [error["pointer"] for error in problem["errors"]] == ["/query/lang"]
    assert "'en'" in problem["detail"] and "'id'" in problem["detail"]


async def test_every_read_takes_lang(api: httpx.AsyncClient) -> None:
    document = await _json(api, "/openapi.json")
    for path, operations in document["paths"].items():
        if path.startswith("/v1/") and "get" in operations:
            names = {p["name"] for p in operations["get"].get("parameters", [])}
            assert "lang" in names, path
