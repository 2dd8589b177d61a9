"""alliances as ATOP codes them: alliances, their member spells with obligations, targets

An ATOP alliance keeps its own record (atopid, dates, phases, COW ids, provisions) and ties its
members through an agreement or a curated organization (its carrier); each ATOP member row is
an `alliance_members` spell with its obligations and the party or membership it stands behind.
"""

import sqlalchemy as sa
from alembic import op

from app.migrations.ddl import (
    dated,
    fk,
    flags,
    indexes,
    integer_id,
    integers,
    note,
    optional_integers,
)

revision = "7c3e9a1f4d60"
down_revision = "7c3e9b1a4f62"


def upgrade() -> None:
    op.create_table(
        "alliances",
        integer_id(),
        sa.Column("atop_id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("name_is_label", sa.Boolean(), nullable=False),
        *optional_integers("agreement_id", "organization_id"),
        *dated("start", nullable=False),
        *dated("end"),
        sa.Column("phases", sa.Integer(), nullable=False),
        *optional_integers("cow_id", "cow4_id"),
        *flags("military_aid", "bases", "integrated_command", "organization"),
        sa.Column("locator", sa.String(length=80), nullable=False),
        fk("alliances", "agreement_id", "agreements", "SET NULL"),
        fk("alliances", "organization_id", "organizations", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alliances")),
        sa.UniqueConstraint("atop_id", name=op.f("uq_alliances_atop_id")),
        sa.UniqueConstraint("slug", name=op.f("uq_alliances_slug")),
    )  # fmt: skip
    indexes("alliances", "agreement_id", "organization_id", "cow4_id")
    op.create_table(
        "alliance_members",
        integer_id(),
        *integers("alliance_id", "country_id", "cow_code", "phase"),
        *flags("defense", "offense", "neutrality", "non_aggression", "consultation"),
        *optional_integers("party_id", "membership_id"),
        sa.Column("locator", sa.String(length=80), nullable=False),
        *dated("start"),
        *dated("end"),
        note(),
        fk("alliance_members", "alliance_id", "alliances", "CASCADE"),
        fk("alliance_members", "country_id", "countries", "RESTRICT"),
        fk("alliance_members", "party_id", "agreement_parties", "SET NULL"),
        fk("alliance_members", "membership_id", "memberships", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alliance_members")),
        sa.UniqueConstraint("locator", name=op.f("uq_alliance_members_locator")),
    )  # fmt: skip
    indexes("alliance_members", "alliance_id", "party_id", "membership_id")
    op.create_table(
        "alliance_targets",
        *integers("alliance_id", "cow_code"),
        sa.Column("country_id", sa.Integer(), nullable=True),
        fk("alliance_targets", "alliance_id", "alliances", "CASCADE"),
        fk("alliance_targets", "country_id", "countries", "RESTRICT"),
        sa.PrimaryKeyConstraint("alliance_id", "cow_code", name=op.f("pk_alliance_targets")),
    )  # fmt: skip


def downgrade() -> None:
    op.drop_table("alliance_targets")
    op.drop_table("alliance_members")
    op.drop_table("alliances")
