"""Curating operations, their contributors and threat links.

Every change to an operation or its contributors re-derives the operation's ties
(co-contribution in overlapping periods).
"""

from typing import Any

from sqlalchemy import select

from app.audit.models import AuditOperation
from app.cooperation.models import TieChannel
from app.core.inputs import period_error
from app.core.problems import InvalidParameter
from app.countries.models import Country
from app.countries.queries import named_country
from app.curation.curated import Curated, audit_put, replace_rows
from app.curation.inputs import patch_values, snapshot
from app.curation.transaction import Write
from app.curation.writes.shared import delete_rows
from app.operations.details import operation_detail
from app.operations.models import Contribution, Operation
from app.operations.schemas import ContributorPut, OperationCreate, OperationDetail, OperationUpdate
from app.organizations.models import Organization
from app.sources.queries import cite

OPERATIONS = Curated(
    Operation, "operation", "/v1/operations", operation_detail, TieChannel.operation
)
CONTRIBUTION = "contribution"


def _references(tx: Write, values: dict[str, Any]) -> dict[str, Any]:
    """The lead organization's and the host country's ids for their slug and code."""
    resolved = dict(values)
    if "lead_organization" in resolved:
        slug = resolved.pop("lead_organization")
        organization_id = None
        if slug is not None:
            organization_id = tx.session.scalar(
                select(Organization.id).where(Organization.slug == slug)
            )
            if organization_id is None:
                raise InvalidParameter(
                    "/body/lead_organization",
                    f"Unknown organization {slug!r}; GET /v1/organizations lists them.",
                )
        resolved["lead_organization_id"] = organization_id
    if "host_country" in resolved:
        code = resolved.pop("host_country")
        resolved["host_country_id"] = (
            None if code is None else named_country(tx.session, code, "/body/host_country").id
        )
    return resolved


def _add_contributors(tx: Write, body: OperationCreate, operation: Operation) -> None:
    seen: set[int] = set()
    for index, contributor in enumerate(body.contributors):
        where = f"/body/contributors/{index}"
        country = named_country(tx.session, contributor.country, f"{where}/country")
        if country.id in seen:
            raise InvalidParameter(
                f"{where}/country", f"Contributor {country.iso3} is listed twice."
            )
        seen.add(country.id)
        row = Contribution(
            operation_id=operation.id,
            country_id=country.id,
            **contributor.model_dump(exclude={"country", "sources"}),
        )
        row.citations = cite(tx.session, contributor.sources or body.sources, f"{where}/sources")
        tx.session.add(row)


def create_operation(tx: Write, body: OperationCreate) -> OperationDetail:
    def build() -> Operation:
        fields = body.model_dump(exclude={"threats", "contributors", "sources"})
        return Operation(**_references(tx, fields), threats=[])

    return OPERATIONS.create(
        tx,
        body.slug,
        build,
        body.sources,
        body.threats,
        lambda operation: _add_contributors(tx, body, operation),
    )


def update_operation(tx: Write, slug: str, body: OperationUpdate) -> OperationDetail:
    def check(operation: Operation) -> None:
        error = period_error(operation.start_date, operation.end_date, "start_date", "end_date")
        if error:
            raise InvalidParameter("/body/end_date", f"Invalid request: {error}.")

    return OPERATIONS.update(
        tx,
        slug,
        lambda: _references(tx, patch_values(body, ("start", "end"), {"sources"})),
        body.sources,
        check,
    )


def _contributions(tx: Write, operation: Operation, country: Country) -> list[Contribution]:
    return list(
        tx.session.scalars(
            select(Contribution).where(
                Contribution.operation_id == operation.id, Contribution.country_id == country.id
            )
        )
    )


def _contributor_snapshot(detail: OperationDetail, iso3: str) -> Any:
    found = [c for c in detail.contributors if c.country.iso3 == iso3]
    return snapshot(found[0]) if found else None


def put_contributor(tx: Write, slug: str, code: str, body: ContributorPut) -> OperationDetail:
    operation = OPERATIONS.target(tx, slug)
    country = named_country(tx.session, code, "/path/code")
    before = operation_detail(tx.session, slug)
    row = Contribution(
        operation_id=operation.id, country_id=country.id, **body.model_dump(exclude={"sources"})
    )
    replace_rows(tx, _contributions(tx, operation, country), row, body.sources)
    after = operation_detail(tx.session, slug)
    old, new = (_contributor_snapshot(detail, country.iso3) for detail in (before, after))
    audit_put(tx, CONTRIBUTION, f"{slug}/{country.iso3}", old, new)
    return after


def delete_contributor(tx: Write, slug: str, code: str) -> None:
    operation = OPERATIONS.target(tx, slug)
    country = named_country(tx.session, code, "/path/code")
    before = operation_detail(tx.session, slug)
    missing = f"{country.name} is not a contributor to {slug!r}."
    delete_rows(tx, _contributions(tx, operation, country), missing)
    tx.audit(
        CONTRIBUTION,
        f"{slug}/{country.iso3}",
        AuditOperation.delete,
        _contributor_snapshot(before, country.iso3),
        None,
    )
