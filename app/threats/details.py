"""The representation of a threat category, as the read and the writes return it."""

from itertools import groupby

from sqlalchemy.orm import Session

from app.sources.schemas import CitationOut
from app.threats import queries
from app.threats.queries import Linked
from app.threats.schemas import (
    InitiativeLinkOut,
    ResponseOut,
    SeriesLinksOut,
    ThreatDetail,
    ThreatOut,
    link_period,
)


def _initiative(linked: Linked, kind: str) -> InitiativeLinkOut:
    return InitiativeLinkOut(
        slug=linked.slug, name=linked.name, **link_period(linked.link, linked.source)
    ).of_kind(kind)


def _series(editions: list[Linked]) -> SeriesLinksOut:
    """A series from its linked editions (in year order)."""
    periods = [link_period(edition.link, edition.source) for edition in editions]
    sources = {
        (cited.source_id, cited.locator): cited for period in periods for cited in period["sources"]
    }
    return SeriesLinksOut(
        slug=editions[0].slug,
        name=editions[0].name,
        editions=len(editions),
        first_year=editions[0].year,
        last_year=editions[-1].year,
        dated=all(period["dated"] for period in periods),
        sources=list(sources.values()),
    )


def threat_detail(session: Session, slug: str) -> ThreatDetail:
    threat = queries.get_threat(session, slug)
    linked = queries.initiatives_addressing(session, threat.id)
    return ThreatDetail(
        **ThreatOut.model_validate(threat).model_dump(),
        sources=[CitationOut.model_validate(c) for c in threat.citations],
        responses=[ResponseOut.model_validate(r) for r in queries.responses_to(session, threat.id)],
        organizations=[_initiative(each, "organization") for each in linked["organizations"]],
        exercises=[
            _series(list(editions))
            for _slug, editions in groupby(linked["exercises"], key=lambda each: each.slug)
        ],
        agreements=[_initiative(each, "agreement") for each in linked["agreements"]],
        operations=[_initiative(each, "operation") for each in linked["operations"]],
    )
