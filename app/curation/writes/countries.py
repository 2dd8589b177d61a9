"""Curating a country's names and note (its codes come from ISO 3166 and the COW list)."""

from sqlalchemy import select

from app.audit.models import AuditOperation
from app.countries import queries
from app.countries.models import Country
from app.countries.schemas import CountryDetail, CountryUpdate
from app.curation.inputs import snapshot
from app.curation.transaction import Write

COUNTRY = "country"


def update_country(tx: Write, code: str, body: CountryUpdate) -> CountryDetail:
    found = queries.get_country(tx.session, code)
    country = tx.target(select(Country).where(Country.id == found.id), "")
    before = CountryDetail.model_validate(country)
    for name, value in body.model_dump(exclude_unset=True).items():
        setattr(country, name, value)
    tx.reload()
    after = CountryDetail.model_validate(tx.session.get(Country, country.id))
    tx.audit(COUNTRY, country.iso3, AuditOperation.update, snapshot(before), snapshot(after))
    return after
