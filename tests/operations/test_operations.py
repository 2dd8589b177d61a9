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
