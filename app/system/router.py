from fastapi import APIRouter, Request
from sqlalchemy.exc import SQLAlchemyError

from app.core.deps import SessionDep
from app.core.migrations import head_revision
from app.core.problems import PROBLEM_MEDIA_TYPE, Problem, ProblemError
from app.system import queries
from app.system.details import meta
from app.system.schemas import Health, Meta, Readiness

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
    return meta(session)
