from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse

from app.analytics.representations import country_figures
from app.analytics.schemas import CountryWithFigures
from app.auth.deps import CuratorDep
from app.core.deps import SessionDep
from app.core.pagination import LIST_RESPONSES, Page, PageDep, list_response
from app.core.params import NO_CONTROL_CHARACTERS, CountryCode, SearchText
from app.countries import queries, writes
from app.countries.models import CountryKind
from app.countries.queries import CountrySort
from app.countries.schemas import CountryOut, CountryUpdate
from app.curation.transaction import IfMatch, write_responses, write_transaction, written

router = APIRouter(prefix="/v1/countries", tags=["countries"])


@router.get("", response_model=Page[CountryOut], responses=LIST_RESPONSES)
def list_countries(
    request: Request,
    response: Response,
    session: SessionDep,
    page: PageDep,
    q: SearchText = None,
    region: Annotated[
        str | None,
        Query(
            max_length=60,
            pattern=NO_CONTROL_CHARACTERS,
            description="Region or UN sub-region",
            examples=["South-eastern Asia"],
        ),
    ] = None,
    kind: Annotated[
        CountryKind | None, Query(description="iso, historical or non_iso", examples=["historical"])
    ] = None,
    sort: Annotated[
        CountrySort, Query(description="Sort order", examples=["-name"])
    ] = CountrySort.iso3,
) -> Page[CountryOut] | StreamingResponse:
    """Every ISO 3166-1 country, historical states (USSR, East Germany...) and Kosovo."""
    return list_response(
        request,
        response,
        page,
        lambda p: queries.list_countries(session, q=q, region=region, kind=kind, sort=sort, page=p),
        lambda rows: [CountryOut.model_validate(row) for row in rows],
    )


# --- writes (curator scope) ---------------------------------------------------------------


@router.patch("/{code}", response_model=CountryWithFigures, responses=write_responses())
def update_country(
    request: Request,
    response: Response,
    principal: CuratorDep,
    session: SessionDep,
    code: CountryCode,
    body: CountryUpdate,
    if_match: IfMatch = None,
) -> CountryWithFigures:
    """Change a country's curated fields: its names and note (never its codes).

    Send `If-Match` with the ETag of your GET. Answers with the country as GET returns it.
    """
    with write_transaction(request, principal, if_match) as tx:
        updated = writes.update_country(tx, code, body)
    written(response, tx, request, f"{router.prefix}/{updated.iso3}")
    figures = country_figures(session, queries.get_country(session, code).id, tx.version)
    return CountryWithFigures(**updated.model_dump(), network=figures)
