"""COW Formal Alliances v4.1 (Gibler 2009) against the ATOP alliances in the database.

ATOP codes every COW alliance too and links to it (`cow4id`), so COW v4.1 is read as a check
of the ATOP import, not as a second copy of the same treaties: this writes nothing. Each row of
`alliance_v4.1_by_member.csv` (one member's spell in one alliance) is accounted for as
- agreeing: the ATOP alliance with its `cow4id` has that state as a member, and the first
  and last years of the state's spells agree;
- disagreeing, with the reason: no ATOP alliance links to the COW alliance, the state is not
  an ATOP member, or its first or last year differs;
and the ATOP members of the linked alliances that COW lacks are listed too.

How COW's quirks are read: years only are compared (COW's day is -9 when unknown); a
membership starting in 1816 with `left_censor = 1` began earlier (COW cuts at 1816), so only
an ATOP start after 1816 disagrees with it; an empty `mem_end_year` with `right_censor = 1` is
ongoing at COW's end (2012), as is an ATOP spell without exit or ending after 2012; the 20
repeated (alliance, member) pairs are spells of one membership, compared as a whole.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.alliances.models import Alliance, AllianceMember
from app.imports.reading import read_csv_rows
from app.imports.report import ImportFailed

_COLUMNS = ("version4id", "ccode", "mem_st_year", "mem_end_year", "left_censor", "right_censor")
_COW_START, _COW_END = 1816, 2012
_SHOWN = 12  # disagreements listed per reason; the counts cover every row


@dataclass
class _Spells:
    first: int
    last: int | None  # None: ongoing at the end of the data
    left_censored: bool = False

    def add(self, first: int, last: int | None) -> None:
        self.first = min(self.first, first)
        self.last = None if self.last is None or last is None else max(self.last, last)


@dataclass
class CrossCheck:
    rows_read: int = 0
    agreeing: int = 0
    # reason -> the rows ("COW 227 / 290") or ATOP members it concerns
    disagreements: defaultdict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    atop_only: list[str] = field(default_factory=list)
    # ATOP alliances whose cow4id the COW file does not have.
    atop_unlinked: list[str] = field(default_factory=list)

    @property
    def disagreeing(self) -> int:
        return sum(len(rows) for rows in self.disagreements.values())

    def lines(self) -> list[str]:
        lines = [
            f"cow-alliance-v4-1 against ATOP 5.1: {self.rows_read} rows read, "
            f"{self.agreeing} agree, {self.disagreeing} disagree: "
            f"{self.agreeing + self.disagreeing} of {self.rows_read} rows accounted for",
        ]
        for reason, rows in sorted(self.disagreements.items()):
            shown = ", ".join(rows[:_SHOWN]) + (", ..." if len(rows) > _SHOWN else "")
            lines.append(f"  {reason} ({len(rows)}): {shown}")
        for what, items in (
            ("ATOP members of linked alliances that COW lacks", self.atop_only),
            ("ATOP alliances linking to a COW id the file lacks", self.atop_unlinked),
        ):
            if items:
                shown = ", ".join(items[:_SHOWN]) + (", ..." if len(items) > _SHOWN else "")
                lines.append(f"  {what} ({len(items)}): {shown}")
        lines.append("  nothing written: COW v4.1 is a check of the ATOP import")
        return lines


def _year(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.lstrip("-").isdigit() and int(text) > 0 else None


def read_cow(path: Path) -> list[dict[str, str]]:
    return read_csv_rows(path, _COLUMNS, "COW alliances v4.1")


def _atop_members(session: Session) -> dict[int, dict[int, _Spells]]:
    """cow4id -> COW code -> the years of the ATOP spells, for the ATOP alliances linked."""
    linked: defaultdict[int, dict[int, _Spells]] = defaultdict(dict)
    rows = session.execute(
        select(
            Alliance.cow4_id,
            AllianceMember.cow_code,
            AllianceMember.start_date,
            AllianceMember.end_date,
        )
        .join(AllianceMember, AllianceMember.alliance_id == Alliance.id)
        .where(Alliance.cow4_id.is_not(None))
    )
    for linked_id, code, start, end in rows:
        assert linked_id is not None  # filtered in SQL
        cow4_id = linked_id
        first = start.year if start else _COW_START
        last = end.year if end is not None and end.year <= _COW_END else None
        spells = linked[cow4_id].get(code)
        if spells is None:
            linked[cow4_id][code] = _Spells(first, last)
        else:
            spells.add(first, last)
    return linked


def cross_check(session: Session, rows: list[dict[str, str]]) -> CrossCheck:
    if session.scalar(select(Alliance.id).limit(1)) is None:
        raise ImportFailed("no ATOP alliance in the database: run `defcoop import atop` first")
    atop = _atop_members(session)
    check = CrossCheck(rows_read=len(rows))
    cow: dict[tuple[int, int], _Spells] = {}
    locators: defaultdict[tuple[int, int], list[str]] = defaultdict(list)
    for row in rows:
        alliance, code = int(row["version4id"]), int(row["ccode"])
        first = _year(row["mem_st_year"]) or _COW_START
        ongoing = not row["mem_end_year"].strip() and row["right_censor"].strip() == "1"
        last = None if ongoing else _year(row["mem_end_year"])
        key = (alliance, code)
        if key in cow:
            cow[key].add(first, last)
        else:
            left = row["left_censor"].strip() == "1" and first == _COW_START
            cow[key] = _Spells(first, last, left)
        locators[key].append(f"COW {alliance} / {code}")
    for key, spells in cow.items():
        found = _disagreement(atop, key, spells)
        if found is None:
            check.agreeing += len(locators[key])
        else:
            reason, detail = found
            check.disagreements[reason].extend(f"{row}{detail}" for row in locators[key])
    cow_alliances = Counter(alliance for alliance, _ in cow)
    for cow4_id, members in sorted(atop.items()):
        if cow4_id not in cow_alliances:
            check.atop_unlinked.append(f"cow4id {cow4_id}")
            continue
        check.atop_only.extend(
            f"ATOP {cow4_id} / {code}" for code in sorted(members) if (cow4_id, code) not in cow
        )
    return check


def _disagreement(
    atop: dict[int, dict[int, _Spells]], key: tuple[int, int], cow: _Spells
) -> tuple[str, str] | None:
    """Why the COW member's spells disagree with ATOP's, and the years (or None)."""
    alliance, code = key
    if alliance not in atop:
        return "no ATOP alliance links to the COW alliance", ""
    spells = atop[alliance].get(code)
    if spells is None:
        return "the COW member is not a member of the ATOP alliance", ""
    if spells.first != cow.first and not (cow.left_censored and spells.first <= _COW_START):
        return "first year differs", f" (COW {cow.first}, ATOP {spells.first})"
    if spells.last != cow.last:
        return (
            "last year differs",
            f" (COW {cow.last or 'ongoing'}, ATOP {spells.last or 'ongoing'})",
        )
    return None
