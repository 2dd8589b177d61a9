from collections.abc import Sequence

from sqlalchemy import ColumnElement, Select, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from app.core.pagination import PageParams, SortKey, fetch_page
from app.core.problems import NotFound
from app.core.search import contains_text
from app.sources.models import Citation
from app.transfers.models import DeliveryStatus, Transfer, TransferParty, TransferRole


def _with_parties(statement: Select[tuple[Transfer]]) -> Select[tuple[Transfer]]:
    return statement.options(selectinload(Transfer.parties).joinedload(TransferParty.country))


def _party_is(role: TransferRole, country_ids: list[int]) -> ColumnElement[bool]:
    return Transfer.id.in_(
        select(TransferParty.transfer_id).where(
            TransferParty.role == role, TransferParty.country_id.in_(country_ids)
        )
    )


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
    statement = _with_parties(select(Transfer))
    if supplier_ids:
        statement = statement.where(_party_is(TransferRole.supplier, supplier_ids))
    if recipient_ids:
        statement = statement.where(_party_is(TransferRole.recipient, recipient_ids))
    if delivery_status is not None:
        statement = statement.where(Transfer.delivery_status == delivery_status)
    if year_gte is not None:
        statement = statement.where(Transfer.order_year >= year_gte)
    if year_lte is not None:
        statement = statement.where(Transfer.order_year <= year_lte)
    if q:
        statement = statement.where(
            or_(
                contains_text(Transfer.name, q),
                contains_text(Transfer.weapon_designation, q),
                contains_text(Transfer.weapon_description, q),
            )
        )
    return fetch_page(session, statement, SortKey(Transfer.slug, Transfer.id), page)


def get_transfer(session: Session, slug: str) -> Transfer:
    statement = (
        select(Transfer)
        .where(Transfer.slug == slug)
        .options(
            selectinload(Transfer.citations).joinedload(Citation.source),
            selectinload(Transfer.parties).options(
                joinedload(TransferParty.country),
                selectinload(TransferParty.citations).joinedload(Citation.source),
            ),
        )
    )
    transfer = session.scalars(statement).one_or_none()
    if transfer is None:
        raise NotFound(f"No transfer with slug {slug!r}; GET /v1/transfers lists them.")
    return transfer
