"""network figures: measures of the network shared by every worker

`network_figures` keeps the measures computed on a network (betweenness, blocs) by the
network's content fingerprint, so that one worker computes them and every worker reads them;
a row without figures is a worker's claim to compute them. Derived data only: the downgrade
drops the table, and the workers compute the measures again.
"""

import sqlalchemy as sa
from alembic import op

revision = "e4b8c2d61f09"
down_revision = "e5b18c2d7a40"


def upgrade() -> None:
    op.create_table(
        "network_figures",
        sa.Column("fingerprint", sa.String(length=32), nullable=False),
        sa.Column("measure", sa.String(length=64), nullable=False),
        sa.Column("data_version", sa.Integer(), nullable=False),
        sa.Column("claim", sa.String(length=32), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("figures", sa.Text(), nullable=True),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("fingerprint", "measure", name=op.f("pk_network_figures")),
    )


def downgrade() -> None:
    op.drop_table("network_figures")
