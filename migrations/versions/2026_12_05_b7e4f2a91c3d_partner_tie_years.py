"""partner tie years: the year ranges of each pair's ties in the aggregates

`partner_channels.years` and `partner_threats.years`: the distinct year ranges of the ties
("first-last", empty first: unknown start, empty last: ongoing), from which the partners list
counts a pair's distinct years with an active tie without reading the ties. The upgrade fills
them from the ties and the threat links, as the derivation does; the downgrade drops them.
"""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "b7e4f2a91c3d"
down_revision = "7c3e9a1f4d60"

_TABLES = ("partner_channels", "partner_threats")
# Each channel's threat-link table and the column naming its initiative.
_LINKS = {
    "organization": ("organization_threats", "organization_id"),
    "exercise": ("edition_threats", "edition_id"),
    "agreement": ("agreement_threats", "agreement_id"),
    "operation": ("operation_threats", "operation_id"),
    "transfer": ("transfer_threats", "transfer_id"),
}


def _day(value: date | str | None) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


def _range(start: date | None, end: date | None) -> str:
    first = "" if start is None else str(start.year)
    last = "" if end is None else str((end - timedelta(days=1)).year)
    return f"{first}-{last}"


def _overlap(
    starts: tuple[date | None, ...], ends: tuple[date | None, ...]
) -> tuple[date | None, date | None] | None:
    known_starts = [s for s in starts if s is not None]
    known_ends = [e for e in ends if e is not None]
    start = max(known_starts) if known_starts else None
    end = min(known_ends) if known_ends else None
    if start is not None and end is not None and start >= end:
        return None
    return start, end


def upgrade() -> None:
    for table in _TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("years", sa.Text(), server_default="", nullable=False))
    bind = op.get_bind()
    by_channel: dict[tuple[int, int, str], set[str]] = defaultdict(set)
    for country, partner, channel, start, end in bind.execute(
        sa.text("SELECT DISTINCT country_id, partner_id, channel, start_date, end_date FROM ties")
    ):
        by_channel[(country, partner, channel)].add(_range(_day(start), _day(end)))
    _fill("partner_channels", ("country_id", "partner_id", "channel"), by_channel)
    by_threat: dict[tuple[int, int, str, int], set[str]] = defaultdict(set)
    for channel, (links, owner) in _LINKS.items():
        for country, partner, threat, start, end, link_start, link_end in bind.execute(
            sa.text(
                "SELECT DISTINCT t.country_id, t.partner_id, l.threat_id, t.start_date, "
                f"t.end_date, l.start_date, l.end_date FROM ties t JOIN {links} l "
                f"ON l.{owner} = t.initiative_id WHERE t.channel = :channel"
            ),
            {"channel": channel},
        ):
            # The part of the tie's period in which the link holds (issue 15).
            period = _overlap((_day(start), _day(link_start)), (_day(end), _day(link_end)))
            if period is not None:
                by_threat[(country, partner, channel, threat)].add(_range(*period))
    _fill("partner_threats", ("country_id", "partner_id", "channel", "threat_id"), by_threat)


def _fill(table: str, keys: Sequence[str], ranges: Mapping[tuple[Any, ...], set[str]]) -> None:
    where = " AND ".join(f"{key} = :{key}" for key in keys)
    rows = [
        {**dict(zip(keys, values, strict=True)), "years": ",".join(sorted(years))}
        for values, years in ranges.items()
    ]
    if rows:
        op.get_bind().execute(sa.text(f"UPDATE {table} SET years = :years WHERE {where}"), rows)


def downgrade() -> None:
    for table in _TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("years")
