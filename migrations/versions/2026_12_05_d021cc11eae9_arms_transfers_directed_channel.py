"""arms transfers: a directed channel (supplier -> recipient)

Transfers (a deal of SIPRI's trade register, imported from a user's own export), their two
parties (supplier, recipient), their threat links and their citations; the `transfer` value in
the `channel` enum of the ties and the aggregates; and, per (country, partner, channel), the
initiatives of a directed channel that point each way (`outgoing`, `incoming`), 0 elsewhere.

The downgrade drops the transfers with their ties, aggregates and citations: they come back by
importing the export again.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.migrations.ddl import certainty, dated, enum, fk, indexes, integer_id, integers, note

revision = "d021cc11eae9"
down_revision = "7c3d9e1f4a60"

_CHANNELS = ("organization", "exercise", "agreement", "operation")
_TIE_TABLES = ("ties", "partner_channels", "partner_threats", "partner_co_threats")
# The citation columns, in the models' order: exactly one is set per citation.
_CITED = (
    "organization_id", "membership_id", "series_id", "edition_id", "participation_id",
    "agreement_id", "party_id", "operation_id", "contribution_id",
    "transfer_id", "transfer_party_id",
    "threat_id", "response_id",
)  # fmt: skip
_NEW_CITED = ("transfer_id", "transfer_party_id")
# The aggregates that count a directed channel's initiatives each way.
_DIRECTED_COUNTS = ("partner_channels", "partner_threats")


def _one_of(column: str, values: Sequence[str]) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


def _exactly_one(columns: Sequence[str]) -> str:
    return (
        " + ".join(f"(CASE WHEN {column} IS NULL THEN 0 ELSE 1 END)" for column in columns) + " = 1"
    )


def _channel_checks(values: Sequence[str]) -> None:
    for table in _TIE_TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint("channel", type_="check")
            batch.create_check_constraint("channel", _one_of("channel", values))


def _one_target(columns: Sequence[str]) -> None:
    with op.batch_alter_table("citations") as batch:
        batch.drop_constraint("one_target", type_="check")
        batch.create_check_constraint("one_target", _exactly_one(columns))


def upgrade() -> None:
    op.create_table(
        "transfers",
        integer_id(),
        sa.Column("slug", sa.String(length=160), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("order_year", sa.Integer(), nullable=False),
        sa.Column("order_year_estimated", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("number_ordered", sa.Integer(), nullable=True),
        sa.Column(
            "number_ordered_estimated", sa.Boolean(), server_default=sa.false(), nullable=False
        ),
        sa.Column("weapon_designation", sa.String(length=200), nullable=True),
        sa.Column("weapon_description", sa.String(length=200), nullable=True),
        sa.Column("number_delivered", sa.Integer(), nullable=True),
        sa.Column(
            "number_delivered_estimated", sa.Boolean(), server_default=sa.false(), nullable=False
        ),
        sa.Column("delivery_years", sa.String(length=200), nullable=True),
        sa.Column("last_delivery_year", sa.Integer(), nullable=True),
        sa.Column(
            "delivery_status",
            enum("delivered", "ongoing", "cancelled", name="delivery_status"),
            nullable=False,
        ),
        sa.Column("status", sa.String(length=100), nullable=True),
        sa.Column("comments", sa.String(length=2000), nullable=True),
        sa.Column("tiv_per_unit", sa.Float(), nullable=True),
        sa.Column("tiv_total_order", sa.Float(), nullable=True),
        sa.Column("tiv_delivered", sa.Float(), nullable=True),
        certainty(),
        note(),
        sa.Column("modified_in_version", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transfers")),
        sa.UniqueConstraint("slug", name=op.f("uq_transfers_slug")),
    )
    op.create_table(
        "transfer_parties",
        integer_id(),
        *integers("transfer_id", "country_id"),
        sa.Column("role", enum("supplier", "recipient", name="role"), nullable=False),
        certainty(),
        fk("transfer_parties", "country_id", "countries", "RESTRICT"),
        fk("transfer_parties", "transfer_id", "transfers", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transfer_parties")),
        sa.UniqueConstraint(
            "transfer_id", "role", name=op.f("uq_transfer_parties_transfer_id_role")
        ),
    )  # fmt: skip
    indexes("transfer_parties", "country_id", "transfer_id")
    op.create_table(
        "transfer_threats",
        *integers("transfer_id", "threat_id"),
        *dated("start"),
        *dated("end"),
        sa.Column("source_id", sa.String(length=80), nullable=True),
        sa.Column("locator", sa.String(length=500), nullable=True),
        fk("transfer_threats", "source_id", "sources", "RESTRICT"),
        fk("transfer_threats", "threat_id", "threat_categories", "CASCADE"),
        fk("transfer_threats", "transfer_id", "transfers", "CASCADE"),
        sa.PrimaryKeyConstraint("transfer_id", "threat_id", name=op.f("pk_transfer_threats")),
    )  # fmt: skip
    indexes("transfer_threats", "threat_id")
    with op.batch_alter_table("citations") as batch:
        batch.add_column(sa.Column("transfer_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("transfer_party_id", sa.Integer(), nullable=True))
        batch.create_index(op.f("ix_citations_transfer_id"), ["transfer_id"], unique=False)
        batch.create_index(
            op.f("ix_citations_transfer_party_id"), ["transfer_party_id"], unique=False
        )
        batch.create_foreign_key(
            op.f("fk_citations_transfer_id_transfers"), "transfers",
            ["transfer_id"], ["id"], ondelete="CASCADE",
        )  # fmt: skip
        batch.create_foreign_key(
            op.f("fk_citations_transfer_party_id_transfer_parties"), "transfer_parties",
            ["transfer_party_id"], ["id"], ondelete="CASCADE",
        )  # fmt: skip
    _one_target(_CITED)
    for table in _DIRECTED_COUNTS:
        with op.batch_alter_table(table) as batch:
            for column in ("outgoing", "incoming"):
                batch.add_column(
                    sa.Column(column, sa.Integer(), server_default=sa.text("0"), nullable=False)
                )
    _channel_checks((*_CHANNELS, "transfer"))


def downgrade() -> None:
    for table in _TIE_TABLES:
        op.execute(f"DELETE FROM {table} WHERE channel = 'transfer'")
    _channel_checks(_CHANNELS)
    for table in _DIRECTED_COUNTS:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("incoming")
            batch.drop_column("outgoing")
    op.execute("DELETE FROM citations WHERE " + " OR ".join(f"{c} IS NOT NULL" for c in _NEW_CITED))
    _one_target([column for column in _CITED if column not in _NEW_CITED])
    with op.batch_alter_table("citations") as batch:
        batch.drop_constraint(
            op.f("fk_citations_transfer_party_id_transfer_parties"), type_="foreignkey"
        )
        batch.drop_constraint(op.f("fk_citations_transfer_id_transfers"), type_="foreignkey")
        batch.drop_index(op.f("ix_citations_transfer_party_id"))
        batch.drop_index(op.f("ix_citations_transfer_id"))
        batch.drop_column("transfer_party_id")
        batch.drop_column("transfer_id")
    op.drop_index(op.f("ix_transfer_threats_threat_id"), table_name="transfer_threats")
    op.drop_table("transfer_threats")
    op.drop_index(op.f("ix_transfer_parties_transfer_id"), table_name="transfer_parties")
    op.drop_index(op.f("ix_transfer_parties_country_id"), table_name="transfer_parties")
    op.drop_table("transfer_parties")
    op.drop_table("transfers")
