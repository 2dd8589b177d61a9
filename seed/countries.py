"""Country records from pycountry (ISO 3166-1) and country-converter's data file.

No country is typed by hand here: ISO codes and names come from pycountry, Indonesian names
from pycountry's translations, short names, regions and Gleditsch-Ward codes from the TSV that
country-converter ships (read directly: its converter class breaks on current pandas).
`data/countries.yaml` adds the COW exceptions and the states ISO 3166-1 lacks.
"""

import csv
import gettext
import importlib.resources
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

import pycountry

from app.countries.models import CountryKind
from app.imports.cow_states import HistoricalState
from seed.schemas import CountryExtras


@dataclass(frozen=True)
class CountryRecord:
    iso3: str
    iso2: str | None
    numeric_code: str | None
    cow_code: int | None
    name: str
    name_id: str
    official_name: str | None
    kind: CountryKind
    region: str | None
    subregion: str | None
    valid_from: date | None
    valid_until: date | None
    note: str | None


def _converter_rows() -> dict[str, dict[str, str]]:
    data_file = importlib.resources.files("country_converter") / "country_data.tsv"
    with data_file.open(encoding="utf-8") as handle:
        return {row["ISO3"]: row for row in csv.DictReader(handle, delimiter="\t")}


def country_records(extras: CountryExtras) -> list[CountryRecord]:
    indonesian = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["id"])
    converter = _converter_rows()
    cow_overrides = extras.cow_code_overrides
    names = extras.name_overrides
    names_id = extras.name_id_overrides
    notes = extras.country_notes

    records = []
    for country in pycountry.countries:
        row = converter.get(country.alpha_3, {})
        short_name = getattr(country, "common_name", None) or country.name
        gw_code = row.get("GWcode") or None
        records.append(
            CountryRecord(
                iso3=country.alpha_3,
                iso2=country.alpha_2,
                numeric_code=country.numeric,
                cow_code=cow_overrides.get(country.alpha_3, int(gw_code) if gw_code else None),
                name=names.get(country.alpha_3) or row.get("name_short") or short_name,
                name_id=names_id.get(country.alpha_3) or indonesian.gettext(short_name),
                official_name=getattr(country, "official_name", None) or country.name,
                kind=CountryKind.iso,
                region=row.get("continent") or None,
                subregion=row.get("UNregion") or None,
                valid_from=None,
                valid_until=None,
                note=notes.get(country.alpha_3),
            )
        )
    records += [CountryRecord(**extra.model_dump()) for extra in extras.extra_countries]
    return records


def cow_state_record(state: HistoricalState) -> CountryRecord:
    """A COW state defcoop has no country for, as a historical country: its COW name in
    both languages (no Indonesian name is established for Baden or Parma), and no ISO codes,
    official name or region."""
    unknown: dict[str, Any] = dict.fromkeys(
        ("iso2", "numeric_code", "official_name", "region", "subregion")
    )
    return CountryRecord(
        **asdict(state), **unknown, name_id=state.name, kind=CountryKind.historical
    )
