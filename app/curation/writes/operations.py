"""Curating operations, their contributors and threat links.

Every change to an operation or its contributors re-derives the operation's ties
(co-contribution in overlapping periods).
"""

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.audit.models import AuditOperation
from app.cooperation.models import TieChannel
from app.core.inputs import period_error
from app.core.problems import InvalidParameter, ProblemError
from app.countries.models import Country
from app.countries.queries import named_country
from app.curation.inputs import patch_values, snapshot
from app.curation.transaction import Conflict, ThreatLinks, Write
from app.operations import queries
from app.operations.models import Contribution, Operation
from app.operations.schemas import (
    ContributorPut,
    OperationCreate,
    OperationDetail,
    OperationUpdate,
)
from app.organizations.models import Organization
from app.sources.queries import cite

OPERATION = "operation"
CONTRIBUTION = "contribution"


def operation_detail(session: Session, slug: str) -> OperationDetail:
    return OperationDetail.model_validate(queries.get_operation(session, slug))


def _target(tx: Write, slug: str) -> Operation:
    return tx.target(
        select(Operation).where(Operation.slug == slug),
        f"No operation with slug {slug!r}; GET /v1/operations lists them.",
    )


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


def create_operation(tx: Write, body: OperationCreate) -> OperationDetail:
    if tx.session.scalar(select(Operation.id).where(Operation.slug == body.slug)):
        raise Conflict(f"An operation with slug {body.slug!r} already exists.")
    fields = _references(tx, body.model_dump(exclude={"threats", "contributors", "sources"}))
    operation = Operation(**fields, modified_in_version=tx.version)
    operation.citations = cite(tx.session, body.sources, "/body/sources")
    operation.threats = []
    tx.session.add(operation)
    tx.session.flush()
    _THREATS.add(tx, operation.id, body.threats, "/body/threats")
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
    tx.reload()
    after = operation_detail(tx.session, body.slug)
    tx.audit(OPERATION, body.slug, AuditOperation.create, None, snapshot(after))
    return after


def update_operation(tx: Write, slug: str, body: OperationUpdate) -> OperationDetail:
    operation = _target(tx, slug)
    before = operation_detail(tx.session, slug)
    changes = _references(tx, patch_values(body, ("start", "end"), {"sources"}))
    for name, value in changes.items():
        setattr(operation, name, value)
    error = period_error(operation.start_date, operation.end_date, "start_date", "end_date")
    if error:
        raise InvalidParameter("/body/end_date", f"Invalid request: {error}.")
    if body.sources is not None:
        operation.citations = cite(tx.session, body.sources, "/body/sources")
    tx.reload()
    after = operation_detail(tx.session, slug)
    tx.audit(OPERATION, slug, AuditOperation.update, snapshot(before), snapshot(after))
    return after


def delete_operation(tx: Write, slug: str) -> None:
    operation = _target(tx, slug)
    before = operation_detail(tx.session, slug)
    tx.session.execute(delete(Operation).where(Operation.id == operation.id))
    tx.audit(OPERATION, slug, AuditOperation.delete, snapshot(before), None)


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
    operation = _target(tx, slug)
    country = named_country(tx.session, code, "/path/code")
    before = operation_detail(tx.session, slug)
    # Through the session (the citations are loaded), so that the identity map forgets the
    # rows whose ids the new ones may reuse.
    for stored in _contributions(tx, operation, country):
        tx.session.delete(stored)
    tx.session.flush()
    row = Contribution(
        operation_id=operation.id, country_id=country.id, **body.model_dump(exclude={"sources"})
    )
    row.citations = cite(tx.session, body.sources, "/body/sources")
    tx.session.add(row)
    tx.reload()
    after = operation_detail(tx.session, slug)
    old = _contributor_snapshot(before, country.iso3)
    operation_kind = AuditOperation.update if old else AuditOperation.create
    tx.audit(
        CONTRIBUTION,
        f"{slug}/{country.iso3}",
        operation_kind,
        old,
        _contributor_snapshot(after, country.iso3),
    )
    return after


def delete_contributor(tx: Write, slug: str, code: str) -> None:
    operation = _target(tx, slug)
    country = named_country(tx.session, code, "/path/code")
    before = operation_detail(tx.session, slug)
    stored = _contributions(tx, operation, country)
    if not stored:
        raise ProblemError(404, f"{country.name} is not a contributor to {slug!r}.")
    for row in stored:
        tx.session.delete(row)
    tx.audit(
        CONTRIBUTION,
        f"{slug}/{country.iso3}",
        AuditOperation.delete,
        _contributor_snapshot(before, country.iso3),
        None,
    )


_THREATS = ThreatLinks(TieChannel.operation)


def link_threat(tx: Write, slug: str, threat: str) -> OperationDetail:
    operation = _target(tx, slug)
    _THREATS.link(tx, operation.id, slug, threat)
    return operation_detail(tx.session, slug)


def unlink_threat(tx: Write, slug: str, threat: str) -> None:
    operation = _target(tx, slug)
    _THREATS.unlink(tx, operation.id, slug, threat)
