"""The representation of an operation, as the reads and the writes return it, and of the
monthly personnel of its contributions."""

from collections.abc import Sequence
from datetime import date

from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session

from app.core.coverage import link_coverage
from app.core.pagination import PageParams, Paging
from app.core.periods import month_text, next_month, previous_month
from app.countries.schemas import CountryRef
from app.operations import queries
from app.operations.models import ContributionMonth
from app.operations.schemas import (
    ContributionMonthOut,
    MonthCoverage,
    MonthRange,
    MonthsMeta,
    MonthSource,
    MonthsPage,
    OperationDetail,
    OperationRef,
    Personnel,
    SpellSummary,
)


def operation_detail(session: Session, slug: str) -> OperationDetail:
    operation = queries.get_operation(session, slug)
    detail = OperationDetail.model_validate(operation)
    figures = queries.spell_figures(session, [c.id for c in operation.contributions])
    for contributor, contribution in zip(detail.contributors, operation.contributions, strict=True):
        spell = figures.get(contribution.id)
        if spell is not None:
            contributor.monthly = SpellSummary(
                first_month=month_text(spell.first_month),
                last_month=month_text(spell.last_month),
                months=spell.months,
                peak_total=spell.peak_total,
                peak_month=month_text(spell.peak_month),
                mean_total=spell.mean_total,
            )
    return detail


def _personnel(row: ContributionMonth, group: str) -> Personnel:
    return Personnel(
        male=getattr(row, f"{group}_male"),
        female=getattr(row, f"{group}_female"),
        total=getattr(row, f"{group}_total" if group != "total" else "total"),
    )


def month_items(rows: Sequence[ContributionMonth]) -> list[ContributionMonthOut]:
    return [
        ContributionMonthOut(
            month=month_text(row.month),
            operation=OperationRef.model_validate(row.contribution.operation),
            country=CountryRef.model_validate(row.contribution.country),
            police=_personnel(row, "police"),
            formed_police=_personnel(row, "formed_police"),
            experts=_personnel(row, "experts"),
            troops=_personnel(row, "troops"),
            total=_personnel(row, "total"),
            source=MonthSource(
                source_id=row.source_id, title=row.source.title, locator=row.locator
            ),
        )
        for row in rows
    ]


def _unknown(
    coverage: list[tuple[str, date, date]], month_gte: date | None, month_lte: date | None
) -> list[MonthRange]:
    """The parts of [month_gte, month_lte] (unbounded where None) outside the covered
    months (the datasets' months taken as one window: from the first to the last)."""
    if not coverage:
        return [MonthRange(from_month=_text(month_gte), until_month=_text(month_lte))]
    first = min(start for _, start, _ in coverage)
    last = max(end for _, _, end in coverage)
    unknown = []
    if month_gte is None or month_gte < first:
        before_end = min(month_lte, previous_month(first)) if month_lte else previous_month(first)
        if month_gte is None or month_gte <= before_end:
            unknown.append(MonthRange(from_month=_text(month_gte), until_month=_text(before_end)))
    if month_lte is None or month_lte > last:
        after_start = max(month_gte, next_month(last)) if month_gte else next_month(last)
        if month_lte is None or after_start <= month_lte:
            unknown.append(MonthRange(from_month=_text(after_start), until_month=_text(month_lte)))
    return unknown


def _text(month: date | None) -> str | None:
    return month_text(month) if month else None


# The tie channel of operations (`TieChannel.operation`; app.cooperation sits above this
# package), and the parameters of `GET /v1/coverage` that the months' window becomes.
_CHANNEL = "operation"
_YEAR_BOUNDS = ("year_gte", "year_lte")

_NOTE = (
    "Monthly personnel is known only for the months in `coverage`: in those months a country "
    "without a row had no personnel in the operation; outside them (`unknown`) nothing is "
    "known, which is not zero."
)


def months_page(
    session: Session,
    paging: Paging,
    operation_ids: list[int],
    country_ids: list[int],
    window: tuple[date | None, date | None],
) -> MonthsPage | StreamingResponse:
    """A page of the monthly personnel of these operations and countries (none: every one)
    within the window, with what the data covers and what is unknown; the CSV, which has no
    `meta`, links to the operation channel's coverage of those years."""

    def fetch(page: PageParams) -> tuple[Sequence[ContributionMonth], int, str | None]:
        return queries.contribution_months(
            session, operation_ids=operation_ids, country_ids=country_ids,
            month_gte=window[0], month_lte=window[1], page=page,
        )  # fmt: skip

    answer = paging.of(fetch, month_items)
    if isinstance(answer, StreamingResponse):
        years = [
            (name, str(bound.year))
            for name, bound in zip(_YEAR_BOUNDS, window, strict=True)
            if bound
        ]
        link_coverage(paging.request, answer, [("channel", _CHANNEL), *years])
        return answer
    coverage = queries.month_coverage(session)
    return MonthsPage(
        data=answer.data,
        links=answer.links,
        meta=MonthsMeta(
            **answer.meta.model_dump(),
            coverage=[
                MonthCoverage(
                    source_id=source_id, first_month=month_text(first), last_month=month_text(last)
                )
                for source_id, first, last in coverage
            ],
            unknown=_unknown(coverage, *window),
            note=_NOTE,
        ),
    )
