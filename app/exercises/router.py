from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse

from app.auth.deps import CuratorDep
from app.core.deps import SessionDep
from app.core.pagination import LIST_RESPONSES, Page, PageDep, list_response
from app.core.params import (
    CountryCode,
    CountryFilter,
    SearchText,
    Slug,
    ThreatFilter,
    YearGte,
    YearLte,
)
from app.core.problems import NOT_FOUND_RESPONSES
from app.countries.queries import country_ids
from app.curation.inputs import ThreatSlug, slug_path
from app.curation.transaction import IfMatch, write_responses, write_transaction, written
from app.exercises import queries, writes
from app.exercises.details import edition_detail, series_detail, series_out
from app.exercises.models import ActivityKind, ExerciseSeries
from app.exercises.queries import EditionFilters, SeriesSort
from app.exercises.schemas import (
    EditionCreate,
    EditionOut,
    EditionUpdate,
    ParticipantPut,
    SeriesCreate,
    SeriesDetail,
    SeriesOut,
    SeriesUpdate,
)
from app.threats.queries import threat_ids

router = APIRouter(prefix="/v1/exercises", tags=["exercises"])


@router.get("", response_model=Page[SeriesOut], responses=LIST_RESPONSES)
def list_exercises(
    request: Request,
    response: Response,
    session: SessionDep,
    page: PageDep,
    participant: CountryFilter = None,
    host: CountryFilter = None,
    threat: ThreatFilter = None,
    kind: Annotated[
        list[ActivityKind] | None,
        Query(
            max_length=7,
            description="Activity kind; repeat for any of several",
            examples=[["disaster_response"]],
        ),
    ] = None,
    year_gte: YearGte = None,
    year_lte: YearLte = None,
    q: SearchText = None,
    sort: Annotated[
        SeriesSort, Query(description="Sort order", examples=["name"])
    ] = SeriesSort.slug,
) -> Page[SeriesOut] | StreamingResponse:
    """Exercise series that have at least one edition matching every filter."""
    filters = EditionFilters(
        participant_ids=country_ids(session, participant or [], "/query/participant"),
        host_ids=country_ids(session, host or [], "/query/host"),
        threat_ids=threat_ids(session, threat or []),
        activities=kind or [],
        year_gte=year_gte,
        year_lte=year_lte,
        q=q,
    )

    def to_items(rows: Sequence[ExerciseSeries]) -> list[SeriesOut]:
        summaries = queries.summarize_series(session, [row.id for row in rows], filters)
        return [series_out(row, summaries[row.id]) for row in rows]

    return list_response(
        request,
        response,
        page,
        lambda p: queries.list_series(session, filters, sort, p),
        to_items,
    )


@router.get("/{slug}", response_model=SeriesDetail, responses=NOT_FOUND_RESPONSES)
def get_exercise(session: SessionDep, slug: Slug) -> SeriesDetail:
    """One exercise series with every edition, its hosts and its participants with roles."""
    return series_detail(session, slug)


EditionSlug = Annotated[
    str, slug_path("Exercise edition slug (GET /v1/exercises/{slug} lists them)", "cobra-gold-2024")
]


@router.get("/{slug}/editions/{edition}", response_model=EditionOut, responses=NOT_FOUND_RESPONSES)
def get_exercise_edition(session: SessionDep, slug: Slug, edition: EditionSlug) -> EditionOut:
    """One edition of a series with its hosts, participants with roles, threats and sources."""
    return edition_detail(session, slug, edition)


# --- writes (curator scope) ---------------------------------------------------------------


def _no_store() -> Response:
    return Response(status_code=204, headers={"Cache-Control": "no-store"})


@router.post(
    "", status_code=201, response_model=SeriesDetail, responses=write_responses(precondition=False)
)
def create_exercise(
    request: Request, response: Response, principal: CuratorDep, body: SeriesCreate
) -> SeriesDetail:
    """Add an exercise series with its first editions and their participants.

    Every fact needs a source; a participant without sources cites its edition's.
    The participants' partners reflect the new editions at once.
    """
    with write_transaction(request, principal) as tx:
        created = writes.create_series(tx, body)
    path = f"{router.prefix}/{created.slug}"
    written(response, tx, request, path)
    response.headers["Location"] = path
    return created


@router.patch("/{slug}", response_model=SeriesDetail, responses=write_responses())
def update_exercise(
    request: Request,
    response: Response,
    principal: CuratorDep,
    slug: Slug,
    body: SeriesUpdate,
    if_match: IfMatch = None,
) -> SeriesDetail:
    """Change the name, Indonesian name, description or sources of a series.

    Send `If-Match` with the ETag of your GET: any write to the series or its editions
    makes an older tag stale.
    """
    with write_transaction(request, principal, if_match) as tx:
        updated = writes.update_series(tx, slug, body)
    written(response, tx, request, request.url.path)
    return updated


