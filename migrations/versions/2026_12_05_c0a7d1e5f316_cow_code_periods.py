"""COW code periods: a country's Correlates of War code is a fact with a period

`country_cow_codes` holds every code a country carried and when (half-open [valid_from,
valid_until)), each row citing its spell in the COW State System Membership list. The seed
fills it from seed/datasets/cow-states-2016/states2016.csv; `countries.cow_code` stays, meaning
the current (or last) code.
"""

import sqlalchemy as sa
from alembic import op

from app.migrations.ddl import fk, indexes, integer_id, integers, note

revision = "c0a7d1e5f316"
down_revision = "c41d2e8f9a10"


def upgrade() -> None:
    op.create_table(
        "country_cow_codes",
        integer_id(),
        *integers("country_id", "cow_code"),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("source_id", sa.String(length=80), nullable=False),
        sa.Column("locator", sa.String(length=300), nullable=False),
        note(),
        sa.CheckConstraint(
            "valid_from IS NULL OR valid_until IS NULL OR valid_from < valid_until",
            name="ck_country_cow_codes_period_order",
        ),
        fk("country_cow_codes", "country_id", "countries", "CASCADE"),
        fk("country_cow_codes", "source_id", "sources", "RESTRICT"),
        sa.PrimaryKeyConstraint("id", name="pk_country_cow_codes"),
        sa.UniqueConstraint(
            "country_id",
            "cow_code",
            "valid_from",
            name="uq_country_cow_codes_country_id_cow_code_valid_from",
        ),
    )
    indexes("country_cow_codes", "country_id", "cow_code", "source_id")


def downgrade() -> None:
    op.drop_table("country_cow_codes")
