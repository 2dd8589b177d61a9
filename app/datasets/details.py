"""The representation of a dataset's record."""

from sqlalchemy.orm import Session

from app.datasets import queries
from app.datasets.models import Dataset
from app.datasets.schemas import CoverageOut, DatasetDetail, DatasetOut, LastImport
from app.sources.queries import citation_counts

_DATASET_COLUMNS = ("id", "name", "version", "citation", "terms", "provenance")


def dataset_out(dataset: Dataset) -> DatasetOut:
    return DatasetOut.model_validate(
        {
            **{column: getattr(dataset, column) for column in _DATASET_COLUMNS},
            "bundled": dataset.bundled_path is not None,
            "coverage": [CoverageOut.model_validate(row) for row in dataset.coverage],
            "last_import": _last_import(dataset),
        }
    )


def dataset_detail(session: Session, dataset_id: str) -> DatasetDetail:
    dataset = queries.get_dataset(session, dataset_id)
    return DatasetDetail(
        **dataset_out(dataset).model_dump(), cited_by=citation_counts(session, dataset.id)
    )


def _last_import(dataset: Dataset) -> LastImport | None:
    if dataset.file_sha256 is None or dataset.imported_at is None:
        return None
    return LastImport(
        file_sha256=dataset.file_sha256,
        imported_at=dataset.imported_at,
        rows_read=dataset.rows_read or 0,
        imported=dataset.rows_imported or 0,
        merged=dataset.rows_merged or 0,
        already_imported=dataset.rows_already_imported or 0,
        left_to_curators=dataset.rows_left_to_curators or 0,
        rejected=dataset.rows_rejected or 0,
    )
