"""agreement terms and categories (DCAD 1.0)

An agreement can carry what a dataset codes about it: its categories (DCAD: framework,
defense-industrial, training and exercises, procurement, commission, research; the first is
the primary), its scope, duration, renewal, termination and asymmetry. A DCAD special code
(negative) is kept in a column of its own, apart from the number it stands in for. Existing
agreements get none: nothing about them changes.
"""

import sqlalchemy as sa
from alembic import op

from app.migrations.ddl import create_tag_table, enum

revision = "7c3d9e1f4a60"
down_revision = "c0a7d1e5f316"


def upgrade() -> None:
    with op.batch_alter_table("agreements") as batch:
        batch.add_column(
            sa.Column(
                "scope",
                enum("general", "sector", name="scope"),
                nullable=True,
            )
        )  # fmt: skip
        batch.add_column(sa.Column("duration_years", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("duration_code", sa.SmallInteger(), nullable=True))
        batch.add_column(sa.Column("renewal_code", sa.SmallInteger(), nullable=True))
        batch.add_column(sa.Column("renewal_years", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("renewal_years_code", sa.SmallInteger(), nullable=True))
        batch.add_column(sa.Column("terminated", sa.Boolean(), nullable=True))
        batch.add_column(sa.Column("terminated_code", sa.SmallInteger(), nullable=True))
        batch.add_column(sa.Column("asymmetry", sa.SmallInteger(), nullable=True))
    categories = enum(
        "dca", "dic", "trex", "procurement", "commission", "research", name="category"
    )
    create_tag_table(
        "agreement_categories",
        "agreement_id",
        "agreements",
        sa.Column("category", categories, nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("agreement_categories")
    with op.batch_alter_table("agreements") as batch:
        # The check goes first: SQLite's batch copy would keep it otherwise.
        batch.drop_constraint("scope", type_="check")
    with op.batch_alter_table("agreements") as batch:
        for column in ("asymmetry", "terminated", "terminated_code", "renewal_years_code"):
            batch.drop_column(column)
        for column in ("renewal_years", "renewal_code", "duration_code", "duration_years"):
            batch.drop_column(column)
        batch.drop_column("scope")
