from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session

from app.cooperation import queries
from app.cooperation.channels import CHANNELS
from app.cooperation.models import TieChannel
from app.cooperation.queries import PairTie, PartnerSummary, TieFilters
from app.cooperation.schemas import Initiative, PairOut, PairSummary, PartnerOut, TieOut
from app.core.deps import SessionDep
from app.core.pagination import (
    LIST_RESPONSES,
    Page,
    PageDep,
    PageParams,
    list_response,
    page_of_sorted,
)
from app.core.params import CountryCode, ThreatFilter, YearGte, YearLte
from app.core.periods import Span
from app.core.problems import NOT_FOUND_RESPONSES, InvalidParameter
from app.countries.queries import get_country
from app.countries.schemas import CountryRef
from app.sources.schemas import CitationOut
from app.threats.queries import threat_ids
from app.threats.schemas import ThreatRef

router = APIRouter(prefix="/v1/countries", tags=["cooperation"])


def _filters(
    session: Session,
    threat: list[str] | None,
    channel: list[TieChannel] | None,
    year: int | None,
    year_gte: int | None,
    year_lte: int | None,
) -> TieFilters:
    if year is not None and (year_gte is not None or year_lte is not None):
        raise InvalidParameter("/query/year", "Use either year or year_gte/year_lte, not both.")
    if year_gte is not None and year_lte is not None and year_gte > year_lte:
        raise InvalidParameter("/query/year_gte", "year_gte is after year_lte.")
    return TieFilters(
        threat_ids=threat_ids(session, threat or []),
        channels=channel or [],
        year=year,
        year_gte=year_gte,
        year_lte=year_lte,
    )


ChannelFilter = Annotated[
    list[TieChannel] | None,
    Query(
        max_length=len(CHANNELS),
        description="Channel of cooperation; repeat for any of several",
        examples=[["exercise"]],
    ),
]
YearFilter = Annotated[
    int | None,
    Query(ge=1800, le=2200, description="Only ties active in this year", examples=[2024]),
]


def _partner_out(summary: PartnerSummary) -> PartnerOut:
    # Validated from plain values in one call: a list of partners runs to hundreds of rows.
    return PartnerOut.model_validate(
        {
            "partner": {"iso3": summary.partner.iso3, "name": summary.partner.name},
            "ties": summary.ties,
            "channels": summary.channels,
            "threats": [{"slug": t.slug, "name": t.name} for t in summary.threats],
            "first_year": summary.first_year,
            "last_year": summary.last_year,
            "ongoing": summary.ongoing,
        }
    )


@router.get(
    "/{code}/partners",
    response_model=Page[PartnerOut],
    responses={**NOT_FOUND_RESPONSES, **LIST_RESPONSES},
)
def get_country_partners(
    request: Request,
    response: Response,
    session: SessionDep,
    page: PageDep,
    code: CountryCode,
    threat: ThreatFilter = None,
    channel: ChannelFilter = None,
    year: YearFilter = None,
    year_gte: YearGte = None,
    year_lte: YearLte = None,
) -> Page[PartnerOut] | StreamingResponse:
    """Every country that cooperates with this one, ranked by number of ties.

    A tie is one shared initiative: co-membership in an organization in overlapping periods
    (not universal bodies such as the UN), taking part in the same exercise edition (not as
    observers), being parties to the same agreement (an organization party stands for its
    members at the time), or contributing to the same operation. The threats of a tie are
    those of its initiative.
    """
    country = get_country(session, code)
    filters = _filters(session, threat, channel, year, year_gte, year_lte)
    partners = queries.partners_of(session, country.id, filters)

    def fetch(p: PageParams) -> tuple[Sequence[PartnerSummary], int, str | None]:
        rows, cursor = page_of_sorted(partners, lambda s: [-s.ties, s.partner.name], p)
        return rows, len(partners), cursor

    return list_response(
        request,
        response,
        page,
        fetch,
        lambda rows: [_partner_out(s) for s in rows],
    )


def _tie_out(tie: PairTie, codes: tuple[str, str]) -> TieOut:
    return TieOut(
        channel=tie.channel,
        initiative=Initiative(
            kind=CHANNELS[tie.channel].kind,
            slug=tie.initiative.slug,
            name=tie.initiative.name,
        ),
        start_date=tie.span.start,
        end_date=tie.span.end,
        first_year=tie.span.first_year,
        last_year=tie.span.last_year,
        roles=dict(zip(codes, tie.roles, strict=True)),
        threats=[ThreatRef.model_validate(t) for t in tie.threats],
        certainty=tie.certainty,
        sources=[CitationOut.model_validate(c) for c in tie.citations],
    )


@router.get("/{code}/partners/{other}", response_model=PairOut, responses=NOT_FOUND_RESPONSES)
def get_country_pair(
    session: SessionDep,
    code: CountryCode,
    other: CountryCode,
    threat: ThreatFilter = None,
    channel: ChannelFilter = None,
    year: YearFilter = None,
    year_gte: YearGte = None,
    year_lte: YearLte = None,
) -> PairOut:
    """Every tie between two countries: channel, initiative, period, threats and sources."""
    country = get_country(session, code)
    partner = get_country(session, other)
    if partner.id == country.id:
        raise InvalidParameter("/path/other", "A country is not its own partner.")
    filters = _filters(session, threat, channel, year, year_gte, year_lte)
    ties = queries.ties_between(session, country.id, partner.id, filters)
    channels = dict.fromkeys(CHANNELS, 0)
    for tie in ties:
        channels[tie.channel] += 1
    extent = Span(None, None) if not ties else ties[0].span
    for tie in ties[1:]:
        extent = extent.union(tie.span)
    codes = (country.iso3, partner.iso3)
    return PairOut(
        country=CountryRef.model_validate(country),
        partner=CountryRef.model_validate(partner),
        summary=PairSummary(
            ties=len(ties),
            channels=channels,
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
        data=[_tie_out(tie, codes) for tie in ties],
    )
