"""Operations."""

import httpx
import pytest

pytestmark = pytest.mark.anyio


async def test_un_missions(api: httpx.AsyncClient) -> None:
    body = (await api.get("/v1/operations", params={"kind": "peacekeeping"})).json()
    assert {"unifil", "monusco", "unmiss", "minusca"} <= {o["slug"] for o in body["data"]}
    unifil = (await api.get("/v1/operations/unifil")).json()
    assert unifil["lead_organization"]["slug"] == "un"
    assert unifil["host_country"]["iso3"] == "LBN"
    assert unifil["start_date"] == "1978-03-19"
    indonesia = next(c for c in unifil["contributors"] if c["country"]["iso3"] == "IDN")
    assert indonesia["personnel"] == 1230
    minusca = (await api.get("/v1/operations/minusca")).json()
    certainty = {c["country"]["iso3"]: c["certainty"] for c in minusca["contributors"]}
    # The 2021 top contributors are unconfirmed for today; Indonesia's part is sourced.
    assert certainty == {
        "RWA": "unconfirmed",
        "BGD": "unconfirmed",
        "PAK": "unconfirmed",
        "IDN": "confirmed",
    }
    hosted = (await api.get("/v1/operations", params={"host": "COD"})).json()
    assert [o["slug"] for o in hosted["data"]] == ["monusco"]
    contributed = (await api.get("/v1/operations", params={"contributor": "IDN"})).json()
    assert "unifil" in {o["slug"] for o in contributed["data"]}


@pytest.mark.parametrize("path", ["/v1/operations/unifil/months", "/v1/countries/IDN/peacekeeping"])
@pytest.mark.parametrize("bound", ["month_gte", "month_lte"])
async def test_month_of_year_zero_is_a_422_naming_the_parameter(
    api: httpx.AsyncClient, path: str, bound: str
) -> None:
    # There is no year 0 in the calendar the dates use: a 500 before.
    response = await api.get(path, params={bound: "0000-01"})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["errors"][0]["pointer"] == f"/query/{bound}"
