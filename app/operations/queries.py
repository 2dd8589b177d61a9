from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from app.core.pagination import PageParams, SortKey, fetch_page
from app.core.problems import InvalidParameter, NotFound
from app.core.queries import linked, one_by_slug, text_in, where_given
from app.operations.models import (
    Contribution,
    ContributionMonth,
    Operation,
    OperationKind,
    operation_threats,
)
from app.sources.queries import with_sources
from app.threats.queries import addressing


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
    contributors = Contribution.country_id.in_(contributor_ids)
    statement = where_given(
        select(Operation).options(
            selectinload(Operation.threats),
            joinedload(Operation.lead_organization),
            joinedload(Operation.host_country),
        ),
        None if kind is None else Operation.kind == kind,
        Operation.host_country_id.in_(host_ids) if host_ids else None,
        linked(Operation.id, Contribution.operation_id, contributors) if contributor_ids else None,
        addressing(Operation.id, operation_threats.c.operation_id, threat_ids),
        text_in(q, Operation.name, Operation.slug),
    )
    return fetch_page(session, statement, SortKey(Operation.slug, Operation.id), page)


def get_operation(session: Session, slug: str) -> Operation:
    contributions = selectinload(Operation.contributions).options(
        joinedload(Contribution.country), with_sources(Contribution.citations)
    )
    return one_by_slug(
        session,
        Operation,
        slug,
        "operation",
        "/v1/operations",
        selectinload(Operation.threats),
        joinedload(Operation.lead_organization),
        joinedload(Operation.host_country),
        with_sources(Operation.citations),
        contributions,
    )


def operation_id(session: Session, slug: str) -> int:
    found = session.scalar(select(Operation.id).where(Operation.slug == slug))
    if found is None:
        raise NotFound(f"No operation with slug {slug!r}; GET /v1/operations lists them.")
    return found


def operation_ids(session: Session, slugs: list[str], pointer: str) -> list[int]:
    """The operations a filter names; an unknown slug is the client's error (422)."""
    found = dict(
        session.execute(select(Operation.slug, Operation.id).where(Operation.slug.in_(slugs))).all()
    )
    for slug in slugs:
        if slug not in found:
            raise InvalidParameter(
                pointer, f"Unknown operation {slug!r}; GET /v1/operations lists them."
            )
    return [found[slug] for slug in slugs]


def contribution_months(
    session: Session,
    *,
    operation_ids: list[int],
    country_ids: list[int],
    month_gte: date | None,
    month_lte: date | None,
    page: PageParams,
) -> tuple[Sequence[ContributionMonth], int, str | None]:
    """Monthly personnel, by month, of the given operations and countries (any if none)."""
    statement = (
        select(ContributionMonth)
        .join(Contribution, Contribution.id == ContributionMonth.contribution_id)
        .options(
            joinedload(ContributionMonth.source),
            joinedload(ContributionMonth.contribution).options(
                joinedload(Contribution.country), joinedload(Contribution.operation)
            ),
        )
    )
    if operation_ids:
        statement = statement.where(Contribution.operation_id.in_(operation_ids))
    if country_ids:
        statement = statement.where(Contribution.country_id.in_(country_ids))
    if month_gte is not None:
        statement = statement.where(ContributionMonth.month >= month_gte)
    if month_lte is not None:
        statement = statement.where(ContributionMonth.month <= month_lte)
    return fetch_page(
        session, statement, SortKey(ContributionMonth.month, ContributionMonth.id), page
    )


def month_coverage(session: Session) -> list[tuple[str, date, date]]:
    """Per source of monthly contributions: its first and last month."""
    rows = session.execute(
        select(
            ContributionMonth.source_id,
            func.min(ContributionMonth.month),
            func.max(ContributionMonth.month),
        )
        .group_by(ContributionMonth.source_id)
        .order_by(ContributionMonth.source_id)
    )
    return [(source_id, first, last) for source_id, first, last in rows]


@dataclass(frozen=True)
class SpellFigures:
    first_month: date
    last_month: date
    months: int
    peak_total: int
    peak_month: date
    mean_total: float


def spell_figures(session: Session, contribution_ids: list[int]) -> dict[int, SpellFigures]:
    """The months of each contribution that has them, summarized."""
    if not contribution_ids:
        return {}
    rows = session.execute(
        select(ContributionMonth.contribution_id, ContributionMonth.month, ContributionMonth.total)
        .where(ContributionMonth.contribution_id.in_(contribution_ids))
        .order_by(ContributionMonth.contribution_id, ContributionMonth.month)
    )
    months: defaultdict[int, list[tuple[date, int]]] = defaultdict(list)
    for contribution_id, month, total in rows:
        months[contribution_id].append((month, total))
    return {
        contribution_id: SpellFigures(
            first_month=series[0][0],
            last_month=series[-1][0],
            months=len(series),
            peak_total=max(total for _, total in series),
            # The first month at the peak: max keeps the first of equal totals.
            peak_month=max(series, key=lambda item: item[1])[0],
            mean_total=round(sum(total for _, total in series) / len(series), 1),
        )
        for contribution_id, series in months.items()
    }
