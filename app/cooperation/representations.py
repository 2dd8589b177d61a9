"""The API schemas of the partners and pair reads, and of a threat category with the
initiatives that address it, made from what the queries return."""

from collections.abc import Sequence
from datetime import date
from itertools import groupby

from fastapi import Request
from sqlalchemy.orm import Session

from app.cooperation.channels import CHANNELS, DIRECTED
from app.cooperation.coverage import CoverageGap, coverage_at, requested_gaps
from app.cooperation.models import TieChannel
from app.cooperation.queries import (
    CommonPartner,
    Linked,
    PairTie,
    PartnerSummary,
    initiatives_addressing,
)
from app.cooperation.schemas import (
    CommonPartnerOut,
    Directions,
    Initiative,
    PairOut,
    PairSummary,
    PartnerOut,
    TieDirection,
    TieOut,
)
from app.core.coverage import CoverageMeta, CoverageNote, StatedCoverage, YearRange
from app.core.memo import LruCache, database_identity
from app.core.periods import Span
from app.countries.models import Country
from app.countries.schemas import CountryRef
from app.sources.schemas import CitationOut
from app.threats import queries as threats
from app.threats.schemas import (
    InitiativeLinkOut,
    ResponseOut,
    SeriesLinksOut,
    ThreatDetail,
    ThreatOut,
    ThreatRef,
    link_period,
)


def partner_out(summary: PartnerSummary) -> PartnerOut:
    # Validated from plain values in one call: a list of partners runs to hundreds of rows.
    return PartnerOut.model_validate(
        {
            "partner": {"iso3": summary.partner.iso3, "name": summary.partner.name},
            "ties": summary.ties,
            "channels": summary.channels,
            "directions": {
                channel: {"to_partner": d.to_partner, "from_partner": d.from_partner}
                for channel, d in summary.directions.items()
            },
            "threats": [{"slug": t.slug, "name": t.name} for t in summary.threats],
            "tie_years": summary.tie_years,
            "first_year": summary.first_year,
            "last_year": summary.last_year,
            "ongoing": summary.ongoing,
        }
    )


def common_partner_out(shared: CommonPartner) -> CommonPartnerOut:
    return CommonPartnerOut.model_validate(
        {
            "partner": {"iso3": shared.partner.iso3, "name": shared.partner.name},
            "ties": shared.ties,
            "countries": {
                iso3: {
                    "ties": side.ties,
                    "channels": side.channels,
                    "tie_years": side.tie_years,
                    "first_year": side.first_year,
                    "last_year": side.last_year,
                }
                for iso3, side in shared.sides.items()
            },
        }
    )


def _direction(tie: PairTie, codes: tuple[str, str]) -> tuple[str, str] | None:
    """(source, target) of a directed channel's tie, from the roles of its two countries."""
    source_role = DIRECTED.get(tie.channel)
    if source_role is None:
        return None
    return codes if tie.roles[0] == source_role else (codes[1], codes[0])


def tie_out(tie: PairTie, codes: tuple[str, str]) -> TieOut:
    """One shared initiative; `codes`: the ISO3 of the country and the partner, in order."""
    direction = _direction(tie, codes)
    return TieOut(
        channel=tie.channel,
        initiative=Initiative(
            kind=CHANNELS[tie.channel].kind,
            slug=tie.initiative.slug,
            name=tie.initiative.name,
        ),
        direction=TieDirection(source=direction[0], target=direction[1]) if direction else None,
        start_date=tie.span.start,
        start_inferred=tie.start_inferred,
        end_date=tie.span.end,
        first_year=tie.span.first_year,
        last_year=tie.span.last_year,
        roles=dict(zip(codes, tie.roles, strict=True)),
        threats=[ThreatRef.model_validate(t) for t in tie.threats],
        certainty=tie.certainty,
        sources=[CitationOut.model_validate(c) for c in tie.citations],
    )


