"""Caching, error format and bounds: the manners every endpoint shares."""

import csv
import io

import httpx
import pytest
from fastapi import FastAPI

pytestmark = pytest.mark.anyio


async def test_reads_send_etag_and_answer_304(api: httpx.AsyncClient) -> None:
    response = await api.get("/v1/countries/IDN/partners")
    assert response.status_code == 200
    etag = response.headers["etag"]
    assert response.headers["cache-control"].startswith("public, max-age=")
    again = await api.get("/v1/countries/IDN/partners", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    other = await api.get("/v1/countries/MYS/partners", headers={"If-None-Match": etag})
    assert other.status_code == 200


@pytest.mark.parametrize(
    "url", ["/v1/countries/IDN", "/v1/countries?format=csv", "/v1/countries/IDN/partners", "/"]
)
async def test_head_sends_the_headers_of_get_without_content(
    api: httpx.AsyncClient, url: str
) -> None:
    plain = {"Accept-Encoding": "identity"}
    await api.get(url, headers=plain)  # a first GET may stream; later ones come from the cache
    got = await api.get(url, headers=plain)
    head = await api.head(url, headers=plain)

    assert head.status_code == 200
    assert head.content == b""
    for name in ("content-type", "etag", "cache-control", "content-length"):
        assert head.headers.get(name) == got.headers.get(name), name
    if url.startswith("/v1/"):
        revalidated = await api.head(url, headers={**plain, "If-None-Match": got.headers["etag"]})
        assert revalidated.status_code == 304


async def test_head_is_refused_where_get_is(api: httpx.AsyncClient) -> None:
    assert (await api.head("/v1/countries/XXX")).status_code == 404
    assert (await api.head("/v1/audit")).status_code == 401
    assert (await api.head("/v1/countries?limit=0")).status_code == 422


async def test_the_partners_read_names_the_parameters_it_takes(api: httpx.AsyncClient) -> None:
    response = await api.get("/v1/countries/IDN/partners?thraet=terrorism")

    assert response.json()["detail"] == (
        "Unknown query parameter 'thraet'; /v1/countries/IDN/partners takes channel, cursor, "
        "format, lang, limit, obligation, sort, technology_transfer, threat, year, year_gte, "
        "year_lte."
    )


async def test_errors_are_problem_json_and_not_cached(api: httpx.AsyncClient) -> None:
    response = await api.get("/v1/nothing-here")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["cache-control"] == "no-store"
    assert set(response.json()) >= {"type", "title", "status", "detail", "instance"}


@pytest.mark.parametrize(
    ("url", "pointer"),
    [
        ("/v1/countries?limit=501", "/query/limit"),
        ("/v1/countries?limit=0", "/query/limit"),
        ("/v1/countries?cursor=not-a-cursor", "/query/cursor"),
        ("/v1/countries?cursor=bm90IGpzb24=", "/query/cursor"),
        ("/v1/countries?sort=population", "/query/sort"),
        ("/v1/countries/I1N", "/path/code"),
        ("/v1/countries/IDNN/partners", "/path/code"),
        ("/v1/organizations/nato/members?as_of=2024-13-01", "/query/as_of"),
        ("/v1/organizations/NATO", "/path/slug"),
        ("/v1/countries/IDN/partners?year=99999", "/query/year"),
        # A parameter the read does not take (a misspelt filter must not be ignored).
        ("/v1/countries/IDN/partners?thraet=terrorism", "/query/thraet"),
        ("/v1/countries?region=Asia&sort=name&page=2", "/query/page"),
        ("/v1/network?year=2020&yaer=2021", "/query/yaer"),
        ("/v1/meta?verbose=1", "/query/verbose"),
    ],
)
async def test_bad_parameters_are_422_with_a_pointer(
    api: httpx.AsyncClient, url: str, pointer: str
) -> None:
    response = await api.get(url)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["errors"][0]["pointer"] == pointer
    assert problem["detail"]


@pytest.mark.parametrize(
    "url",
    [
        "/v1/countries?q=%00",
        "/v1/countries?q=' OR 1=1 --",
        "/v1/countries?region=%F0%9F%92%A5",
        "/v1/exercises?q=%25%25%25",
        "/v1/countries/IDN/partners?threat=terrorism&threat=cybercrime&channel=exercise",
        "/v1/countries?cursor=WyJ4Il0=",
        "/v1/countries?cursor=WzEsIDJd",
        "/v1/sources/%00",
    ],
)
async def test_odd_input_never_causes_a_server_error(api: httpx.AsyncClient, url: str) -> None:
    response = await api.get(url)
    assert response.status_code < 500, response.text


async def test_every_list_has_the_envelope(api: httpx.AsyncClient, app: FastAPI) -> None:
    lists = ["/v1/countries", "/v1/organizations", "/v1/exercises", "/v1/agreements"]
    lists += ["/v1/operations", "/v1/threat-categories", "/v1/sources"]
    for url in lists:
        body = (await api.get(url, params={"limit": 2})).json()
        assert set(body) == {"data", "links", "meta"}, url
        assert len(body["data"]) <= 2
        assert body["meta"]["limit"] == 2
        assert body["meta"]["data_version"] >= 1


async def test_lists_as_csv_hold_every_matching_row(api: httpx.AsyncClient) -> None:
    response = await api.get("/v1/countries", params={"format": "csv", "limit": 5})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert 'filename="v1-countries.csv"' in response.headers["content-disposition"]
    lines = response.text.strip().split("\n")
    header = lines[0].split(",")
    assert header[:2] == ["iso3", "name"]
    total = (await api.get("/v1/countries")).json()["meta"]["total"]
    assert len(lines) - 1 == total  # the limit does not cut a CSV export


async def test_csv_by_accept_header_flattens_nested_values(api: httpx.AsyncClient) -> None:
    response = await api.get(
        "/v1/countries/IDN/partners", params={"threat": "terrorism"}, headers={"Accept": "text/csv"}
    )
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.text)))
    malaysia = next(row for row in rows if row["partner.iso3"] == "MYS")
    # ASEAN, ADMM, ADMM-Plus and the Our Eyes counter-terrorism intelligence initiative
    assert int(malaysia["channels.organization"]) == 4
    assert "terrorism" in malaysia["threats"].split(";")
    json_etag = (await api.get("/v1/countries/IDN/partners")).headers["etag"]
    assert response.headers["etag"] != json_etag


async def test_a_cursor_of_another_list_is_422_not_500(api: httpx.AsyncClient) -> None:
    countries_cursor = "WyJJRE4iLCAxMDNd"  # ["IDN", 103]: sources are keyed by a text id
    response = await api.get("/v1/sources", params={"cursor": countries_cursor})
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "/query/cursor"
