"""Curating sources. A source that facts still cite cannot be deleted (409 counting them)."""

from functools import partial

from app.core.problems import InvalidParameter
from app.curation.curated import Curated
from app.curation.transaction import Conflict, Write
from app.sources.details import source_detail
from app.sources.models import Source
from app.sources.schemas import SourceCreate, SourceDetail, SourceUpdate

SOURCES = Curated(Source, "source", "/v1/sources", source_detail, key_name="id")


def create_source(tx: Write, body: SourceCreate) -> SourceDetail:
    return SOURCES.create(tx, body.id, partial(Source, **body.model_dump()))


def update_source(tx: Write, source_id: str, body: SourceUpdate) -> SourceDetail:
    def check(source: Source) -> None:
        if source.published_date is None and source.published_precision is not None:
            raise InvalidParameter(
                "/body/published_precision", "published_precision is set without published_date."
            )

    changes = body.model_dump(exclude_unset=True)
    if "published_date" in changes and "published_precision" not in changes:
        changes["published_precision"] = body.published_precision
    return SOURCES.update(tx, source_id, changes, check=check)


def _refuse_while_cited(source_id: str, before: SourceDetail) -> None:
    if before.cited_by:
        total = sum(before.cited_by.values())
        kinds = ", ".join(f"{table}: {count}" for table, count in sorted(before.cited_by.items()))
        raise Conflict(
            f"Source {source_id!r} is cited by {total} facts ({kinds}); cite another source "
            "for them first."
        )


def delete_source(tx: Write, source_id: str) -> None:
    SOURCES.delete_unless(tx, source_id, lambda _, before: _refuse_while_cited(source_id, before))