@router.delete("/{slug}", status_code=204, responses=write_responses())
def delete_exercise(
    request: Request, principal: CuratorDep, slug: Slug, if_match: IfMatch = None
) -> Response:
    """Delete a series with all its editions, participants, threat links and citations."""
    with write_transaction(request, principal, if_match) as tx:
        writes.delete_series(tx, slug)
    return _no_store()


@router.post(
    "/{slug}/editions",
    status_code=201,
    response_model=EditionOut,
    responses=write_responses(),
)
def create_exercise_edition(
    request: Request,
    response: Response,
    principal: CuratorDep,
    slug: Slug,
    body: EditionCreate,
    if_match: IfMatch = None,
) -> EditionOut:
    """Add an edition to a series, with its participants, activities, domains and threats.

    `If-Match` (optional) is checked against the series.
    """
    with write_transaction(request, principal, if_match) as tx:
        created = writes.create_edition(tx, slug, body)
    path = f"{router.prefix}/{slug}/editions/{created.slug}"
    written(response, tx, request, path)
    response.headers["Location"] = path
    return created


@router.patch("/{slug}/editions/{edition}", response_model=EditionOut, responses=write_responses())
def update_exercise_edition(
    request: Request,
    response: Response,
    principal: CuratorDep,
    slug: Slug,
    edition: EditionSlug,
    body: EditionUpdate,
    if_match: IfMatch = None,
) -> EditionOut:
    """Change some fields of an edition; `If-Match` is checked against the edition."""
    with write_transaction(request, principal, if_match) as tx:
        updated = writes.update_edition(tx, slug, edition, body)
    written(response, tx, request, request.url.path)
    return updated


@router.delete("/{slug}/editions/{edition}", status_code=204, responses=write_responses())
def delete_exercise_edition(
    request: Request,
    principal: CuratorDep,
    slug: Slug,
    edition: EditionSlug,
    if_match: IfMatch = None,
) -> Response:
    """Delete an edition with its participants; the last edition of a series is a 409."""
    with write_transaction(request, principal, if_match) as tx:
        writes.delete_edition(tx, slug, edition)
    return _no_store()


@router.put(
    "/{slug}/editions/{edition}/participants/{code}",
    response_model=EditionOut,
    responses=write_responses(),
)
def put_exercise_participant(
    request: Request,
    response: Response,
    principal: CuratorDep,
    slug: Slug,
    edition: EditionSlug,
    code: CountryCode,
    body: ParticipantPut,
    if_match: IfMatch = None,
) -> EditionOut:
    """Set a country's participation in an edition (create or replace), with its role.

    Answers with the edition; the country's partners reflect the change at once.
    """
    with write_transaction(request, principal, if_match) as tx:
        updated = writes.put_participant(tx, slug, edition, code, body)
    written(response, tx, request, f"{router.prefix}/{slug}/editions/{edition}")
    return updated


@router.delete(
    "/{slug}/editions/{edition}/participants/{code}",
    status_code=204,
    responses=write_responses(),
)
def delete_exercise_participant(
    request: Request,
    principal: CuratorDep,
    slug: Slug,
    edition: EditionSlug,
    code: CountryCode,
    if_match: IfMatch = None,
) -> Response:
    """Remove a country from an edition's participants."""
    with write_transaction(request, principal, if_match) as tx:
        writes.delete_participant(tx, slug, edition, code)
    return _no_store()


@router.put(
    "/{slug}/editions/{edition}/threats/{threat}",
    response_model=EditionOut,
    responses=write_responses(),
)
def link_exercise_edition_threat(
    request: Request,
    response: Response,
    principal: CuratorDep,
    slug: Slug,
    edition: EditionSlug,
    threat: ThreatSlug,
    if_match: IfMatch = None,
) -> EditionOut:
    """Record that an edition addresses a threat (idempotent)."""
    with write_transaction(request, principal, if_match) as tx:
        updated = writes.link_threat(tx, slug, edition, threat)
    written(response, tx, request, f"{router.prefix}/{slug}/editions/{edition}")
    return updated


@router.delete(
    "/{slug}/editions/{edition}/threats/{threat}",
    status_code=204,
    responses=write_responses(),
)
def unlink_exercise_edition_threat(
    request: Request,
    principal: CuratorDep,
    slug: Slug,
    edition: EditionSlug,
    threat: ThreatSlug,
    if_match: IfMatch = None,
) -> Response:
    """Remove the link between an edition and a threat."""
    with write_transaction(request, principal, if_match) as tx:
        writes.unlink_threat(tx, slug, edition, threat)
    return _no_store()
