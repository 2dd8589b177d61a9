"""The representation of a threat category, as the read and the writes return it."""

from sqlalchemy.orm import Session

from app.sources.schemas import CitationOut
from app.threats import queries
from app.threats.schemas import InitiativeRef, ResponseOut, ThreatDetail, ThreatOut


def threat_detail(session: Session, slug: str) -> ThreatDetail:
    threat = queries.get_threat(session, slug)
    return ThreatDetail(
        **ThreatOut.model_validate(threat).model_dump(),
        sources=[CitationOut.model_validate(c) for c in threat.citations],
        responses=[ResponseOut.model_validate(r) for r in queries.responses_to(session, threat.id)],
        **{
            kind: [InitiativeRef(slug=slug, name=name) for slug, name in initiatives]
            for kind, initiatives in queries.initiatives_addressing(session, threat.id).items()
        },
    )
