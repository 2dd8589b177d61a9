"""SIPRI Arms Transfers Database, trade register: one row, one transfer (supplier -> recipient).

SIPRI's data may not be redistributed: nothing of it is bundled. This reads a user's own
export of the trade register (armstransfers.sipri.org, "Trade registers", CSV), the file as
SIPRI's site writes it (see seed/datasets/README.md, "SIPRI trade register"):
- a preamble of a few lines (title, notes, "Source: ...", "Data generated: ...") before the
  header line, which starts with `Recipient,Supplier,Year of order`;
- columns by position, since three have no name: `Recipient, Supplier, Year of order, <?>,
  Number ordered, <?>, Weapon designation, Weapon description, Number delivered (or
  "Deliveries in the Year Range"), <?>, Year(s) of delivery, status, Comments, SIPRI TIV per
  unit, SIPRI TIV for total order, SIPRI TIV of delivered weapons`; each unnamed column holds
  "?" when the value before it is uncertain;
- an estimated number or year is in parentheses, "(10)"; "?" or nothing is unknown;
- years of delivery are a list, "2011; 2012";
- names ending in "*" are non-state actors, in "**" international organizations: no state, so
  no tie; other names resolve through seed/data/country_aliases.yaml.

A row's locator is "<supplier> to <recipient>, <order year>, <weapon designation>" (the
register has no ids), with "#2", "#3"... for the rows of one file that would repeat it.
Delivery status, and so the tie's end (`app.cooperation.ties`): `cancelled` when the status
cell says so; `delivered` when as many were delivered as ordered, or the numbers are unknown
and a delivery year is given; `ongoing` otherwise. Transfers address no threat: the register
says what was supplied, not against what.
"""

import csv
import itertools
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, select, update
from sqlalchemy.orm import Session

from app.curation.changes import curated
from app.imports.base import CITATIONS, DatasetAdapter, DatasetWriter, Progress, SourceRow
from app.imports.countries import CountryResolver
from app.imports.editions import slugify
from app.imports.report import ImportFailed, ImportReport, Rejection
from app.transfers.models import DeliveryStatus, Transfer, TransferParty, TransferRole

SOURCE_ID = "sipri-arms-transfers"

TRANSFERS = cast(Table, Transfer.__table__)
PARTIES = cast(Table, TransferParty.__table__)
_BATCH = 1_000  # rows written per batch

_HEADER_START = ("recipient", "supplier", "year of order")
# Named columns -> the field they fill; the delivered column has two names (the second one
# when the export was made for a year range: then it counts deliveries in that range only).
_NAMED = {
    "recipient": "recipient",
    "supplier": "supplier",
    "year of order": "order_year",
    "number ordered": "number_ordered",
    "weapon designation": "weapon_designation",
    "weapon description": "weapon_description",
    "number delivered": "number_delivered",
    "deliveries in the year range": "number_delivered",
    "year(s) of delivery": "delivery_years",
    "status": "status",
    "comments": "comments",
    "sipri tiv per unit": "tiv_per_unit",
    "sipri tiv for total order": "tiv_total_order",
    "sipri tiv of delivered weapons": "tiv_delivered",
}
# The fields whose next (unnamed) column holds "?" when they are uncertain.
_FLAGGED = ("order_year", "number_ordered", "number_delivered")
_REQUIRED = ("recipient", "supplier", "order_year", "weapon_designation", "delivery_years")
_ESTIMATED = re.compile(r"^\((.*)\)$")
_YEAR = re.compile(r"^\d{4}$")


# --- cells -----------------------------------------------------------------------------------


def _text(value: str) -> str | None:
    text = " ".join(value.split())
    return text or None


def _number(value: str) -> tuple[int | None, bool]:
    """A count or a year and whether it is estimated: "12", "(12)" (estimated), "?" or ""."""
    text = value.strip()
    estimated = _ESTIMATED.match(text)
    if estimated:
        text = estimated.group(1).strip()
    return (int(text), bool(estimated)) if text.isdigit() else (None, False)


def _tiv(value: str) -> float | None:
    text = value.strip().strip("()")
    try:
        return float(text) if text else None
    except ValueError:
        return None


