"""datasets as records: each research dataset's version, terms, coverage and last import"""

import sqlalchemy as sa
from alembic import op

from app.migrations.ddl import drop_indexes, fk, indexes, integer_id, optional_integers

revision = "c41d2e8f9a10"
down_revision = "5a1c0e7d2b94"

# What the last import counted: rows_read, then what became of the rows.
_OUTCOMES = ("read", "imported", "merged", "already_imported", "left_to_curators", "rejected")


def upgrade() -> None:
    op.create_table(
        "datasets",
        sa.Column("id", sa.String(80), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("version", sa.String(40), nullable=False),
        sa.Column("citation", sa.String(1000), nullable=False),
        sa.Column("terms", sa.String(1000), nullable=False),
        sa.Column("provenance", sa.String(1000), nullable=False),
        sa.Column("bundled_path", sa.String(300), nullable=True),
        sa.Column("file_sha256", sa.String(64), nullable=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=True),
        *optional_integers(*(f"rows_{outcome}" for outcome in _OUTCOMES)),
        sa.ForeignKeyConstraint(["id"], ["sources.id"], name="fk_datasets_id_sources"),
        sa.PrimaryKeyConstraint("id", name="pk_datasets"),
    )
    op.create_table(
        "dataset_coverage",
        integer_id(),
        sa.Column("dataset_id", sa.String(80), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("starts", sa.Date(), nullable=False),
        sa.Column("ends", sa.Date(), nullable=False),
        sa.Column("what", sa.String(500), nullable=False),
        fk("dataset_coverage", "dataset_id", "datasets", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_dataset_coverage"),
        sa.UniqueConstraint(
            "dataset_id", "channel", "starts", name="uq_dataset_coverage_dataset_id_channel_starts"
        ),
    )
    indexes("dataset_coverage", "dataset_id")


def downgrade() -> None:
    drop_indexes("dataset_coverage", "dataset_id")
    op.drop_table("dataset_coverage")
    op.drop_table("datasets")
