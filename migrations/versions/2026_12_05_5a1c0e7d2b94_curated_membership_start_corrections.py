"""curated membership start corrections: Timor-Leste ADMM observer, Belarus in the SCO

The seed matches a membership on (organization, country, role, start), so a corrected start
would make a re-seed add a second membership beside the old one (the loader deletes
nothing). This moves the two starts the December 2026 audit corrected, on databases seeded
before the correction, so that the re-seed finds and updates the same rows:

- Timor-Leste as an ADMM observer: from 2024-03 to 2023-11 (the 17th ADMM);
- Belarus in the SCO: from 2024-07 (month) to 2024-07-04 (day).

Memberships of organizations curators have changed (`modified_in_version` > 0) are theirs
and are left alone, as the seed leaves them. The downgrade restores the old starts.
"""

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "5a1c0e7d2b94"
down_revision = "5d1e7a9c3b20"

# (organization slug, country ISO3, role, (old start, precision), (new start, precision))
_CORRECTIONS = [
    ("admm", "TLS", "observer", (dt.date(2024, 3, 1), "month"), (dt.date(2023, 11, 1), "month")),
    ("sco", "BLR", "member", (dt.date(2024, 7, 1), "month"), (dt.date(2024, 7, 4), "day")),
]


def _move(to_new: bool) -> None:
    statement = sa.text(
        "UPDATE memberships SET start_date = :to_date, start_precision = :to_precision"
        " WHERE start_date = :from_date AND role = :role"
        " AND organization_id IN"
        " (SELECT id FROM organizations WHERE slug = :slug AND modified_in_version = 0)"
        " AND country_id IN (SELECT id FROM countries WHERE iso3 = :iso3)"
        # A database seeded after the correction already has the new row: leave both alone.
        " AND NOT EXISTS (SELECT 1 FROM memberships AS other"
        "  WHERE other.organization_id = memberships.organization_id"
        "  AND other.country_id = memberships.country_id"
        "  AND other.role = memberships.role AND other.start_date = :to_date)"
    )
    for slug, iso3, role, old, new in _CORRECTIONS:
        (from_date, _), (to_date, to_precision) = (old, new) if to_new else (new, old)
        op.get_bind().execute(
            statement,
            {
                "slug": slug,
                "iso3": iso3,
                "role": role,
                "from_date": from_date,
                "to_date": to_date,
                "to_precision": to_precision,
            },
        )


def upgrade() -> None:
    _move(to_new=True)


def downgrade() -> None:
    _move(to_new=False)
