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
from app.core.problems import NotFound
from app.core.search import contains_text
from app.sources.models import Citation


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
    statement = select(Agreement).options(
        selectinload(Agreement.threats), selectinload(Agreement.category_rows)
    )
    if kind:
        statement = statement.where(Agreement.kind.in_(kind))
    if category:
        statement = statement.where(_in_categories(category))
    if technology_transfer is not None:
        transfer = transfers_technology()
        statement = statement.where(transfer if technology_transfer else not_(transfer))
    if party_ids:
        statement = statement.where(
            Agreement.id.in_(
                select(AgreementParty.agreement_id).where(AgreementParty.country_id.in_(party_ids))
            )
        )
    if threat_ids:
        statement = statement.where(
            Agreement.id.in_(
                select(agreement_threats.c.agreement_id).where(
                    agreement_threats.c.threat_id.in_(threat_ids)
                )
            )
        )
    if q:
        statement = statement.where(
            or_(contains_text(Agreement.name, q), contains_text(Agreement.slug, q))
        )
    return fetch_page(session, statement, SortKey(Agreement.slug, Agreement.id), page)


def transfers_technology() -> ColumnElement[bool]:
    """An agreement that transfers technology: of that kind, or with a defense-industrial,
    procurement or research category (the list's and the partners' `technology_transfer`)."""
    return or_(
        Agreement.kind == AgreementKind.technology_transfer,
        _in_categories(TECHNOLOGY_TRANSFER_CATEGORIES),
    )


def _in_categories(categories: Collection[AgreementCategory]) -> ColumnElement[bool]:
    return Agreement.id.in_(
        select(AgreementCategoryRow.agreement_id).where(
            AgreementCategoryRow.category.in_(categories)
        )
    )


def get_agreement(session: Session, slug: str) -> Agreement:
    statement = (
        select(Agreement)
        .where(Agreement.slug == slug)
        .options(
            selectinload(Agreement.threats),
            selectinload(Agreement.category_rows),
            selectinload(Agreement.citations).joinedload(Citation.source),
            selectinload(Agreement.parties).options(
                joinedload(AgreementParty.country),
                joinedload(AgreementParty.organization),
                selectinload(AgreementParty.citations).joinedload(Citation.source),
            ),
        )
    )
    agreement = session.scalars(statement).one_or_none()
    if agreement is None:
        raise NotFound(f"No agreement with slug {slug!r}; GET /v1/agreements lists them.")
    return agreement
