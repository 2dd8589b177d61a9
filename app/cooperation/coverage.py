"""What the data covers, per channel and year, and the words that say so in an answer.

A channel's year is
- `covered` when a dataset records the channel's facts for that year (MME v7: exercises
  1980-2010): a pair without a tie there had none that the dataset knows of;
- `partial` when only curated facts stand for it (after MME's last year, or for the curated
  organizations): the facts there are true, but a pair without a tie may have one that
  nobody has entered yet, so its absence is unknown;
- `none` before the channel's first fact: nothing is known.

An answer about years (partners, pair, networks, dyad-years...) lists the requested years
that are not `covered`, per channel, so that a zero is never mistaken for an absence.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.cooperation.models import PartnerChannel, TieChannel
from app.datasets.models import Dataset, DatasetCoverage


class YearCoverage(StrEnum):
    covered = "covered"
    partial = "partial"
    none = "none"


@dataclass(frozen=True)
class DatasetSpan:
    dataset_id: str
    label: str  # "MME v7"
    first_year: int
    last_year: int
    what: str


@dataclass(frozen=True)
class ChannelCoverage:
    channel: TieChannel
    datasets: Sequence[DatasetSpan]
    first_fact_year: int | None  # the earliest start of any of the channel's ties

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
        # A dataset users bring themselves (SIPRI) covers nothing until one is imported: until
        # then a pair without a transfer is unknown, not unlinked.
        .where(Dataset.bundled_path.is_not(None) | Dataset.imported_at.is_not(None))
        .order_by(DatasetCoverage.starts)
    )
    for coverage, name, version in rows:
        spans.setdefault(coverage.channel, []).append(
            DatasetSpan(
                dataset_id=coverage.dataset_id,
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


def coverage_gaps(
    session: Session, channels: Iterable[TieChannel], first_year: int, last_year: int
) -> list[CoverageGap]:
    """For each channel, the years of `first_year..last_year` it does not fully cover."""
    coverage = channel_coverage(session)
    gaps = (gap_of(coverage[channel], first_year, last_year) for channel in channels)
    return [gap for gap in gaps if gap is not None]


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
