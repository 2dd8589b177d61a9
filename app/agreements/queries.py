from collections.abc import Collection, Sequence

from sqlalchemy import ColumnElement, not_, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from app.agreements.models import (
    TECHNOLOGY_TRANSFER_CATEGORIES,
    Agreement,
    AgreementCategory,
    AgreementCategoryRow,
    AgreementKind,
    AgreementParty,
    agreement_threats,
)
from app.core.pagination import PageParams, SortKey, fetch_page
from app.core.queries import linked, one_by_slug, text_in, where_given
from app.sources.queries import with_sources
from app.threats.queries import addressing


def list_agreements(
    session: Session,
    *,
    kind: list[AgreementKind],
    category: list[AgreementCategory],
    technology_transfer: bool | None,
    party_ids: list[int],
    threat_ids: list[int],
    q: str | None,
    page: PageParams,
) -> tuple[Sequence[Agreement], int, str | None]:
    parties = AgreementParty.country_id.in_(party_ids)
    statement = where_given(
        select(Agreement).options(
            selectinload(Agreement.threats), selectinload(Agreement.category_rows)
        ),
        Agreement.kind.in_(kind) if kind else None,
        _in_categories(category) if category else None,
        _technology_transfer(technology_transfer),
        linked(Agreement.id, AgreementParty.agreement_id, parties) if party_ids else None,
        addressing(Agreement.id, agreement_threats.c.agreement_id, threat_ids),
        text_in(q, Agreement.name, Agreement.slug),
    )
    return fetch_page(session, statement, SortKey(Agreement.slug, Agreement.id), page)


def _in_categories(categories: Collection[AgreementCategory]) -> ColumnElement[bool]:
    rows = AgreementCategoryRow.category.in_(categories)
    return linked(Agreement.id, AgreementCategoryRow.agreement_id, rows)


def transfers_technology() -> ColumnElement[bool]:
    """An agreement that transfers technology: of that kind, or with a defense-industrial,
    procurement or research category (the list's and the partners' `technology_transfer`)."""
    return or_(
        Agreement.kind == AgreementKind.technology_transfer,
        _in_categories(TECHNOLOGY_TRANSFER_CATEGORIES),
    )


def _technology_transfer(wanted: bool | None) -> ColumnElement[bool] | None:
    """`technology_transfer=`: the agreements that transfer technology, or (False) those that
    do not; None: either."""
    if wanted is None:
        return None
    return transfers_technology() if wanted else not_(transfers_technology())


def get_agreement(session: Session, slug: str) -> Agreement:
    parties = selectinload(Agreement.parties).options(
        joinedload(AgreementParty.country),
        joinedload(AgreementParty.organization),
        with_sources(AgreementParty.citations),
    )
    return one_by_slug(
        session,
        Agreement,
        slug,
        "agreement",
        "/v1/agreements",
        selectinload(Agreement.threats),
        selectinload(Agreement.category_rows),
        with_sources(Agreement.citations),
        parties,
    )
