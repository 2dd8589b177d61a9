from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse

from app.analytics.queries import country_figures
from app.analytics.schemas import CountryWithFigures
from app.core.deps import SessionDep
from app.core.pagination import LIST_RESPONSES, Page, PageDep, list_response
from app.core.params import NO_CONTROL_CHARACTERS, CountryCode, SearchText
from app.core.problems import NOT_FOUND_RESPONSES
from app.countries import queries
from app.countries.models import CountryKind
from app.countries.queries import CountrySort
from app.countries.schemas import CountryDetail, CountryOut
from app.organizations.queries import memberships_of_country
from app.organizations.schemas import CountryMembership, CountryMemberships

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


@router.get("/{code}", response_model=CountryWithFigures, responses=NOT_FOUND_RESPONSES)
def get_country(request: Request, session: SessionDep, code: CountryCode) -> CountryWithFigures:
    """One country by ISO3 or ISO2 code, in any case, with its network figures."""
    country = queries.get_country(session, code)
    figures = country_figures(session, country.id, request.state.data_version)
    return CountryWithFigures(**CountryDetail.model_validate(country).model_dump(), network=figures)


@router.get("/{code}/memberships", response_model=CountryMemberships, responses=NOT_FOUND_RESPONSES)
def get_country_memberships(session: SessionDep, code: CountryCode) -> CountryMemberships:
    """Every organization the country belongs or belonged to, with role and period."""
    country = queries.get_country(session, code)
    memberships = memberships_of_country(session, country.id)
    return CountryMemberships(
        country=CountryDetail.model_validate(country),
        data=[CountryMembership.model_validate(m) for m in memberships],
    )
