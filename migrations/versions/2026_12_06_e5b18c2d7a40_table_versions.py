"""table versions: the data version at which each table last changed

`table_versions` (table name, data version): the change path records, in the transaction of
each change, the tables the change wrote with the data version it creates (`*`: every table,
for statements it cannot tell apart). The response cache keeps an answer over later versions
while none of the tables the answer read has moved. Empty after the upgrade: a table with no
row has not changed since the record began (no process caches across the upgrade), and the
row of `data_state` names the current data version as the last one recorded.
"""

import sqlalchemy as sa
from alembic import op

revision = "e5b18c2d7a40"
down_revision = "b7e4f2a91c3d"


def upgrade() -> None:
    op.create_table(
        "table_versions",
        sa.Column("table_name", sa.String(length=80), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("table_name", name="pk_table_versions"),
    )
    op.execute(
        "INSERT INTO table_versions (table_name, version) "
        "SELECT 'data_state', version FROM data_state WHERE id = 1"
    )


def downgrade() -> None:
    op.drop_table("table_versions")
