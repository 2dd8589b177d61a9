"""Alliances as the API serves them: rows to schemas, with the sentence that sums one up."""

from typing import Any

from sqlalchemy.orm import Session

from app.alliances import queries
from app.alliances.models import Alliance, Obligation
from app.alliances.schemas import AllianceDetail, AllianceOut

# Every alliance comes from ATOP 5.1 (`app.imports.atop`); its rows are cited with this source.
ATOP_SOURCE = "atop-v5-1"
_KIND = {
    Obligation.defense: "Defense pact",
    Obligation.offense: "Offense pact",
    Obligation.neutrality: "Neutrality pact",
    Obligation.non_aggression: "Non-aggression pact",
    Obligation.consultation: "Consultation pact",
}


def _common(alliance: Alliance) -> dict[str, Any]:
    return {
        "slug": alliance.slug,
        "atop_id": alliance.atop_id,
        "name": alliance.name,
        "name_is_label": alliance.name_is_label,
        "start_date": alliance.start_date,
        "start_precision": alliance.start_precision,
        "end_date": alliance.end_date,
        "end_precision": alliance.end_precision,
        "obligations": alliance.obligations,
        "targets": alliance.targets,
        "agreement": alliance.agreement.slug if alliance.agreement else None,
        "created_organization": alliance.created_organization,
    }


def alliance_out(alliance: Alliance) -> AllianceOut:
    return AllianceOut.model_validate(_common(alliance))


def description(alliance: Alliance) -> str:
    """ "Defense pact of 8 states; directed against: German Federal Republic." """
    obligations = alliance.obligations
    kind = _KIND[obligations[0]] if obligations else "Alliance"
    states = len({member.country_id for member in alliance.members})
    text = f"{kind} of {states} state{'s' if states != 1 else ''}"
    if alliance.targets:
        names = [t.country.name if t.country else f"COW {t.cow_code}" for t in alliance.targets]
        text += f"; directed against: {', '.join(names)}"
    return text + "."


def alliance_detail(session: Session, slug: str) -> AllianceDetail:
    alliance = queries.get_alliance(session, slug)
    source = queries.dataset_source(session, ATOP_SOURCE)

    def cite(locator: str) -> dict[str, Any]:
        return {
            "source_id": ATOP_SOURCE,
            "title": source.title if source else ATOP_SOURCE,
            "url": source.url if source else None,
            "locator": locator,
        }

    return AllianceDetail.model_validate(
        {
            **_common(alliance),
            "description": description(alliance),
            "phases": alliance.phases,
            "cow_id": alliance.cow_id,
            "cow4_id": alliance.cow4_id,
            "military_aid": alliance.military_aid,
            "bases": alliance.bases,
            "integrated_command": alliance.integrated_command,
            "organization": alliance.organization,
            "members": [
                {
                    "country": member.country,
                    "cow_code": member.cow_code,
                    "phase": member.phase,
                    "start_date": member.start_date,
                    "start_precision": member.start_precision,
                    "end_date": member.end_date,
                    "end_precision": member.end_precision,
                    "obligations": member.obligations,
                    "note": member.note,
                    "source": cite(member.locator),
                }
                for member in alliance.members
            ],
            "sources": [cite(alliance.locator)],
        }
    )
