from collections.abc import Sequence

from fastapi import APIRouter
from sqlalchemy.orm import Session

from app.alliances import queries
from app.alliances.details import alliance_detail, alliance_out
from app.alliances.models import Alliance
from app.alliances.params import AllianceFilters, AllianceSlug
from app.alliances.schemas import AllianceDetail, AllianceOut
from app.core.deps import SessionDep
from app.core.lists import Listing, list_route
from app.core.pagination import PageParams
from app.core.params import (
    check_years,
)
from app.core.periods import Span
from app.core.problems import NOT_FOUND_RESPONSES
from app.countries.queries import country_ids

router = APIRouter(prefix="/v1/alliances", tags=["alliances"])


@list_route(router, AllianceOut)
def list_alliances(session: Session, filters: AllianceFilters) -> Listing[Alliance, AllianceOut]:
    """Formal alliances from ATOP 5.1 (1815-2018), with what their members promise and whom
    they are directed against; `year` keeps those with a member bound in that year."""
    check_years(filters.year, filters.year_gte, filters.year_lte)
    members = country_ids(session, filters.member or [], "/query/member")
    targets = country_ids(session, filters.directed_against or [], "/query/directed_against")
    window = (
        Span.of_years(filters.year, filters.year)
        if filters.year is not None
        else Span.of_years(filters.year_gte, filters.year_lte)
    )

    def fetch(page: PageParams) -> tuple[Sequence[Alliance], int, str | None]:
        return queries.list_alliances(
            session, member_ids=members, obligations=filters.obligation or [],
            target_ids=targets, window=window, q=filters.q, page=page,
        )  # fmt: skip

    return Listing(fetch, lambda rows: [alliance_out(row) for row in rows])


@router.get("/{slug}", response_model=AllianceDetail, responses=NOT_FOUND_RESPONSES)
def get_alliance(session: SessionDep, slug: AllianceSlug) -> AllianceDetail:
    """One alliance with its members' spells and obligations, its provisions, whom it is
    directed against, the record that ties its members, and its ATOP rows."""
    return alliance_detail(session, slug)