def _years(value: str) -> tuple[list[int], list[str]]:
    """The years of "2011; 2012" (each may be estimated, "(2011)"), and what is not a year."""
    years, unread = [], []
    for part in re.split(r"[;,]", value):
        token = part.strip().strip("()?").strip()
        if _YEAR.match(token):
            years.append(int(token))
        elif part.strip():
            unread.append(part.strip())
    return years, unread


# --- the record ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TransferRecord:
    locator: str
    supplier_id: int
    recipient_id: int
    slug_base: str
    name: str
    order_year: int
    order_year_estimated: bool
    number_ordered: int | None
    number_ordered_estimated: bool
    weapon_designation: str | None
    weapon_description: str | None
    number_delivered: int | None
    number_delivered_estimated: bool
    delivery_years: str | None
    last_delivery_year: int | None
    delivery_status: DeliveryStatus
    status: str | None
    comments: str | None
    tiv_per_unit: float | None
    tiv_total_order: float | None
    tiv_delivered: float | None

    def values(self) -> dict[str, Any]:
        """The columns of its `transfers` row (slug aside)."""
        values = asdict(self)
        for key in ("locator", "supplier_id", "recipient_id", "slug_base"):
            del values[key]
        return values


def delivery_status(
    status: str | None, ordered: int | None, delivered: int | None, years: list[int]
) -> DeliveryStatus:
    if status is not None and "cancel" in status.casefold():
        return DeliveryStatus.cancelled
    if ordered is not None and delivered is not None:
        return DeliveryStatus.delivered if delivered >= ordered else DeliveryStatus.ongoing
    return DeliveryStatus.delivered if years else DeliveryStatus.ongoing


# --- reading the file ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Layout:
    """Where each field stands in a row, found from the header line."""

    header_line: int  # 1-based
    columns: dict[str, int]  # field -> position
    flags: dict[str, int]  # flagged field -> position of its "?" column
    range_only: bool  # the delivered column counts deliveries in the export's range only


def _layout(lines: list[list[str]], path: Path) -> _Layout:
    for number, cells in enumerate(lines, start=1):
        names = [cell.strip().casefold() for cell in cells]
        if tuple(names[:3]) != _HEADER_START:
            continue
        columns = {_NAMED[name]: i for i, name in enumerate(names) if name in _NAMED}
        missing = [field for field in _REQUIRED if field not in columns]
        if missing:
            raise ImportFailed(f"{path.name}: the header lacks the columns for {missing}")
        flags = {
            field: columns[field] + 1
            for field in _FLAGGED
            if field in columns
            and columns[field] + 1 < len(names)
            and not names[columns[field] + 1]
        }
        return _Layout(number, columns, flags, "deliveries in the year range" in names)
    raise ImportFailed(
        f"{path.name} is not a SIPRI trade register: no header line starting with "
        "'Recipient,Supplier,Year of order'"
    )


def _locators(rows: list[dict[str, str]]) -> list[str]:
    """Each row's locator; rows of one file that would share one are numbered in order."""
    bases = [
        f"{row['supplier'].strip()} to {row['recipient'].strip()}, "
        f"{row['order_year'].strip().strip('()')}, {' '.join(row['weapon_designation'].split())}"
        for row in rows
    ]
    seen: Counter[str] = Counter()
    locators = []
    for base in bases:
        seen[base] += 1
        locators.append(base if seen[base] == 1 else f"{base} #{seen[base]}")
    return locators


