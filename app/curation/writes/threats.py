"""Curating threat categories.

A category still linked to an initiative or a way of cooperating cannot be deleted (409
naming the links): the links are curated facts, and deleting them silently with the category
would lose them; unlink them first (each unlink is audited on its own).
"""

from sqlalchemy import delete, func, select

from app.agreements.models import agreement_threats
from app.audit.models import AuditOperation
from app.curation.inputs import snapshot
from app.curation.transaction import Conflict, Write
from app.exercises.models import edition_threats
from app.operations.models import operation_threats
from app.organizations.models import organization_threats
from app.sources.queries import cite
from app.threats.details import threat_detail
from app.threats.models import ThreatCategory, response_threats
from app.threats.schemas import ThreatCreate, ThreatDetail, ThreatUpdate

THREAT = "threat_category"
_LINKS = {
    "organizations": organization_threats,
    "exercise editions": edition_threats,
    "agreements": agreement_threats,
    "operations": operation_threats,
    "ways of cooperating": response_threats,
}


def _target(tx: Write, slug: str) -> ThreatCategory:
    return tx.target(
        select(ThreatCategory).where(ThreatCategory.slug == slug),
        f"No threat category {slug!r}; GET /v1/threat-categories lists them.",
    )


def create_threat(tx: Write, body: ThreatCreate) -> ThreatDetail:
    if tx.session.scalar(select(ThreatCategory.id).where(ThreatCategory.slug == body.slug)):
        raise Conflict(f"A threat category with slug {body.slug!r} already exists.")
    threat = ThreatCategory(**body.model_dump(exclude={"sources"}), modified_in_version=tx.version)
    threat.citations = cite(tx.session, body.sources, "/body/sources")
    tx.session.add(threat)
    tx.reload()
    after = threat_detail(tx.session, body.slug)
    tx.audit(THREAT, body.slug, AuditOperation.create, None, snapshot(after))
    return after


def update_threat(tx: Write, slug: str, body: ThreatUpdate) -> ThreatDetail:
    threat = _target(tx, slug)
    before = threat_detail(tx.session, slug)
    for name, value in body.model_dump(exclude_unset=True, exclude={"sources"}).items():
        setattr(threat, name, value)
    if body.sources is not None:
        threat.citations = cite(tx.session, body.sources, "/body/sources")
    tx.reload()
    after = threat_detail(tx.session, slug)
    tx.audit(THREAT, slug, AuditOperation.update, snapshot(before), snapshot(after))
    return after


def delete_threat(tx: Write, slug: str) -> None:
    threat = _target(tx, slug)
    links = {
        what: tx.session.scalar(
            select(func.count()).select_from(table).where(table.c.threat_id == threat.id)
        )
        or 0
        for what, table in _LINKS.items()
    }
    if any(links.values()):
        counted = ", ".join(f"{count} {what}" for what, count in links.items() if count)
        raise Conflict(
            f"Threat category {slug!r} is still linked to {counted}; unlink them first "
            f"(DELETE .../threats/{slug} on each), GET /v1/threat-categories/{slug} lists them."
        )
    before = threat_detail(tx.session, slug)
    tx.session.execute(delete(ThreatCategory).where(ThreatCategory.id == threat.id))
    tx.audit(THREAT, slug, AuditOperation.delete, snapshot(before), None)
