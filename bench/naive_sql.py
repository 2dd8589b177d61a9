"""The straightforward SQL a user of a generic tool would write, over the FACT tables.

Partners of a country: one self-join per channel of cooperation (co-membership in an
organization, taking part in the same exercise edition, being parties to the same agreement,
directly or through an organization party, contributing to the same operation), with the same
rules as `app.cooperation.derivation` (members only, no universal bodies, no observers,
half-open periods that must overlap), unioned, then grouped by partner. It reads neither the
derived `ties` table nor anything else defcoop precomputes: that is the point of comparison.

`python bench/naive_sql.py` rewrites `bench/datasette-metadata.json`, the canned queries that
datasette serves in the benchmark (`datasette -i DB.db -m bench/datasette-metadata.json`).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

METADATA_PATH = Path(__file__).resolve().parent / "datasette-metadata.json"
DATABASE_KEY = "defcoop"


# An agreement holds from its entry into force, or its signature where that is unknown.
_AG_FROM = "coalesce(ag.in_force_date, ag.signed_date)"


def _overlap(s1: str, e1: str, s2: str, e2: str) -> str:
    """Two half-open periods [s, e) overlap; NULL is unbounded."""
    return (
        f"({e1} IS NULL OR {s2} IS NULL OR {s2} < {e1}) "
        f"AND ({e2} IS NULL OR {s1} IS NULL OR {s1} < {e2})"
    )


def _both_within(mine: str, theirs: str, start: str, end: str) -> str:
    """Two facts (table aliases with start_date and end_date) overlap each other, and each
    overlaps its initiative's period [start, end)."""
    periods = {alias: (f"{alias}.start_date", f"{alias}.end_date") for alias in (mine, theirs)}
    return "\n    AND ".join(
        (
            _overlap(*periods[mine], *periods[theirs]),
            _overlap(*periods[mine], start, end),
            _overlap(*periods[theirs], start, end),
        )
    )


def _greatest(dialect: str, a: str, b: str) -> str:
    """The later of two nullable dates, NULL only when both are."""
    if dialect == "postgresql":
        return f"GREATEST({a}, {b})"
    return f"max(coalesce({a}, {b}), coalesce({b}, {a}))"


def _least(dialect: str, a: str, b: str) -> str:
    if dialect == "postgresql":
        return f"LEAST({a}, {b})"
    return f"min(coalesce({a}, {b}), coalesce({b}, {a}))"


def _threat(table: str, column: str, owner: str) -> str:
    return (
        f" AND EXISTS (SELECT 1 FROM {table} x JOIN threat_categories tc ON tc.id = x.threat_id"
        f" WHERE x.{column} = {owner} AND tc.slug = :threat)"
    )


def _pairs_within(
    channel: str,
    facts: tuple[str, str, str],
    initiatives: tuple[str, str],
    period: tuple[str, str],
    partner: str,
    threat: str,
) -> str:
    """The pairs of my fact and a partner's (`facts`: table, alias prefix, id column) in one
    initiative of `channel` (`initiatives`: table and alias), both within its `period` and
    each other's: a branch of `shared`, with the partner and threat filters appended."""
    table, prefix, fact_id = facts
    initiative_table, alias = initiatives
    mine, theirs = f"{prefix}1", f"{prefix}2"
    column = f"{channel}_id"
    return (
        f"  SELECT '{channel}', {mine}.{column}, {theirs}.country_id, "
        f"{mine}.{fact_id}, {theirs}.{fact_id}\n"
        f"  FROM {table} {mine}\n"
        f"  JOIN {table} {theirs} ON {theirs}.{column} = {mine}.{column} "
        f"AND {theirs}.country_id <> {mine}.country_id\n"
        f"  JOIN {initiative_table} {alias} ON {alias}.id = {mine}.{column}\n"
        f"  WHERE {mine}.country_id = (SELECT id FROM me){partner}\n"
        f"    AND {_both_within(mine, theirs, *period)}{threat}"
    )


