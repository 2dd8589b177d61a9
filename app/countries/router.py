from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse

from app.core.deps import SessionDep
from app.core.pagination import LIST_RESPONSES, Page, PageDep, list_response
from app.core.params import NO_CONTROL_CHARACTERS, SearchText
from app.countries import queries
from app.countries.models import CountryKind
from app.countries.queries import CountrySort
from app.countries.schemas import CountryOut

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
