"""datasets as records: each research dataset's version, terms, coverage and last import"""

import sqlalchemy as sa
from alembic import op

from app.migrations.ddl import integer_id

revision = "c41d2e8f9a10"
down_revision = "5a1c0e7d2b94"


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
        sa.Column("rows_read", sa.Integer(), nullable=True),
        sa.Column("rows_imported", sa.Integer(), nullable=True),
        sa.Column("rows_merged", sa.Integer(), nullable=True),
        sa.Column("rows_already_imported", sa.Integer(), nullable=True),
        sa.Column("rows_left_to_curators", sa.Integer(), nullable=True),
        sa.Column("rows_rejected", sa.Integer(), nullable=True),
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
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["datasets.id"],
            name="fk_dataset_coverage_dataset_id_datasets",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_dataset_coverage"),
        sa.UniqueConstraint(
            "dataset_id", "channel", "starts", name="uq_dataset_coverage_dataset_id_channel_starts"
        ),
    )
    op.create_index(
        "ix_dataset_coverage_dataset_id", "dataset_coverage", ["dataset_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_dataset_coverage_dataset_id", table_name="dataset_coverage")
    op.drop_table("dataset_coverage")
    op.drop_table("datasets")
