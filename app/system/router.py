from datetime import date

from fastapi import APIRouter, Request
from sqlalchemy.exc import SQLAlchemyError

from app import __version__
from app.cooperation.coverage import ChannelCoverage, channel_coverage, gap_of
from app.core.deps import SessionDep
from app.core.migrations import head_revision
from app.core.problems import PROBLEM_MEDIA_TYPE, Problem, ProblemError
from app.system import queries
from app.system.citation import how_to_cite
from app.system.schemas import (
    ChannelCoverageOut,
    CoverageSpan,
    Health,
    Meta,
    Readiness,
    SourceSummary,
)

router = APIRouter(tags=["system"])

_HEAD_REVISION = head_revision()


@router.get("/health", response_model=Health)
def get_health() -> Health:
    """The process is up (does not touch the database)."""
    return Health(status="ok")


@router.get(
    "/ready",
    response_model=Readiness,
    responses={
        503: {
            "model": Problem,
            "description": "Database unreachable or not migrated to head",
            "content": {PROBLEM_MEDIA_TYPE: {}},
        }
    },
)
def get_readiness(request: Request, session: SessionDep) -> Readiness:
    """The database is reachable, migrated to the latest revision, and its data version
    readable (every read under /v1 waits for it)."""
    try:
        revision = queries.migration_revision(session)
    except SQLAlchemyError:
        raise ProblemError(503, "Database unreachable or not migrated.") from None
    try:
        request.app.state.versions.read()
    except Exception:
        raise ProblemError(
            503,
            "The data version cannot be read (locked or unreachable).",
            headers={"Retry-After": "1"},
        ) from None
    if revision != _HEAD_REVISION:
        raise ProblemError(
            503, f"Database at revision {revision}, expected {_HEAD_REVISION}; run migrations."
        )
    return Readiness(status="ready", database=session.bind.dialect.name, revision=revision)  # type: ignore[union-attr]


@router.get("/v1/meta", response_model=Meta)
def get_meta(session: SessionDep) -> Meta:
    """Data version, record counts, the sources the data comes from, what each channel's
    data covers, and how to cite defcoop and the datasets it carries."""
    state = queries.data_state(session)
    data_version = state.version if state else 0
    return Meta(
        name="defcoop",
        api_version=__version__,
        data_version=data_version,
        data_updated_at=state.updated_at if state else None,
        counts=queries.row_counts(session),
        sources=[
            SourceSummary(id=s.id, title=s.title, kind=s.kind) for s in queries.all_sources(session)
        ],
        coverage=[_coverage_out(c) for c in channel_coverage(session).values()],
        citation=how_to_cite(
            session, data_version, state.updated_at.date() if state else date.today()
        ),
    )


def _coverage_out(coverage: ChannelCoverage) -> ChannelCoverageOut:
    first = coverage.first_known_year
    gap = gap_of(coverage, first, date.today().year) if first is not None else None
    return ChannelCoverageOut(
        channel=coverage.channel.value,
        datasets=[
            CoverageSpan(
                dataset=span.dataset_id,
                first_year=span.first_year,
                last_year=span.last_year,
                what=span.what,
            )
            for span in coverage.datasets
        ],
        first_fact_year=coverage.first_fact_year,
        note=gap.note if gap else None,
    )
