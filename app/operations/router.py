from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session

from app.core.deps import SessionDep
from app.core.lists import list_route
from app.core.pagination import LIST_RESPONSES, Fetch, PagingDep
from app.core.params import (
    CountryCode,
    Slug,
)
from app.core.problems import NOT_FOUND_RESPONSES
from app.countries.queries import country_ids, get_country
from app.operations import queries
from app.operations.details import months_page, operation_detail
from app.operations.models import Operation
from app.operations.params import CountryMonthFilters, OperationFilters, OperationMonthFilters
from app.operations.schemas import MonthsPage, OperationDetail, OperationOut
from app.threats.queries import threat_ids

router = APIRouter(prefix="/v1/operations", tags=["operations"])


@list_route(router, OperationOut)
def list_operations(session: Session, filters: OperationFilters) -> Fetch[Operation]:
    """Peacekeeping missions and humanitarian operations."""
    hosts = country_ids(session, filters.host or [], "/query/host")
    contributors = country_ids(session, filters.contributor or [], "/query/contributor")
    threats = threat_ids(session, filters.threat or [])
    return lambda page: queries.list_operations(
        session, kind=filters.kind, host_ids=hosts, contributor_ids=contributors,
        threat_ids=threats, q=filters.q, page=page,
    )  # fmt: skip


@router.get("/{slug}", response_model=OperationDetail, responses=NOT_FOUND_RESPONSES)
def get_operation(session: SessionDep, slug: Slug) -> OperationDetail:
    """One operation with its lead organization, host country and contributing countries."""
    return operation_detail(session, slug)


MONTHS_RESPONSES = {**LIST_RESPONSES, **NOT_FOUND_RESPONSES}


@router.get("/{slug}/months", response_model=MonthsPage, responses=MONTHS_RESPONSES)
def list_operation_months(
    session: SessionDep,
    slug: Slug,
    filters: Annotated[OperationMonthFilters, Depends()],
    paging: PagingDep,
) -> MonthsPage | StreamingResponse:
    """The personnel each country had in the operation, month by month (police, formed police
    units, experts on mission, troops; by sex where the report gives it), by month. `meta`
    says which months the data covers: outside them a contribution is unknown, not zero (the
    CSV: its `Link` with `rel="describedby"` to the operation channel's coverage)."""
    operation = queries.operation_id(session, slug)
    countries = country_ids(session, filters.country or [], "/query/country")
    return months_page(session, paging, [operation], countries, filters.bounds())


# A country's peacekeeping months are read from the operations: the countries package sits
# below.
country_router = APIRouter(prefix="/v1/countries", tags=["countries"])


@country_router.get("/{code}/peacekeeping", response_model=MonthsPage, responses=MONTHS_RESPONSES)
def list_country_peacekeeping_months(
    session: SessionDep,
    code: CountryCode,
    filters: Annotated[CountryMonthFilters, Depends()],
    paging: PagingDep,
) -> MonthsPage | StreamingResponse:
    """The personnel the country had in each operation, month by month, by month. `meta`
    says which months the data covers: outside them a contribution is unknown, not zero (the
    CSV: its `Link` with `rel="describedby"` to the operation channel's coverage)."""
    country = get_country(session, code)
    operations = queries.operation_ids(session, filters.operation or [], "/query/operation")
    return months_page(session, paging, operations, [country.id], filters.bounds())
