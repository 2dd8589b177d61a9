"""answers true in time: inferred tie starts, dated threat links

A tie never reaches back past its initiative or before its countries existed (issue 15); where
its facts give no start, it starts at that bound and says so. The ties are derived: the next
change (or `defcoop seed`) re-derives them with the bounds; existing rows are marked not
inferred until then.

Each threat link gets a period (with precision) and the source that dates it. Existing links
stay undated (no start): an undated link holds from its initiative's own start, and says it is
undated, until a curator or the seed dates it.
"""

import sqlalchemy as sa
from alembic import op

from app.migrations.ddl import precision

revision = "5d1e7a9c3b20"
down_revision = "83b87dedf60b"


_LINK_TABLES = (
    "organization_threats",
    "edition_threats",
    "agreement_threats",
    "operation_threats",
    "response_threats",
)


def upgrade() -> None:
    with op.batch_alter_table("ties") as batch:
        batch.add_column(
            sa.Column("start_inferred", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    for table in _LINK_TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("start_date", sa.Date(), nullable=True))
            batch.add_column(
                sa.Column("start_precision", precision("start_precision"), nullable=True)
            )
            batch.add_column(sa.Column("end_date", sa.Date(), nullable=True))
            batch.add_column(sa.Column("end_precision", precision("end_precision"), nullable=True))
            batch.add_column(sa.Column("source_id", sa.String(length=80), nullable=True))
            batch.add_column(sa.Column("locator", sa.String(length=500), nullable=True))
            batch.create_foreign_key(
                f"fk_{table}_source_id_sources", "sources", ["source_id"], ["id"],
                ondelete="RESTRICT",
            )  # fmt: skip


def downgrade() -> None:
    for table in _LINK_TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(f"fk_{table}_source_id_sources", type_="foreignkey")
            # The precision checks go first: SQLite's batch copy would keep them otherwise.
            batch.drop_constraint("start_precision", type_="check")
            batch.drop_constraint("end_precision", type_="check")
        with op.batch_alter_table(table) as batch:
            for column in ("locator", "source_id", "end_precision", "end_date"):
                batch.drop_column(column)
            batch.drop_column("start_precision")
            batch.drop_column("start_date")
    with op.batch_alter_table("ties") as batch:
        batch.drop_column("start_inferred")
