"""How to cite defcoop and the datasets it carries: one text, served by /v1/meta and written
into every release (`defcoop release`: CITATION.cff, README.md)."""

from datetime import date

from sqlalchemy.orm import Session

from app import __version__
from app.datasets import queries
from app.system.schemas import DatasetCitationOut, HowToCite

TITLE = "defcoop: an open database of international defense cooperation"
# No person is named as author anywhere in the project: the contributors are credited as one.
AUTHOR = "defcoop contributors"
NOTE = (
    "Cite defcoop with its data version, and each dataset whose facts you use "
    "(`in_data`: facts in this database cite it) with that dataset's own citation; "
    "`defcoop release` writes both into the release's CITATION.cff."
)


def defcoop_citation(data_version: int, released: date) -> str:
    """The citation of defcoop at one data version, e.g. `defcoop contributors. 2026. ...`."""
    return (
        f"{AUTHOR}. {released.year}. {TITLE}. Data version {data_version} "
        f"({released.isoformat()}), software version {__version__}."
    )


def how_to_cite(session: Session, data_version: int, released: date) -> HowToCite:
    cited = queries.cited_datasets(session)
    return HowToCite(
        defcoop=defcoop_citation(data_version, released),
        note=NOTE,
        datasets=[
            DatasetCitationOut(**dataset, in_data=dataset["id"] in cited)
            for dataset in queries.dataset_citations(session)
        ],
    )
