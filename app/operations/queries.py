from collections.abc import Sequence

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from app.core.pagination import PageParams, SortKey, fetch_page
from app.core.problems import NotFound
from app.core.search import contains_text
from app.operations.models import Contribution, Operation, OperationKind, operation_threats
from app.sources.models import Citation


def list_operations(
    session: Session,
    *,
    kind: OperationKind | None,
    host_ids: list[int],
    contributor_ids: list[int],
    threat_ids: list[int],
    q: str | None,
    page: PageParams,
) -> tuple[Sequence[Operation], int, str | None]:
    statement = select(Operation).options(
        selectinload(Operation.threats),
        joinedload(Operation.lead_organization),
        joinedload(Operation.host_country),
    )
    if kind is not None:
        statement = statement.where(Operation.kind == kind)
    if host_ids:
        statement = statement.where(Operation.host_country_id.in_(host_ids))
    if contributor_ids:
        statement = statement.where(
            Operation.id.in_(
                select(Contribution.operation_id).where(
                    Contribution.country_id.in_(contributor_ids)
                )
            )
        )
    if threat_ids:
        statement = statement.where(
            Operation.id.in_(
                select(operation_threats.c.operation_id).where(
                    operation_threats.c.threat_id.in_(threat_ids)
                )
            )
        )
    if q:
        statement = statement.where(
            or_(contains_text(Operation.name, q), contains_text(Operation.slug, q))
        )
    return fetch_page(session, statement, SortKey(Operation.slug, Operation.id), page)


def get_operation(session: Session, slug: str) -> Operation:
    statement = (
        select(Operation)
        .where(Operation.slug == slug)
        .options(
            selectinload(Operation.threats),
            joinedload(Operation.lead_organization),
            joinedload(Operation.host_country),
            selectinload(Operation.citations).joinedload(Citation.source),
            selectinload(Operation.contributions).options(
                joinedload(Contribution.country),
                selectinload(Contribution.citations).joinedload(Citation.source),
            ),
        )
    )
    operation = session.scalars(statement).one_or_none()
    if operation is None:
        raise NotFound(f"No operation with slug {slug!r}; GET /v1/operations lists them.")
    return operation
