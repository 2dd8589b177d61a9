from fastapi import APIRouter
from sqlalchemy.orm import Session

from app.core import params
from app.core.deps import SessionDep
from app.core.lists import list_route
from app.core.pagination import Fetch
from app.core.problems import NOT_FOUND_RESPONSES
from app.countries.queries import country_ids
from app.transfers import queries
from app.transfers.details import transfer_detail
from app.transfers.models import Transfer
from app.transfers.params import TransferFilters
from app.transfers.schemas import TransferDetail, TransferOut

router = APIRouter(prefix="/v1/transfers", tags=["transfers"])


@list_route(router, TransferOut)
def list_transfers(session: Session, filters: TransferFilters) -> Fetch[Transfer]:
    """Arms transfers imported from your own export of SIPRI's trade register (none is
    bundled): supplier, recipient, order year, weapons ordered and delivered, SIPRI TIV.
    `year_gte` and `year_lte` bound the year of order. Information from the SIPRI Arms
    Transfers Database."""
    params.check_years(None, filters.year_gte, filters.year_lte)
    suppliers = country_ids(session, filters.supplier or [], "/query/supplier")
    recipients = country_ids(session, filters.recipient or [], "/query/recipient")
    return lambda page: queries.list_transfers(
        session, supplier_ids=suppliers, recipient_ids=recipients,
        delivery_status=filters.delivery_status, year_gte=filters.year_gte,
        year_lte=filters.year_lte, q=filters.q, page=page,
    )  # fmt: skip


@router.get("/{slug}", response_model=TransferDetail, responses=NOT_FOUND_RESPONSES)
def get_transfer(session: SessionDep, slug: params.Slug) -> TransferDetail:
    """One transfer with its supplier and recipient, comments and sources."""
    return transfer_detail(session, slug)