def _shared_initiatives(dialect: str, threat: bool, pair: bool) -> str:
    """CTEs `me` (and `other`), `agreement_sides` and `shared`: one row per pair of fact rows
    that put me and a partner in one initiative (channel, initiative_id, partner_id, fact ids)."""
    partner_filter = {
        name: f" AND {alias}.country_id = (SELECT id FROM other)" if pair else ""
        for name, alias in (("m", "m2"), ("p", "p2"), ("a", "a2"), ("c", "c2"))
    }
    threat_filter = {
        "m": _threat("organization_threats", "organization_id", "m1.organization_id"),
        "p": _threat("edition_threats", "edition_id", "p1.edition_id"),
        "a": _threat("agreement_threats", "agreement_id", "a1.agreement_id"),
        "c": _threat("operation_threats", "operation_id", "c1.operation_id"),
    }
    if not threat:
        threat_filter = dict.fromkeys(threat_filter, "")
    other = ", other AS (SELECT id FROM countries WHERE iso3 = upper(:other))" if pair else ""
    greatest = _greatest(dialect, "p.start_date", "m.start_date")
    least = _least(dialect, "p.end_date", "m.end_date")
    agreement_pairs = _pairs_within(
        "agreement",
        ("agreement_sides", "a", "fact_id"),
        ("agreements", "ag"),
        (_AG_FROM, "ag.ended_date"),
        partner_filter["a"],
        threat_filter["a"],
    )
    operation_pairs = _pairs_within(
        "operation",
        ("contributions", "c", "id"),
        ("operations", "op"),
        ("op.start_date", "op.end_date"),
        partner_filter["c"],
        threat_filter["c"],
    )
    return f"""WITH me AS (SELECT id FROM countries WHERE iso3 = upper(:code)){other},
agreement_sides AS (
  SELECT p.id AS fact_id, p.agreement_id, p.country_id,
         p.start_date AS start_date, p.end_date AS end_date
  FROM agreement_parties p
  WHERE p.country_id IS NOT NULL
  UNION ALL
  SELECT p.id, p.agreement_id, m.country_id, {greatest}, {least}
  FROM agreement_parties p
  JOIN memberships m ON m.organization_id = p.organization_id AND m.role = 'member'
  WHERE {_overlap("p.start_date", "p.end_date", "m.start_date", "m.end_date")}
),
shared AS (
  SELECT 'organization' AS channel, m1.organization_id AS initiative_id,
         m2.country_id AS partner_id, m1.id AS my_fact, m2.id AS their_fact
  FROM memberships m1
  JOIN memberships m2
    ON m2.organization_id = m1.organization_id AND m2.country_id <> m1.country_id
  JOIN organizations o ON o.id = m1.organization_id
  WHERE m1.country_id = (SELECT id FROM me){partner_filter["m"]}
    AND m1.role = 'member' AND m2.role = 'member' AND NOT o.universal
    AND {_overlap("m1.start_date", "m1.end_date", "m2.start_date", "m2.end_date")}{
        threat_filter["m"]
    }
  UNION ALL
  SELECT 'exercise', p1.edition_id, p2.country_id, p1.id, p2.id
  FROM participations p1
  JOIN participations p2 ON p2.edition_id = p1.edition_id AND p2.country_id <> p1.country_id
  WHERE p1.country_id = (SELECT id FROM me){partner_filter["p"]}
    AND p1.role <> 'observer' AND p2.role <> 'observer'{threat_filter["p"]}
  UNION ALL
{agreement_pairs}
  UNION ALL
{operation_pairs}
)"""


def partners_sql(dialect: str = "sqlite", threat: bool = False, limit: int = 50) -> str:
    """Partners of :code (ISO3), ranked by shared initiatives, with per-channel counts."""
    counts = ",\n       ".join(
        f"count(DISTINCT CASE WHEN s.channel = '{channel}' THEN s.initiative_id END) AS {channel}s"
        for channel in ("organization", "exercise", "agreement", "operation")
    )
    return f"""{_shared_initiatives(dialect, threat, pair=False)}
SELECT c.iso3, c.name,
       count(DISTINCT s.channel || ':' || s.initiative_id) AS ties,
       {counts}
FROM shared s
JOIN countries c ON c.id = s.partner_id
GROUP BY c.id, c.iso3, c.name
ORDER BY ties DESC, c.name
LIMIT {limit}"""


