from fastapi import APIRouter
from sqlalchemy.orm import Session

from app.core.deps import SessionDep
from app.core.lists import Listing, list_route
from app.core.problems import NOT_FOUND_RESPONSES
from app.datasets import queries
from app.datasets.details import dataset_detail, dataset_out
from app.datasets.models import Dataset
from app.datasets.params import DatasetFilters, DatasetId
from app.datasets.schemas import DatasetDetail, DatasetOut

router = APIRouter(prefix="/v1/datasets", tags=["datasets"])


@list_route(router, DatasetOut)
def list_datasets(session: Session, filters: DatasetFilters) -> Listing[Dataset, DatasetOut]:
    """The research datasets defcoop imports: version, citation, terms, the years each covers
    per channel, and how its last import accounted for every row. Outside a dataset's
    coverage a missing tie is unknown, not absent."""
    return Listing(
        lambda page: queries.list_datasets(session, channel=filters.channel, page=page),
        lambda rows: [dataset_out(row) for row in rows],
    )


@router.get("/{dataset_id}", response_model=DatasetDetail, responses=NOT_FOUND_RESPONSES)
def get_dataset(session: SessionDep, dataset_id: DatasetId) -> DatasetDetail:
    """One dataset's record, with how many facts of each kind cite it."""
    return dataset_detail(session, dataset_id)