class SipriAdapter(DatasetAdapter[TransferRecord]):
    source_id = SOURCE_ID

    def read(self, path: Path) -> list[SourceRow]:
        try:
            with path.open(encoding="utf-8-sig", newline="") as handle:
                lines = list(csv.reader(handle))
        except (UnicodeDecodeError, csv.Error) as error:
            raise ImportFailed(f"{path.name} cannot be read as CSV: {error}") from error
        layout = _layout(lines, path)
        rows: list[dict[str, str]] = []
        for cells in lines[layout.header_line :]:
            if not any(cell.strip() for cell in cells):
                continue  # blank lines (the export may end with some)
            row = {field: _cell(cells, i) for field, i in layout.columns.items()}
            row.update({f"{field}?": _cell(cells, i) for field, i in layout.flags.items()})
            if layout.range_only:
                row["range_only"] = "1"
            rows.append(row)
        return [SourceRow(loc, row) for loc, row in zip(_locators(rows), rows, strict=True)]

    def parse(
        self, row: SourceRow, names: CountryResolver, report: ImportReport
    ) -> TransferRecord | Rejection:
        fields = row.fields
        year, year_estimated = _number(fields["order_year"])
        if year is None:
            return Rejection(row.locator, "no year of order")
        parties = self._parties(fields, year, row.locator, names, report)
        if isinstance(parties, Rejection):
            return parties
        supplier_id, recipient_id, codes = parties
        ordered, ordered_estimated = _number(fields.get("number_ordered", ""))
        delivered, delivered_estimated = _number(fields.get("number_delivered", ""))
        years, unread = _years(fields["delivery_years"])
        if unread:
            report.note("delivery years not read as years: left out", row.locator)
        if fields.get("range_only"):
            report.note("delivered: only the deliveries in the export's year range", row.locator)
        status = _text(fields.get("status", ""))
        designation = _text(fields["weapon_designation"])
        description = _text(fields.get("weapon_description", ""))
        flagged = {field: fields.get(f"{field}?", "").strip() == "?" for field in _FLAGGED}
        what = designation or description or "arms"
        return TransferRecord(
            locator=row.locator,
            supplier_id=supplier_id,
            recipient_id=recipient_id,
            slug_base=slugify(f"{codes[0]}-{codes[1]}-{year}-{what}"),
            name=f"{what} from {fields['supplier'].strip()} to {fields['recipient'].strip()} "
            f"(ordered {year})",
            order_year=year,
            order_year_estimated=year_estimated or flagged["order_year"],
            number_ordered=ordered,
            number_ordered_estimated=ordered_estimated or flagged["number_ordered"],
            weapon_designation=designation,
            weapon_description=description,
            number_delivered=delivered,
            number_delivered_estimated=delivered_estimated or flagged["number_delivered"],
            delivery_years=_text(fields["delivery_years"]),
            last_delivery_year=max(years) if years else None,
            delivery_status=delivery_status(status, ordered, delivered, years),
            status=status,
            comments=_text(fields.get("comments", "")),
            tiv_per_unit=_tiv(fields.get("tiv_per_unit", "")),
            tiv_total_order=_tiv(fields.get("tiv_total_order", "")),
            tiv_delivered=_tiv(fields.get("tiv_delivered", "")),
        )

    @staticmethod
    def _parties(
        fields: Mapping[str, str],
        year: int,
        locator: str,
        names: CountryResolver,
        report: ImportReport,
    ) -> tuple[int, int, tuple[str, str]] | Rejection:
        """The supplier's and the recipient's country ids and codes, or why there are none."""
        ids: list[int] = []
        for role in (TransferRole.supplier, TransferRole.recipient):
            name = " ".join(fields[role.value].split())
            if not name:
                return Rejection(locator, f"no {role.value} named")
            if name.endswith("*"):
                kind, mark = (
                    ("an international organization", "**")
                    if name.endswith("**")
                    else ("a non-state actor", "*")
                )
                return Rejection(
                    locator, f"the {role.value} is {kind} (SIPRI's {mark} mark), not a state"
                )
            why_not = names.table.not_countries.get(name.casefold())
            if why_not is not None:
                return Rejection(locator, f"the {role.value} is not a state: {why_not}")
            country_id = names.country_id(name, on=date(year, 1, 1))
            if country_id is None:
                report.unresolved_name(name, locator)
                return Rejection(locator, f"the {role.value} {name!r} resolves to no country")
            ids.append(country_id)
        if ids[0] == ids[1]:
            return Rejection(locator, "the supplier and the recipient are the same country")
        codes = {country_id: code for code, country_id in names.ids_by_code.items()}
        return ids[0], ids[1], (codes[ids[0]], codes[ids[1]])

    def write(
        self,
        session: Session,
        records: Sequence[TransferRecord],
        report: ImportReport,
        progress: Progress,
    ) -> None:
        TransferWriter(session, self.source_id, report).write(records)
        progress(len(records))


