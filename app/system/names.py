"""The Indonesian names of every kind of record (issue 16), as `core/language.py` reads them.

Only names the data holds: the seed's (pycountry's ISO 3166 translations and the article's
terms, with the YAML's curated names) and the curators'. A dataset's own labels (an imported
organization, exercise or alliance) have none and stay English. The kinds are those of
`Named` records and of a tie's `initiative.kind`.
"""

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.agreements.models import Agreement
from app.core.language import NameBook
from app.countries.models import Country, CountryKind
from app.exercises.models import ExerciseSeries
from app.operations.models import Operation
from app.organizations.models import Organization
from app.threats.models import ThreatCategory, ThreatResponse

_BY_SLUG: dict[str, Any] = {
    "threat": ThreatCategory,
    "response": ThreatResponse,
    "organization": Organization,
    "exercise_series": ExerciseSeries,
    "agreement": Agreement,
    "operation": Operation,
}


def indonesian_names(session: Session) -> NameBook:
    book: dict[str, dict[str, str]] = {
        kind: dict(
            session.execute(
                select(model.slug, model.name_id).where(model.name_id.is_not(None))
            ).all()
        )
        for kind, model in _BY_SLUG.items()
    }
    # The historical states the seed takes from the COW list carry their English name in
    # both columns (no Indonesian name is established for Baden or Parma): not Indonesian.
    countries = select(Country.iso3, Country.name_id).where(
        (Country.kind != CountryKind.historical) | (Country.name_id != Country.name)
    )
    book["country"] = dict(session.execute(countries).all())
    return book
