from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy.orm import Session

from app.core.deps import SessionDep
from app.core.lists import list_route
from app.core.pagination import Fetch
from app.core.params import CountryFilter, SearchText, Slug, ThreatFilter
from app.core.problems import NOT_FOUND_RESPONSES
from app.countries.queries import country_ids
from app.operations import queries
from app.operations.details import operation_detail
from app.operations.models import Operation, OperationKind
from app.operations.schemas import OperationDetail, OperationOut
from app.threats.queries import threat_ids

router = APIRouter(prefix="/v1/operations", tags=["operations"])


@dataclass
class OperationFilters:
    kind: Annotated[
        OperationKind | None,
        Query(description="peacekeeping or humanitarian", examples=["peacekeeping"]),
    ] = None
    host: CountryFilter = None
    contributor: CountryFilter = None
    threat: ThreatFilter = None
    q: SearchText = None


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