def _cell(cells: list[str], position: int) -> str:
    return cells[position] if position < len(cells) else ""


# --- writing ---------------------------------------------------------------------------------


class TransferWriter(DatasetWriter):
    """Inserts new transfers with their two parties and citations; a row imported before
    (found by its citation) is brought up to date from a newer export, unless curators
    changed its transfer."""

    def __init__(self, session: Session, source_id: str, report: ImportReport) -> None:
        super().__init__(session, source_id, report)
        # Locator -> the transfer an earlier import of the register made of it.
        self.transfer_ids: dict[str, int] = {
            locator: transfer_id
            for locator, transfer_id in self.cited_rows("transfer_id")
            if locator is not None
        }
        self.slugs: set[str] = set(session.scalars(select(Transfer.slug)))

    def write(self, records: Sequence[TransferRecord]) -> None:
        # In batches: each one's ids and slugs are looked up with one IN list, which must stay
        # under SQLite's limit of bound parameters whatever the size of the register.
        for start in range(0, len(records), _BATCH):
            batch = records[start : start + _BATCH]
            new: list[tuple[TransferRecord, str]] = []
            for record in batch:
                if record.locator not in self.transfer_ids:
                    new.append((record, self._slug(record.slug_base)))
            self._update([record for record in batch if record.locator in self.transfer_ids])
            self._insert(new)

    def _slug(self, base: str) -> str:
        numbered = (f"{base}-{n}" for n in itertools.count(2))
        slug = next(s for s in itertools.chain([base], numbered) if s not in self.slugs)
        self.slugs.add(slug)
        return slug

    def _update(self, records: list[TransferRecord]) -> None:
        if not records:
            return
        ids = [self.transfer_ids[record.locator] for record in records]
        columns = [TRANSFERS.c[key] for key in records[0].values()]
        current = {
            row.id: row
            for row in self.session.execute(
                select(TRANSFERS.c.id, TRANSFERS.c.modified_in_version, *columns).where(
                    TRANSFERS.c.id.in_(ids)
                )
            )
        }
        changed = 0
        for record, transfer_id in zip(records, ids, strict=True):
            transfer = current[transfer_id]
            if curated(transfer.modified_in_version):
                self.report.left_to_curators += 1
                continue
            self.report.already_imported += 1
            values = record.values()
            if any(transfer._mapping[key] != value for key, value in values.items()):
                self.session.execute(
                    update(Transfer).where(Transfer.id == transfer_id).values(**values)
                )
                changed += 1
        if changed:
            self.report.written["transfers (updated)"] += changed

    def _insert(self, new: list[tuple[TransferRecord, str]]) -> None:
        if not new:
            return
        self.insert_rows(TRANSFERS, [{"slug": slug, **record.values()} for record, slug in new])
        ids = dict(
            self.session.execute(
                select(Transfer.slug, Transfer.id).where(Transfer.slug.in_([s for _, s in new]))
            ).all()
        )
        parties = [
            {"transfer_id": ids[slug], "country_id": country_id, "role": role}
            for record, slug in new
            for country_id, role in (
                (record.supplier_id, TransferRole.supplier),
                (record.recipient_id, TransferRole.recipient),
            )
        ]
        self.insert_rows(PARTIES, parties)
        party_ids = {
            (transfer_id, role): party_id
            for party_id, transfer_id, role in self.session.execute(
                select(TransferParty.id, TransferParty.transfer_id, TransferParty.role).where(
                    TransferParty.transfer_id.in_(ids.values())
                )
            )
        }
        # One executemany per target column: its rows must all have the same keys.
        self.insert_rows(
            CITATIONS, [self._citation(record, transfer_id=ids[slug]) for record, slug in new]
        )
        self.insert_rows(
            CITATIONS,
            [
                self._citation(record, transfer_party_id=party_ids[(ids[slug], role)])
                for record, slug in new
                for role in TransferRole
            ],
        )
        self.report.created += len(new)

    def _citation(self, record: TransferRecord, **target: int) -> dict[str, Any]:
        return self.citation_row(record.locator, **target)
