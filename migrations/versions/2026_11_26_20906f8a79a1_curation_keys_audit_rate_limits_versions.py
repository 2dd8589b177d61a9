"""curation: api keys, audit trail, rate limits, modified_in_version

The write API's tables, and `modified_in_version` on the curated top-level tables (the data
version of the write that last changed a row, checked against If-Match). On SQLite, adding a
column is an ALTER TABLE; dropping it (downgrade) rebuilds the table in batch mode, which
env.py runs with foreign keys off so that no child row is cascade-deleted.
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from app.migrations.ddl import enum, integer_id, integers

revision = "20906f8a79a1"
down_revision = "51568650fd6e"

# The curated top-level tables: each row records the data version that last changed it.
_CURATED = (
    "agreements",
    "countries",
    "exercise_editions",
    "exercise_series",
    "operations",
    "organizations",
    "sources",
    "threat_categories",
)


def upgrade() -> None:
    op.create_table(
        "api_keys",
        integer_id(),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column(
            "scope",
            enum("curator", "admin", name="scope"),
            nullable=False,
        ),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_api_keys_key_hash")),
        sa.UniqueConstraint("name", name=op.f("uq_api_keys_name")),
    )
    op.create_table(
        "audit_entries",
        integer_id(),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("key_name", sa.String(length=80), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.String(length=300), nullable=False),
        sa.Column(
            "operation",
            enum("create", "update", "delete", name="operation"),
            nullable=False,
        ),
        sa.Column("data_version", sa.Integer(), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entries")),
    )
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_entries_at"), ["at"], unique=False)
        batch_op.create_index(
            "ix_audit_entries_entity_entity_id", ["entity", "entity_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_audit_entries_key_name"), ["key_name"], unique=False)

    op.create_table(
        "rate_limit_counters",
        sa.Column("bucket", sa.String(length=200), nullable=False),
        *integers("window_start", "count"),
        sa.PrimaryKeyConstraint("bucket", "window_start", name=op.f("pk_rate_limit_counters")),
    )
    with op.batch_alter_table("rate_limit_counters", schema=None) as batch_op:
        batch_op.create_index("ix_rate_limit_counters_window_start", ["window_start"], unique=False)

    for table in _CURATED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column(
                    "modified_in_version", sa.Integer(), server_default=sa.text("0"), nullable=False
                )
            )


def downgrade() -> None:
    _mark_curation_dropped()
    for table in reversed(_CURATED):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("modified_in_version")

    with op.batch_alter_table("rate_limit_counters", schema=None) as batch_op:
        batch_op.drop_index("ix_rate_limit_counters_window_start")

    op.drop_table("rate_limit_counters")
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_entries_key_name"))
        batch_op.drop_index("ix_audit_entries_entity_entity_id")
        batch_op.drop_index(batch_op.f("ix_audit_entries_at"))

    op.drop_table("audit_entries")
    op.drop_table("api_keys")


def _mark_curation_dropped() -> None:
    """Leave a marker (row 2 of `data_state`, which stays) when curated data is dropped, so that
    the seed does not revert curators' edits once the schema is upgraded again
    (app/curation/downgrades.py). `defcoop db downgrade` asks for --force before getting here."""
    connection = op.get_bind()
    # Every write through the API has its audit entry; key management is not curation.
    curated = connection.execute(
        sa.text("SELECT count(*) FROM audit_entries WHERE entity <> 'api_key'")
    ).scalar_one()
    already = connection.execute(sa.text("SELECT count(*) FROM data_state WHERE id = 2"))
    if curated and not already.scalar_one():
        connection.execute(
            sa.text("INSERT INTO data_state (id, version, updated_at) VALUES (2, 0, :now)"),
            {"now": datetime.now(UTC)},
        )
