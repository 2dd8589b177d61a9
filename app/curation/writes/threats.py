"""Curating threat categories.

A category still linked to an initiative or a way of cooperating cannot be deleted (409
naming the links): the links are curated facts, and deleting them silently with the category
would lose them; unlink them first (each unlink is audited on its own).
"""

from functools import partial

from sqlalchemy import func, select

from app.agreements.models import agreement_threats
from app.cooperation.representations import threat_detail
from app.curation.curated import Curated
from app.curation.transaction import Conflict, Write
from app.exercises.models import edition_threats
from app.operations.models import operation_threats
from app.organizations.models import organization_threats
from app.threats.models import ThreatCategory, response_threats
from app.threats.schemas import ThreatCreate, ThreatDetail, ThreatUpdate

_LINKS = {
    "organizations": organization_threats,
    "exercise editions": edition_threats,
    "agreements": agreement_threats,
    "operations": operation_threats,
    "ways of cooperating": response_threats,
}


THREATS = Curated(ThreatCategory, "threat_category", "/v1/threat-categories", threat_detail)


def create_threat(tx: Write, body: ThreatCreate) -> ThreatDetail:
    build = partial(ThreatCategory, **body.model_dump(exclude={"sources"}))
    return THREATS.create(tx, body.slug, build, body.sources)


def update_threat(tx: Write, slug: str, body: ThreatUpdate) -> ThreatDetail:
    changes = body.model_dump(exclude_unset=True, exclude={"sources"})
    return THREATS.update(tx, slug, changes, body.sources)


def _refuse_while_linked(tx: Write, threat: ThreatCategory) -> None:
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
            f"Threat category {threat.slug!r} is still linked to {counted}; unlink them first "
            f"(DELETE .../threats/{threat.slug} on each), GET /v1/threat-categories/{threat.slug} "
            "lists them."
        )


def delete_threat(tx: Write, slug: str) -> None:
    THREATS.delete_unless(tx, slug, lambda row, _: _refuse_while_linked(tx, row))
