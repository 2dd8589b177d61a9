from collections.abc import Sequence

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import Session, joinedload, selectinload

from app.core.pagination import PageParams, SortKey, fetch_page
from app.core.queries import linked, one_by_slug, text_in, where_given
from app.sources.queries import with_sources
from app.transfers.models import DeliveryStatus, Transfer, TransferParty, TransferRole


def _with_parties(statement: Select[tuple[Transfer]]) -> Select[tuple[Transfer]]:
    return statement.options(selectinload(Transfer.parties).joinedload(TransferParty.country))


def _party_is(role: TransferRole, country_ids: list[int]) -> ColumnElement[bool] | None:
    """Transfers with a party of this role among the countries (None: no country asked for)."""
    if not country_ids:
        return None
    parties = (TransferParty.role == role, TransferParty.country_id.in_(country_ids))
    return linked(Transfer.id, TransferParty.transfer_id, *parties)


def list_transfers(
    session: Session,
    *,
    supplier_ids: list[int],
    recipient_ids: list[int],
    delivery_status: DeliveryStatus | None,
    year_gte: int | None,
    year_lte: int | None,
    q: str | None,
    page: PageParams,
) -> tuple[Sequence[Transfer], int, str | None]:
    statement = where_given(
        _with_parties(select(Transfer)),
        _party_is(TransferRole.supplier, supplier_ids),
        _party_is(TransferRole.recipient, recipient_ids),
        None if delivery_status is None else Transfer.delivery_status == delivery_status,
        None if year_gte is None else Transfer.order_year >= year_gte,
        None if year_lte is None else Transfer.order_year <= year_lte,
        text_in(q, Transfer.name, Transfer.weapon_designation, Transfer.weapon_description),
    )
    return fetch_page(session, statement, SortKey(Transfer.slug, Transfer.id), page)


def get_transfer(session: Session, slug: str) -> Transfer:
    parties = selectinload(Transfer.parties).options(
        joinedload(TransferParty.country), with_sources(TransferParty.citations)
    )
    sources = with_sources(Transfer.citations)
    return one_by_slug(session, Transfer, slug, "transfer", "/v1/transfers", sources, parties)