def pair_out(
    country: Country, partner: Country, ties: Sequence[PairTie], coverage: StatedCoverage
) -> PairOut:
    channels = dict.fromkeys(CHANNELS, 0)
    directions: dict[TieChannel, Directions] = {}
    codes = (country.iso3, partner.iso3)
    for tie in ties:
        channels[tie.channel] += 1
        direction = _direction(tie, codes)
        if direction is not None:
            counts = directions.setdefault(tie.channel, Directions(to_partner=0, from_partner=0))
            if direction[0] == country.iso3:
                counts.to_partner += 1
            else:
                counts.from_partner += 1
    extent = Span(None, None) if not ties else ties[0].span
    for tie in ties[1:]:
        extent = extent.union(tie.span)
    return PairOut(
        country=CountryRef.model_validate(country),
        partner=CountryRef.model_validate(partner),
        summary=PairSummary(
            ties=len(ties),
            channels=channels,
            directions=directions,
            threats=[
                ThreatRef.model_validate(t)
                for t in sorted(
                    {t.id: t for tie in ties for t in tie.threats}.values(), key=lambda t: t.slug
                )
            ],
            first_year=extent.first_year if ties else None,
            last_year=extent.last_year if ties else None,
            ongoing=any(tie.span.end is None for tie in ties),
        ),
        data=[tie_out(tie, codes) for tie in ties],
        meta=CoverageMeta(coverage=coverage.notes),
    )


# The notes of the requests asked most, per data version (a few hundred small lists).
_NOTES_CACHE_SIZE = 512
_notes: LruCache[
    tuple[str, int, tuple[TieChannel, ...], int | None, int | None, int], list[CoverageNote]
] = LruCache(_NOTES_CACHE_SIZE)


def stated_coverage(
    request: Request,
    session: Session,
    channels: Sequence[TieChannel],
    first_year: int | None,
    last_year: int | None,
) -> StatedCoverage:
    """What an answer about these channels (none: every channel) and years does not cover,
    and the query of `GET /v1/coverage` that serves the same notes (for downloads); the
    notes are made once per data version and request."""
    version: int = request.state.data_version
    this_year = date.today().year
    key = (database_identity(session), version, tuple(channels), first_year, last_year, this_year)

    def notes() -> list[CoverageNote]:
        coverage = coverage_at(session, version)
        gaps = requested_gaps(coverage, channels, first_year, last_year, this_year)
        return [_note_out(gap) for gap in gaps]

    query = [("channel", channel.value) for channel in channels]
    query += [
        (name, str(year))
        for name, year in (("year_gte", first_year), ("year_lte", last_year))
        if year is not None
    ]
    return StatedCoverage(_notes.get_or_build(key, notes), request, query)


def _note_out(gap: CoverageGap) -> CoverageNote:
    return CoverageNote(
        channel=gap.channel.value,
        partial_years=[YearRange(first_year=a, last_year=b) for a, b in gap.partial_years],
        years_without_data=[
            YearRange(first_year=a, last_year=b) for a, b in gap.years_without_data
        ],
        note=gap.note,
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
    """A threat category with its responses and, per channel, the initiatives linked to it."""
    threat = threats.get_threat(session, slug)
    linked = initiatives_addressing(session, threat.id)
    return ThreatDetail(
        **ThreatOut.model_validate(threat).model_dump(),
        sources=[CitationOut.model_validate(c) for c in threat.citations],
        responses=[ResponseOut.model_validate(r) for r in threats.responses_to(session, threat.id)],
        organizations=[_initiative(each, "organization") for each in linked["organizations"]],
        exercises=[
            _series(list(editions))
            for _slug, editions in groupby(linked["exercises"], key=lambda each: each.slug)
        ],
        agreements=[_initiative(each, "agreement") for each in linked["agreements"]],
        operations=[_initiative(each, "operation") for each in linked["operations"]],
    )