def pair_sql() -> str:
    """Every initiative :code and :other share, with its threats and sources (SQLite)."""
    return f"""{_shared_initiatives("sqlite", threat=False, pair=True)}
SELECT s.channel,
       coalesce(o.slug, e.slug, ag.slug, op.slug) AS slug,
       coalesce(o.name, e.name, ag.name, op.name) AS name,
       (SELECT group_concat(tc.slug) FROM threat_categories tc WHERE tc.id IN (
          SELECT threat_id FROM organization_threats
          WHERE s.channel = 'organization' AND organization_id = s.initiative_id
          UNION SELECT threat_id FROM edition_threats
          WHERE s.channel = 'exercise' AND edition_id = s.initiative_id
          UNION SELECT threat_id FROM agreement_threats
          WHERE s.channel = 'agreement' AND agreement_id = s.initiative_id
          UNION SELECT threat_id FROM operation_threats
          WHERE s.channel = 'operation' AND operation_id = s.initiative_id)) AS threats,
       (SELECT group_concat(DISTINCT ci.source_id) FROM citations ci
        WHERE (s.channel = 'organization' AND ci.membership_id IN (s.my_fact, s.their_fact))
           OR (s.channel = 'exercise' AND ci.participation_id IN (s.my_fact, s.their_fact))
           OR (s.channel = 'agreement' AND ci.party_id IN (s.my_fact, s.their_fact))
           OR (s.channel = 'operation' AND ci.contribution_id IN (s.my_fact, s.their_fact))
       ) AS sources
FROM (SELECT channel, initiative_id, min(my_fact) AS my_fact, min(their_fact) AS their_fact
      FROM shared GROUP BY channel, initiative_id) s
LEFT JOIN organizations o ON s.channel = 'organization' AND o.id = s.initiative_id
LEFT JOIN exercise_editions e ON s.channel = 'exercise' AND e.id = s.initiative_id
LEFT JOIN agreements ag ON s.channel = 'agreement' AND ag.id = s.initiative_id
LEFT JOIN operations op ON s.channel = 'operation' AND op.id = s.initiative_id
ORDER BY s.channel, slug"""


COUNTRY_SQL = "SELECT * FROM countries WHERE iso3 = upper(:code)"
COUNTRIES_PAGE_SQL = "SELECT * FROM countries ORDER BY iso3, id LIMIT 50"


def to_pyformat(sql: str) -> str:
    """`:name` parameters as psycopg's `%(name)s`."""
    return re.sub(r"(?<![:\w]):(\w+)", r"%(\1)s", sql)


def metadata() -> dict[str, Any]:
    queries = {
        "country": COUNTRY_SQL,
        "countries_page": COUNTRIES_PAGE_SQL,
        "partners": partners_sql(),
        "partners_threat": partners_sql(threat=True),
        "pair": pair_sql(),
    }
    return {
        "title": "defcoop benchmark: canned queries over the fact tables",
        "description": "Generated by bench/naive_sql.py; the naive SQL of the benchmark.",
        "databases": {
            DATABASE_KEY: {"queries": {name: {"sql": sql} for name, sql in queries.items()}}
        },
    }


def write_metadata(path: Path = METADATA_PATH) -> bool:
    """(Re)write the datasette metadata; True when it changed."""
    content = json.dumps(metadata(), indent=2) + "\n"
    if path.exists() and path.read_text(encoding="utf-8") == content:
        return False
    path.write_text(content, encoding="utf-8")
    return True


if __name__ == "__main__":
    print(f"{METADATA_PATH}: {'rewritten' if write_metadata() else 'unchanged'}")
