"""What the domain writes share beyond `app.curation.curated`: removing a sub-resource's rows."""

from collections.abc import Sequence

from app.core.problems import ProblemError
from app.curation.transaction import Write


def delete_rows(tx: Write, rows: Sequence[object], missing: str) -> None:
    """A sub-resource DELETE: its stored `rows` go, or a 404 saying `missing` if there are none."""
    if not rows:
        raise ProblemError(404, missing)
    for row in rows:
        tx.session.delete(row)
