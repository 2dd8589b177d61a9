"""Slugs named in a filter, resolved to the ids of their rows."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute, Session

from app.core.problems import InvalidParameter


def slug_ids(
    session: Session,
    slug_column: InstrumentedAttribute[str],
    id_column: InstrumentedAttribute[Any],
    slugs: list[str],
    *,
    pointer: str,
    noun: str,
) -> list[int]:
    """The id of each slug; an unknown one is a 422 at `pointer` that lists the known ones
    (a filter names what to select by, not a resource to read: not a 404). No filter reads
    nothing: the answer then depends on no slug (nor on a write that renames one)."""
    if not slugs:
        return []
    known: dict[str, int] = dict(session.execute(select(slug_column, id_column)).all())
    unknown = [name for name in slugs if name not in known]
    if unknown:
        raise InvalidParameter(
            pointer, f"Unknown {noun} {unknown[0]!r}; known: {', '.join(sorted(known))}."
        )
    return [known[name] for name in slugs]
