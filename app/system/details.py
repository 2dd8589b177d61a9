"""The representation of /v1/meta: the data version, the counts, the sources, each channel's
coverage and how to cite."""

from datetime import date

from sqlalchemy.orm import Session

from app import __version__
from app.cooperation.coverage import ChannelCoverage, channel_coverage, gap_of
from app.system import queries
from app.system.citation import how_to_cite
from app.system.schemas import ChannelCoverageOut, CoverageSpan, Meta, SourceSummary


def meta(session: Session) -> Meta:
    state = queries.data_state(session)
    data_version = state.version if state else 0
    return Meta(
        name="defcoop",
        api_version=__version__,
        data_version=data_version,
        data_updated_at=state.updated_at if state else None,
        counts=queries.row_counts(session),
        sources=[
            SourceSummary(id=s.id, title=s.title, kind=s.kind) for s in queries.all_sources(session)
        ],
        coverage=[_coverage_out(c) for c in channel_coverage(session).values()],
        citation=how_to_cite(
            session, data_version, state.updated_at.date() if state else date.today()
        ),
    )


def _coverage_out(coverage: ChannelCoverage) -> ChannelCoverageOut:
    first = coverage.first_known_year
    gap = gap_of(coverage, first, date.today().year) if first is not None else None
    return ChannelCoverageOut(
        channel=coverage.channel.value,
        datasets=[CoverageSpan.model_validate(span) for span in coverage.datasets],
        first_fact_year=coverage.first_fact_year,
        note=gap.note if gap else None,
    )
