"""answers true in time: a tie says when its start is inferred from a bound

A tie never reaches back past its initiative or before its countries existed (issue 15); where
its facts give no start, it starts at that bound and says so. The ties are derived: the next
change (or `defcoop seed`) re-derives them with the bounds; existing rows are marked not
inferred until then.

Revision ID: 5d1e7a9c3b20
Revises: 83b87dedf60b
Create Date: 2026-12-05 17:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5d1e7a9c3b20"
down_revision: str | None = "83b87dedf60b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("ties") as batch:
        batch.add_column(
            sa.Column("start_inferred", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("ties") as batch:
        batch.drop_column("start_inferred")
