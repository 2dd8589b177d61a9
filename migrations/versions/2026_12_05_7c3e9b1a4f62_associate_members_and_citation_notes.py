"""associate members and citation notes (COW IGO v3)

COW IGO v3 codes three roles: full member, associate member and observer. An associate is
part of an organization without being a full member (no tie, as an observer), so the
membership role gains `associate`.

A dataset that disagrees with a curated fact is cited on that fact with a note saying what it
says instead (the curated fact stands): `citations.note`.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision = "7c3e9b1a4f62"
down_revision = "3e9b1c7a4f62"

_ROLES = ("member", "observer", "partner", "suspended")


def _role_check(roles: Sequence[str]) -> str:
    return "role IN ({})".format(", ".join(f"'{role}'" for role in roles))


def upgrade() -> None:
    with op.batch_alter_table("memberships") as batch:
        batch.drop_constraint("role", type_="check")
        batch.create_check_constraint("role", _role_check((*_ROLES, "associate")))
    with op.batch_alter_table("citations") as batch:
        batch.add_column(sa.Column("note", sa.String(length=1000), nullable=True))


def downgrade() -> None:
    # Associate members become observers: the nearest role the older schema has.
    op.execute("UPDATE memberships SET role = 'observer' WHERE role = 'associate'")
    with op.batch_alter_table("memberships") as batch:
        batch.drop_constraint("role", type_="check")
        batch.create_check_constraint("role", _role_check(_ROLES))
    with op.batch_alter_table("citations") as batch:
        batch.drop_column("note")
