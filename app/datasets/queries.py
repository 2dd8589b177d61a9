from collections.abc import Sequence

from sqlalchemy import RowMapping, or_, select
from sqlalchemy.orm import Session

from app.core.pagination import PageParams, SortKey, fetch_page
from app.core.queries import one_or_404
from app.countries.models import CowCodePeriod
from app.datasets.models import Dataset, DatasetCoverage
from app.sources.models import Citation, Source


def list_datasets(
    session: Session, *, channel: str | None, page: PageParams
) -> tuple[Sequence[Dataset], int, str | None]:
    statement = select(Dataset)
    if channel is not None:
        covering = select(DatasetCoverage.dataset_id).where(DatasetCoverage.channel == channel)
        statement = statement.where(Dataset.id.in_(covering))
    return fetch_page(session, statement, SortKey(Dataset.id, Dataset.id), page)


def get_dataset(session: Session, dataset_id: str) -> Dataset:
    missing = f"No dataset with id {dataset_id!r}; GET /v1/datasets lists them."
    return one_or_404(session, select(Dataset).where(Dataset.id == dataset_id), missing)


def all_coverage(session: Session) -> Sequence[DatasetCoverage]:
    """Every dataset's coverage, by channel and start."""
    statement = select(DatasetCoverage).order_by(
        DatasetCoverage.channel, DatasetCoverage.starts, DatasetCoverage.dataset_id
    )
    return session.scalars(statement).all()


def dataset_citations(session: Session) -> Sequence[RowMapping]:
    """Every dataset's id, name, version, citation and terms with its source's publisher and
    URL, by id."""
    named = (Dataset.id, Dataset.name, Dataset.version, Dataset.citation, Dataset.terms)
    statement = select(*named, Source.publisher, Source.url).join(Source, Source.id == Dataset.id)
    return session.execute(statement.order_by(Dataset.id)).mappings().all()


def cited_datasets(session: Session) -> set[str]:
    """The datasets some fact in the database cites (a citation, or a dated COW code)."""
    cited = select(Citation.source_id).where(Citation.source_id == Dataset.id).exists()
    coded = select(CowCodePeriod.source_id).where(CowCodePeriod.source_id == Dataset.id).exists()
    return set(session.scalars(select(Dataset.id).where(or_(cited, coded))))
