"""What an import read, wrote, merged and refused, row by row."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

# Locators listed per line of the summary; the full lists stay on the report.
_SHOWN_LOCATORS = 8


class ImportFailed(Exception):
    """The import was refused and wrote nothing."""


@dataclass(frozen=True)
class Rejection:
    """A row that could not become a record, and why."""

    locator: str
    reason: str


def _rows(locators: list[str], limit: int | None = _SHOWN_LOCATORS) -> str:
    shown = locators if limit is None else locators[:limit]
    more = f", ... ({len(locators) - len(shown)} more)" if len(shown) < len(locators) else ""
    noun = "row" if len(locators) == 1 else "rows"
    return f"{len(locators)} {noun}: {', '.join(shown)}{more}"


def _append_once(locators: list[str], locator: str) -> None:
    # Rows are parsed one after another, so a row seen twice is the last one listed.
    if not locators or locators[-1] != locator:
        locators.append(locator)


@dataclass
class ImportReport:
    dataset: str
    rows_read: int = 0
    created: int = 0  # rows that became new records
    merged: int = 0  # rows merged into a curated record of the same thing
    already_imported: int = 0  # rows an earlier import loaded (matched by their citation)
    # Rows whose edition curators changed or deleted through the write API: left alone.
    left_to_curators: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    # Participant name -> locators of the rows it appears in.
    unresolved: defaultdict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    # Something worth knowing about a row that did not stop it -> locators.
    notes: defaultdict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    written: Counter[str] = field(default_factory=Counter)  # table -> rows inserted
    data_version: int = 0
    seconds: float = 0.0
    # Where the time went, for the summary and the benchmark: phase -> seconds.
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(self.written)

    @property
    def accounted(self) -> int:
        return (
            self.created
            + self.merged
            + self.already_imported
            + self.left_to_curators
            + len(self.rejected)
        )

    def note(self, message: str, locator: str) -> None:
        _append_once(self.notes[message], locator)

    def unresolved_name(self, name: str, locator: str) -> None:
        _append_once(self.unresolved[name], locator)

    def rejection_reasons(self) -> Counter[str]:
        return Counter(rejection.reason for rejection in self.rejected)

    def unresolved_lines(self) -> list[str]:
        """Every unresolved name with every row it appears in."""
        return [
            f"  {name!r} ({_rows(locators, limit=None)})"
            for name, locators in sorted(self.unresolved.items())
        ]

    def summary_lines(self) -> list[str]:
        phases = ", ".join(f"{phase} {seconds:.2f} s" for phase, seconds in self.timings.items())
        lines = [
            f"{self.dataset}: {self.rows_read} rows read in {self.seconds:.2f} s ({phases})",
            f"  created {self.created}, merged into curated records {self.merged}, "
            f"already imported {self.already_imported}, left as curators made them "
            f"{self.left_to_curators}, rejected {len(self.rejected)}: "
            f"{self.accounted} of {self.rows_read} rows accounted for",
        ]
        for reason, count in sorted(self.rejection_reasons().items()):
            locators = [r.locator for r in self.rejected if r.reason == reason]
            lines.append(f"  rejected ({count}): {reason} ({_rows(locators)})")
        if self.unresolved:
            lines.append("  participants skipped, names not resolved (--skip-unresolved):")
            lines.extend(f"  {line}" for line in self.unresolved_lines())
        for message, locators in sorted(self.notes.items()):
            lines.append(f"  note: {message} ({_rows(locators)})")
        if self.changed:
            written = ", ".join(f"{n} {table}" for table, n in sorted(self.written.items()))
            lines.append(f"  wrote {written}")
            lines.append(f"  data version {self.data_version}")
        else:
            lines.append(f"  nothing changed; data version {self.data_version}")
        return lines
