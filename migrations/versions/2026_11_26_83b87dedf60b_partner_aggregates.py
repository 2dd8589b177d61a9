"""partner aggregates: ties grouped per (country, partner, channel) and per threat

Derived from the ties table (like it, kept in step by `refresh_ties`), so that a country's
partners are read from a few hundred rows instead of every tie. The upgrade fills them
from the existing ties.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.migrations.ddl import channel, fk, integers, undated_span

revision = "83b87dedf60b"
down_revision = "20906f8a79a1"


# What each key column of an aggregate references.
_REFERENCES = {
    "co_threat_id": "threat_categories",
    "country_id": "countries",
    "partner_id": "countries",
    "threat_id": "threat_categories",
}


def _counted() -> tuple[sa.Column[object], ...]:
    """How many initiatives a group holds, and the span of its ties."""
    return (sa.Column("initiatives", sa.Integer(), nullable=False), *undated_span())


def _create_aggregate(table: str, key: Sequence[str], *columns: sa.Column[object]) -> None:
    """An aggregate keyed on `key` (integer references and the channel), then `columns`.

    The aggregates are derived: a row goes with the country or threat it counts (each
    reference cascades).
    """
    op.create_table(
        table,
        *(channel() if name == "channel" else integers(name)[0] for name in key),
        *columns,
        *(
            fk(table, name, _REFERENCES[name], "CASCADE")
            for name in sorted(_REFERENCES)
            if name in key
        ),
        sa.PrimaryKeyConstraint(*key, name=op.f(f"pk_{table}")),
    )


def upgrade() -> None:
    _create_aggregate("partner_channels", ("country_id", "partner_id", "channel"), *_counted())
    _create_aggregate(
        "partner_co_threats", ("country_id", "threat_id", "partner_id", "channel", "co_threat_id")
    )
    _create_aggregate(
        "partner_threats", ("country_id", "partner_id", "channel", "threat_id"), *_counted()
    )
    _populate()


# Threat link table and its initiative column, per channel.
_LINKS = {
    "organization": ("organization_threats", "organization_id"),
    "exercise": ("edition_threats", "edition_id"),
    "agreement": ("agreement_threats", "agreement_id"),
    "operation": ("operation_threats", "operation_id"),
}
_SPAN = (
    "CASE WHEN count(t.start_date) = count(*) THEN min(t.start_date) END, "
    "CASE WHEN count(t.end_date) = count(*) THEN max(t.end_date) END"
)


def _populate() -> None:
    op.execute(
        "INSERT INTO partner_channels "
        "(country_id, partner_id, channel, initiatives, start_date, end_date) "
        f"SELECT t.country_id, t.partner_id, t.channel, count(DISTINCT t.initiative_id), {_SPAN} "
        "FROM ties t GROUP BY t.country_id, t.partner_id, t.channel"
    )
    for tie_channel, (links, column) in _LINKS.items():
        op.execute(
            "INSERT INTO partner_threats "
            "(country_id, partner_id, channel, threat_id, initiatives, start_date, end_date) "
            f"SELECT t.country_id, t.partner_id, '{tie_channel}', l.threat_id, "
            f"count(DISTINCT t.initiative_id), {_SPAN} "
            f"FROM ties t JOIN {links} l ON l.{column} = t.initiative_id "
            f"WHERE t.channel = '{tie_channel}' "
            "GROUP BY t.country_id, t.partner_id, l.threat_id"
        )
        op.execute(
            "INSERT INTO partner_co_threats "
            "(country_id, threat_id, partner_id, channel, co_threat_id) "
            f"SELECT DISTINCT t.country_id, l.threat_id, t.partner_id, '{tie_channel}', c.threat_id "
            f"FROM ties t JOIN {links} l ON l.{column} = t.initiative_id "
            f"JOIN {links} c ON c.{column} = t.initiative_id "
            f"WHERE t.channel = '{tie_channel}'"
        )


def downgrade() -> None:
    op.drop_table("partner_threats")
    op.drop_table("partner_co_threats")
    op.drop_table("partner_channels")
