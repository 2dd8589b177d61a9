"""Column and constraint shapes the revisions repeat, imported as `app.migrations.ddl`.

Frozen, like the revisions: a revision must create the same schema on every run, so a shape here
never changes once a revision uses it; a different shape is a new function. Every call builds new
objects (a column or constraint belongs to one table).
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

PRECISIONS = ("day", "month", "year")
CERTAINTIES = ("confirmed", "unconfirmed", "disputed")
CHANNELS = ("organization", "exercise", "agreement", "operation")


def enum(*values: str, name: str) -> sa.Enum:
    """A short string checked against its values (a CHECK constraint, no native enum type)."""
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def precision(name: str) -> sa.Enum:
    return enum(*PRECISIONS, name=name)


def dated(prefix: str, *, nullable: bool = True) -> tuple[sa.Column[object], sa.Column[object]]:
    """`<prefix>_date` and how precise it is, `<prefix>_precision`, both null or both set."""
    return (
        sa.Column(f"{prefix}_date", sa.Date(), nullable=nullable),
        sa.Column(f"{prefix}_precision", precision(f"{prefix}_precision"), nullable=nullable),
    )


def undated_span() -> tuple[sa.Column[object], sa.Column[object]]:
    """`start_date` and `end_date`, without their precisions (derived tables)."""
    return (
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
    )


def certainty() -> sa.Column[str]:
    return sa.Column("certainty", enum(*CERTAINTIES, name="certainty"), nullable=False)


def channel() -> sa.Column[str]:
    return sa.Column("channel", enum(*CHANNELS, name="channel"), nullable=False)


def integer_id() -> sa.Column[int]:
    return sa.Column("id", sa.Integer(), nullable=False)


def note(length: int = 2000) -> sa.Column[str]:
    return sa.Column("note", sa.String(length=length), nullable=True)


def fk(table: str, column: str, parent: str, ondelete: str) -> sa.ForeignKeyConstraint:
    """`column` references `parent`.id, under the naming convention's name."""
    return sa.ForeignKeyConstraint(
        [column], [f"{parent}.id"], name=op.f(f"fk_{table}_{column}_{parent}"), ondelete=ondelete
    )


def slug_and_names(
    slug_length: int, name_length: int, *, name_id_nullable: bool = True
) -> tuple[sa.Column[str], sa.Column[str], sa.Column[str]]:
    """A record's URL key, its English name and its name in Indonesian (`name_id`)."""
    return (
        sa.Column("slug", sa.String(length=slug_length), nullable=False),
        sa.Column("name", sa.String(length=name_length), nullable=False),
        sa.Column("name_id", sa.String(length=name_length), nullable=name_id_nullable),
    )


def integers(*names: str) -> tuple[sa.Column[int], ...]:
    """Required integer columns (most of them references, constrained separately)."""
    return tuple(sa.Column(name, sa.Integer(), nullable=False) for name in names)


def flags(*names: str) -> tuple[sa.Column[bool], ...]:
    """Required yes/no columns."""
    return tuple(sa.Column(name, sa.Boolean(), nullable=False) for name in names)


def optional_integers(*names: str) -> tuple[sa.Column[int], ...]:
    """Nullable integer columns (counts, or references constrained separately)."""
    return tuple(sa.Column(name, sa.Integer(), nullable=True) for name in names)


def indexes(table: str, *columns: str) -> None:
    """An index on each of `columns` of `table` alone, under the naming convention's name."""
    for column in columns:
        op.create_index(op.f(f"ix_{table}_{column}"), table, [column], unique=False)


def drop_indexes(table: str, *columns: str) -> None:
    """Drop the indexes `indexes(table, *columns)` created."""
    for column in columns:
        op.drop_index(op.f(f"ix_{table}_{column}"), table_name=table)


def create_tag_table(
    table: str,
    column: str,
    parent: str,
    tag: sa.Column[Any],
    *columns: sa.Column[Any],
    tag_parent: str | None = None,
) -> None:
    """A table of tags on the rows of `parent`: `column` references a row (its tags go with
    it), `tag` is one of its tags (a value, or a reference to a row of `tag_parent`, which goes
    with it too), the two the key; then `columns`."""
    op.create_table(
        table,
        sa.Column(column, sa.Integer(), nullable=False),
        tag,
        *columns,
        fk(table, column, parent, "CASCADE"),
        *([] if tag_parent is None else [fk(table, tag.name, tag_parent, "CASCADE")]),
        sa.PrimaryKeyConstraint(column, tag.name, name=op.f(f"pk_{table}")),
    )
