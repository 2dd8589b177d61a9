"""peacekeeping months: an operation's headquarters and coordinates, and the monthly
personnel of a contribution (IPI's Providing for Peacekeeping data, issue 14)
"""

import sqlalchemy as sa
from alembic import op

from app.migrations.ddl import drop_indexes, fk, indexes, integer_id, optional_integers

revision = "3e9b1c7a4f62"
down_revision = "d021cc11eae9"

_FIGURES = [
    f"{group}_{part}"
    for group in ("police", "formed_police", "experts", "troops")
    for part in ("male", "female", "total")
] + ["total_male", "total_female"]


def upgrade() -> None:
    with op.batch_alter_table("operations") as batch:
        batch.add_column(sa.Column("headquarters", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("latitude", sa.Float(), nullable=True))
        batch.add_column(sa.Column("longitude", sa.Float(), nullable=True))
    op.create_table(
        "contribution_months",
        integer_id(),
        sa.Column("contribution_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        *optional_integers(*_FIGURES),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.String(length=80), nullable=False),
        sa.Column("locator", sa.String(length=300), nullable=False),
        fk("contribution_months", "contribution_id", "contributions", "CASCADE"),
        fk("contribution_months", "source_id", "sources", "RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contribution_months")),
        sa.UniqueConstraint(
            "contribution_id", "month", name=op.f("uq_contribution_months_contribution_id_month")
        ),
    )
    indexes("contribution_months", "contribution_id", "month")


def downgrade() -> None:
    drop_indexes("contribution_months", "month", "contribution_id")
    op.drop_table("contribution_months")
    with op.batch_alter_table("operations") as batch:
        batch.drop_column("longitude")
        batch.drop_column("latitude")
        batch.drop_column("headquarters")
