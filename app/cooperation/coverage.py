"""What the data covers, per channel and year, and the words that say so in an answer.

A channel's year is
- `covered` when a dataset records the channel's facts for that year (MME v7: exercises
  1980-2010): a pair without a tie there had none that the dataset knows of;
- `partial` when only curated facts stand for it (after MME's last year, or for the curated
  organizations): the facts there are true, but a pair without a tie may have one that
  nobody has entered yet, so its absence is unknown;
- `none` before the channel's first fact: nothing is known.

An answer about years (partners, pair, networks, dyad-years...) lists the requested years
that are not `covered`, per channel, so that a zero is never mistaken for an absence. A
request that names no first (last) year is about every year from the channel's first fact
or dataset year (up to this year): the years its answer spans.

The coverage is read once per data version (`coverage_at`): a request costs no query once
another has read it, and a change of the data (an import, a curated fact) is seen at once.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.cooperation.models import PartnerChannel, TieChannel
from app.core.memo import LruCache, database_identity
from app.datasets.models import Dataset, DatasetCoverage

# A few data versions per database: the current one, and the one before it for the requests
# that read the version just before a write.
_COVERAGE_CACHE_SIZE = 8


class YearCoverage(StrEnum):
    covered = "covered"
    partial = "partial"
    none = "none"


@dataclass(frozen=True)
class DatasetSpan:
    dataset: str  # its id
    label: str  # "MME v7"
    first_year: int
    last_year: int
    what: str


@dataclass(frozen=True)
class ChannelCoverage:
    channel: TieChannel
    datasets: Sequence[DatasetSpan]
    first_fact_year: int | None  # the earliest start of any of the channel's ties

    @property
    def first_known_year(self) -> int | None:
        """The first year anything is known of: a fact's, or a dataset's first year."""
        known = [span.first_year for span in self.datasets]
        if self.first_fact_year is not None:
            known.append(self.first_fact_year)
        return min(known, default=None)

    def of_year(self, year: int) -> YearCoverage:
        if any(span.first_year <= year <= span.last_year for span in self.datasets):
            return YearCoverage.covered
        if self.first_fact_year is not None and year >= self.first_fact_year:
            return YearCoverage.partial
        return YearCoverage.none


@dataclass(frozen=True)
class CoverageGap:
    """The requested years a channel's data does not fully cover, in words."""

    channel: TieChannel
    partial_years: list[tuple[int, int]]
    years_without_data: list[tuple[int, int]]
    note: str


def channel_coverage(session: Session) -> dict[TieChannel, ChannelCoverage]:
    spans: dict[str, list[DatasetSpan]] = {}
    rows = session.execute(
        select(DatasetCoverage, Dataset.name, Dataset.version)
        .join(Dataset, Dataset.id == DatasetCoverage.dataset_id)
        # A dataset covers nothing until it is imported (a bundled one too: `defcoop seed`
        # alone does not import it; SIPRI is the user's own): until then a pair without a tie
        # is unknown, not unlinked, and a balanced panel says so rather than zero.
        .where(Dataset.imported_at.is_not(None))
        .order_by(DatasetCoverage.starts)
    )
    for coverage, name, version in rows:
        spans.setdefault(coverage.channel, []).append(
            DatasetSpan(
                dataset=coverage.dataset_id,
                label=f"{_short(name)} v{version}",
                first_year=coverage.starts.year,
                last_year=coverage.ends.year,
                what=coverage.what,
            )
        )
    earliest = select(PartnerChannel.channel, func.min(PartnerChannel.start_date))
    first_starts: dict[TieChannel, date | None] = {
        row.channel: row[1] for row in session.execute(earliest.group_by(PartnerChannel.channel))
    }
    return {
        channel: ChannelCoverage(
            channel=channel,
            datasets=spans.get(channel.value, []),
            first_fact_year=start.year if (start := first_starts.get(channel)) else None,
        )
        for channel in TieChannel
    }


_coverage: LruCache[tuple[str, int], dict[TieChannel, ChannelCoverage]] = LruCache(
    _COVERAGE_CACHE_SIZE
)


def coverage_at(session: Session, data_version: int) -> dict[TieChannel, ChannelCoverage]:
    """`channel_coverage` read once per data version (read before the coverage is, so that
    what is cached under a version is at least as new as it)."""
    key = (database_identity(session), data_version)
    return _coverage.get_or_build(key, lambda: channel_coverage(session))


def requested_gaps(
    coverage: Mapping[TieChannel, ChannelCoverage],
    channels: Sequence[TieChannel],
    first_year: int | None,
    last_year: int | None,
    this_year: int,
) -> list[CoverageGap]:
    """The gaps of the channels asked about (none named: every channel) in the years asked
    about; an open end is the channel's first known year, or this year."""
    gaps: list[CoverageGap] = []
    for channel in channels or list(TieChannel):
        known = coverage[channel]
        last = last_year if last_year is not None else max(this_year, first_year or this_year)
        first = first_year if first_year is not None else known.first_known_year
        if first is None:  # no year asked for, and nothing known of the channel at all
            note = f"{channel.value.capitalize()} ties: no {channel.value} data at all."
            gaps.append(CoverageGap(channel, [], [], note))
        elif (gap := gap_of(known, min(first, last), last)) is not None:
            gaps.append(gap)
    return gaps


def gap_of(coverage: ChannelCoverage, first_year: int, last_year: int) -> CoverageGap | None:
    years = range(first_year, last_year + 1)
    partial = _ranges(y for y in years if coverage.of_year(y) is YearCoverage.partial)
    without = _ranges(y for y in years if coverage.of_year(y) is YearCoverage.none)
    if not (partial or without):
        return None
    return CoverageGap(coverage.channel, partial, without, _note(coverage, partial, without))


def _short(name: str) -> str:
    """`Multinational Military Exercises (MME)` -> `MME`: the name a dataset is known by."""
    return name[name.rindex("(") + 1 : -1] if name.endswith(")") and "(" in name else name


def _ranges(years: Iterable[int]) -> list[tuple[int, int]]:
    ranges: list[tuple[int, int]] = []
    for year in years:
        if ranges and ranges[-1][1] == year - 1:
            ranges[-1] = (ranges[-1][0], year)
        else:
            ranges.append((year, year))
    return ranges


def _spell(ranges: Sequence[tuple[int, int]]) -> str:
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in ranges)


def _note(
    coverage: ChannelCoverage,
    partial: Sequence[tuple[int, int]],
    without: Sequence[tuple[int, int]],
) -> str:
    by = (
        "; ".join(f"{s.label} covers {s.first_year}-{s.last_year}" for s in coverage.datasets)
        or "no dataset covers it"
    )
    parts: list[str] = []
    if partial:
        parts.append(
            f"{_spell(partial)}: only curated {coverage.channel.value} facts ({by}), so a pair "
            "without a tie there may have one that is not recorded: unknown, not zero"
        )
    if without:
        parts.append(f"{_spell(without)}: no {coverage.channel.value} data at all")
    return f"{coverage.channel.value.capitalize()} ties, " + "; ".join(parts) + "."
