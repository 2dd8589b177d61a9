"""Curating agreements, their parties (countries or organizations) and threat links.

Every change to an agreement or its parties re-derives the agreement's ties; an organization
party stands for its members at the time.
"""

from typing import Any

from sqlalchemy import select

from app.agreements import schemas
from app.agreements.details import agreement_detail
from app.agreements.models import Agreement, AgreementParty
from app.audit.models import AuditOperation
from app.cooperation.models import TieChannel
from app.core.problems import InvalidParameter, ProblemError
from app.countries.queries import named_country
from app.curation.curated import Curated, audit_put, replace_rows
from app.curation.inputs import patch_values, snapshot
from app.curation.transaction import Write
from app.curation.writes.shared import delete_rows
from app.organizations.models import Organization
from app.sources.queries import cite

AGREEMENTS = Curated(
    Agreement, "agreement", "/v1/agreements", agreement_detail, TieChannel.agreement
)
PARTY = "agreement_party"


def _organization(tx: Write, slug: str, pointer: str) -> Organization:
    organization = tx.session.scalars(
        select(Organization).where(Organization.slug == slug)
    ).one_or_none()
    if organization is None:
        raise InvalidParameter(
            pointer, f"Unknown organization {slug!r}; GET /v1/organizations lists them."
        )
    return organization


def _add_parties(tx: Write, body: schemas.AgreementCreate, agreement: Agreement) -> None:
    seen: set[tuple[str, int]] = set()
    for index, party in enumerate(body.parties):
        where = f"/body/parties/{index}"
        values: dict[str, Any]
        if party.country is not None:
            country = named_country(tx.session, party.country, f"{where}/country")
            key, name, values = ("country", country.id), country.iso3, {"country_id": country.id}
        else:
            assert party.organization is not None
            organization = _organization(tx, party.organization, f"{where}/organization")
            key, name = ("organization", organization.id), organization.slug
            values = {"organization_id": organization.id}
        if key in seen:
            raise InvalidParameter(where, f"Party {name} is listed twice.")
        seen.add(key)
        row = AgreementParty(
            agreement_id=agreement.id,
            **values,
            **party.model_dump(exclude={"country", "organization", "sources"}),
        )
        row.citations = cite(tx.session, party.sources or body.sources, f"{where}/sources")
        tx.session.add(row)


def create_agreement(tx: Write, body: schemas.AgreementCreate) -> schemas.AgreementDetail:
    return AGREEMENTS.create(
        tx,
        body.slug,
        lambda: Agreement(**body.model_dump(exclude={"threats", "parties", "sources"}), threats=[]),
        body.sources,
        body.threats,
        lambda agreement: _add_parties(tx, body, agreement),
    )


def update_agreement(
    tx: Write, slug: str, body: schemas.AgreementUpdate
) -> schemas.AgreementDetail:
    def check(agreement: Agreement) -> None:
        errors = schemas.agreement_errors(
            agreement.signed_date, agreement.in_force_date, agreement.ended_date
        )
        if errors:
            raise InvalidParameter("/body", f"Invalid request: {'; '.join(errors)}.")

    changes = patch_values(body, ("signed", "in_force", "ended"), {"sources"})
    return AGREEMENTS.update(tx, slug, changes, body.sources, check)


def _party_key(
    tx: Write, country: str | None, organization: str | None
) -> tuple[dict[str, int], str]:
    """The party's column and id, and its public name (ISO3 or slug), from the path."""
    if country is not None:
        found = named_country(tx.session, country, "/path/code")
        return {"country_id": found.id}, found.iso3
    assert organization is not None
    party = tx.session.scalars(
        select(Organization).where(Organization.slug == organization)
    ).one_or_none()
    if party is None:
        raise ProblemError(
            404, f"No organization with slug {organization!r}; GET /v1/organizations lists them."
        )
    return {"organization_id": party.id}, party.slug


def _stored_parties(tx: Write, agreement: Agreement, key: dict[str, int]) -> list[AgreementParty]:
    ((column, value),) = key.items()
    return list(
        tx.session.scalars(
            select(AgreementParty).where(
                AgreementParty.agreement_id == agreement.id,
                getattr(AgreementParty, column) == value,
            )
        )
    )


def _party_snapshot(detail: schemas.AgreementDetail, name: str) -> Any:
    for party in detail.parties:
        if (party.country and party.country.iso3 == name) or (
            party.organization and party.organization.slug == name
        ):
            return snapshot(party)
    return None


def put_party(
    tx: Write,
    slug: str,
    body: schemas.PartyPut,
    *,
    country: str | None = None,
    organization: str | None = None,
) -> schemas.AgreementDetail:
    agreement = AGREEMENTS.target(tx, slug)
    key, name = _party_key(tx, country, organization)
    before = agreement_detail(tx.session, slug)
    row = AgreementParty(agreement_id=agreement.id, **key, **body.model_dump(exclude={"sources"}))
    replace_rows(tx, _stored_parties(tx, agreement, key), row, body.sources)
    after = agreement_detail(tx.session, slug)
    audit_put(
        tx, PARTY, f"{slug}/{name}", _party_snapshot(before, name), _party_snapshot(after, name)
    )
    return after


def delete_party(
    tx: Write, slug: str, *, country: str | None = None, organization: str | None = None
) -> None:
    agreement = AGREEMENTS.target(tx, slug)
    key, name = _party_key(tx, country, organization)
    before = agreement_detail(tx.session, slug)
    delete_rows(tx, _stored_parties(tx, agreement, key), f"{name} is not a party to {slug!r}.")
    tx.audit(PARTY, f"{slug}/{name}", AuditOperation.delete, _party_snapshot(before, name), None)
