"""Bilateral agreements from any dataset: matched, merged with curated agreements, bulk-inserted.

A record is matched, in this order, to:
1. the agreement that already cites its locator (a re-import): nothing is created, what is
   missing (a party, a category, a citation) is added;
2. a curated agreement between the same two countries, signed on the same date (or in the
   same year when either date is known only to the year) and of the same kind, that no row
   has claimed: the row is merged into it (its citation, categories and terms are added; the
   curated dates and fields are never overwritten, a disagreement is a note on the report and
   on the dataset's citation);
3. otherwise a new agreement with its two parties.

Curators come first: an agreement changed through the write API is matched but left as it is,
and a row whose agreement curators deleted is skipped (`make run` imports on every start).
Writes are plain INSERTs in batches, as in `editions.py`.
"""

from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any, cast

from sqlalchemy import Table, select, true, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from app.agreements.models import (
    TERMS,
    Agreement,
    AgreementCategory,
    AgreementCategoryRow,
    AgreementKind,
    AgreementParty,
    AgreementScope,
    PartyRole,
)
from app.core.periods import DatePrecision
from app.countries.models import Country
from app.curation.changes import curated, deleted_by_curators
from app.curation.writes.agreements import AGREEMENTS
from app.imports.base import CITATIONS, MergingWriter
from app.imports.dates import PartialDate
from app.imports.editions import slugify, unique_slug
from app.imports.report import ImportReport
from app.sources.models import Certainty

AGREEMENT_ROWS = cast(Table, Agreement.__table__)
CATEGORY_ROWS = cast(Table, AgreementCategoryRow.__table__)
PARTIES = cast(Table, AgreementParty.__table__)

_NAMES = {
    AgreementCategory.dca: "defense cooperation agreement",
    AgreementCategory.dic: "defense-industrial cooperation agreement",
    AgreementCategory.trex: "training and exercises agreement",
    AgreementCategory.procurement: "defense procurement agreement",
    AgreementCategory.commission: "defense commission agreement",
    AgreementCategory.research: "defense research agreement",
}
# A disagreement travels on the dataset's citation after the row's locator: "id; note".
_LOCATOR_END = "; "


@dataclass(frozen=True)
class AgreementTerms:
    scope: AgreementScope | None
    duration_years: int | None
    duration_code: int | None
    renewal_code: int | None
    renewal_years: int | None
    renewal_years_code: int | None
    terminated: bool | None
    terminated_code: int | None
    asymmetry: int | None


@dataclass(frozen=True)
class AgreementRecord:
    locator: str  # cited with the dataset, e.g. "DCADv1.0-0147"
    slug_suffix: str  # what tells this row's slug from another's, e.g. "dcad0147"
    country_ids: tuple[int, int]  # the two parties
    kind: AgreementKind
    categories: tuple[AgreementCategory, ...]  # the primary first
    signed: PartialDate
    in_force: PartialDate | None
    ended: PartialDate | None
    description: str
    note: str | None
    terms: AgreementTerms


@dataclass(frozen=True)
class _Curated:
    id: int
    kind: AgreementKind
    signed: date | None
    signed_precision: DatePrecision | None
    in_force: date | None
    ended: date | None


def _same_signature(curated_row: _Curated, record: AgreementRecord) -> bool:
    if curated_row.signed is None:
        return False
    if DatePrecision.year in (curated_row.signed_precision, record.signed.precision):
        return curated_row.signed.year == record.signed.first_day.year
    return curated_row.signed == record.signed.first_day


class AgreementWriter(MergingWriter[AgreementRecord, tuple[AgreementRecord, str]]):
    def __init__(self, session: Session, source_id: str, report: ImportReport) -> None:
        super().__init__(session, source_id, report)
        self.countries: dict[int, tuple[str, str]] = {
            country_id: (iso3, name)
            for country_id, iso3, name in session.execute(
                select(Country.id, Country.iso3, Country.name)
            )
        }
        # Locator -> the disagreement with a curated agreement it was merged into ("" if none).
        self.merge_notes: dict[str, str] = {}
        self._load_agreements()
        self._load_children()
        self.withdrawn = self._deleted_locators()

    def _load_agreements(self) -> None:
        self.row_ids = {}
        for locator, agreement_id in self.cited_rows("agreement_id"):
            assert locator is not None
            self.row_ids[locator.split(_LOCATOR_END)[0]] = agreement_id
        claimed = set(self.row_ids.values())
        parties: dict[int, list[int | None]] = defaultdict(list)
        for agreement_id, country_id in self.session.execute(
            select(AgreementParty.agreement_id, AgreementParty.country_id)
        ):
            parties[agreement_id].append(country_id)
        self.slugs: set[str] = set()
        self.owned_by_curators: set[int] = set()
        # Curated bilateral agreements no row has claimed, by their two countries.
        self.curated: dict[frozenset[int], list[_Curated]] = defaultdict(list)
        for row in self.session.execute(
            select(
                Agreement.id,
                Agreement.slug,
                Agreement.kind,
                Agreement.signed_date,
                Agreement.signed_precision,
                Agreement.in_force_date,
                Agreement.ended_date,
                Agreement.modified_in_version,
            ).order_by(Agreement.id)
        ):
            self.slugs.add(row.slug)
            if curated(row.modified_in_version):
                self.owned_by_curators.add(row.id)
            countries = parties.get(row.id, [])
            if row.id not in claimed and len(countries) == 2 and None not in countries:
                pair = frozenset(cast(list[int], countries))
                self.curated[pair].append(
                    _Curated(
                        row.id,
                        row.kind,
                        row.signed_date,
                        row.signed_precision,
                        row.in_force_date,
                        row.ended_date,
                    )
                )

    def _load_children(self) -> None:
        self.parties: dict[tuple[int, int], int] = {}
        self._load_parties(true())
        self.party_citations: set[tuple[int | None, str]] = {
            (party_id, (locator or "").split(_LOCATOR_END)[0])
            for locator, party_id in self.cited_rows("party_id")
        }
        self.categories: set[tuple[int, AgreementCategory]] = set(
            self.session.execute(
                select(AgreementCategoryRow.agreement_id, AgreementCategoryRow.category)
            ).all()
        )

    def _load_parties(self, where: ColumnElement[bool]) -> None:
        for party_id, agreement_id, country_id in self.session.execute(
            select(AgreementParty.id, AgreementParty.agreement_id, AgreementParty.country_id).where(
                where
            )
        ):
            if country_id is not None:  # an organization party is no party of a pair
                self.parties[(agreement_id, country_id)] = party_id

    def _deleted_locators(self) -> set[str]:
        """This dataset's rows behind the agreements curators deleted."""
        return {
            str(source["locator"]).split(_LOCATOR_END)[0]
            for before in deleted_by_curators(self.session, (AGREEMENTS.entity,)).values()
            for source in before.get("sources", [])
            if source.get("source_id") == self.source_id and source.get("locator")
        }

    # --- the run (MergingWriter.write) ----------------------------------------------------

    def _merge_target(self, record: AgreementRecord) -> int | None:
        candidates = self.curated.get(frozenset(record.country_ids), [])
        for candidate in candidates:
            if candidate.kind == record.kind and _same_signature(candidate, record):
                candidates.remove(candidate)
                if candidate.id not in self.owned_by_curators:
                    self.report.merged += 1
                    self._merge(record, candidate)
                return candidate.id
        return None

    def _merge(self, record: AgreementRecord, candidate: _Curated) -> None:
        """Add the row's terms to a curated agreement; its own values stay."""
        differences = [
            f"{what} {theirs.first_day} ({theirs.precision.value})"
            for what, ours, theirs in (
                ("entry into force", candidate.in_force, record.in_force),
                ("end", candidate.ended, record.ended),
            )
            if theirs is not None and ours != theirs.first_day
        ]
        note = ""
        if differences:
            note = f"{_LOCATOR_END}the dataset gives {', '.join(differences)}"
            self.report.note(
                f"differs from the curated agreement: {note.removeprefix(_LOCATOR_END)}",
                record.locator,
            )
        self.merge_notes[record.locator] = note
        # Terms no curator has given (the write API has none): filled once, never overwritten.
        self.session.execute(
            update(Agreement)
            .where(Agreement.id == candidate.id, *(getattr(Agreement, t).is_(None) for t in TERMS))
            .values(**asdict(record.terms))
        )

    def _plan(self, record: AgreementRecord) -> tuple[AgreementRecord, str]:
        return record, self._slug(record)

    def _slug(self, record: AgreementRecord) -> str:
        codes = "-".join(self.countries[country_id][0] for country_id in record.country_ids)
        primary, year = record.categories[0].value, record.signed.first_day.year
        suffix = slugify(record.slug_suffix)
        slug = unique_slug(slugify(f"{codes}-{primary}-{year}-{suffix}"), suffix, self.slugs)
        self.slugs.add(slug)
        return slug

    def _insert_new(
        self, planned: list[tuple[AgreementRecord, str]]
    ) -> list[tuple[AgreementRecord, int]]:
        if not planned:
            return []
        self.insert_rows(
            AGREEMENT_ROWS, [self._agreement_row(record, slug) for record, slug in planned]
        )
        ids = dict(
            self.session.execute(
                select(Agreement.slug, Agreement.id).where(
                    Agreement.slug.in_([slug for _, slug in planned])
                )
            ).all()
        )
        self.report.created += len(planned)
        return [(record, ids[slug]) for record, slug in planned]

    def _agreement_row(self, record: AgreementRecord, slug: str) -> dict[str, Any]:
        first, second = (self.countries[country_id][1] for country_id in record.country_ids)
        name = f"{first}-{second} {_NAMES[record.categories[0]]} ({record.signed.first_day.year})"
        return {
            "slug": slug,
            "name": name,
            "kind": record.kind,
            "signed_date": record.signed.first_day,
            "signed_precision": record.signed.precision,
            "in_force_date": record.in_force.first_day if record.in_force else None,
            "in_force_precision": record.in_force.precision if record.in_force else None,
            "ended_date": record.ended.first_day if record.ended else None,
            "ended_precision": record.ended.precision if record.ended else None,
            "description": record.description,
            "note": record.note,
            "certainty": Certainty.confirmed,
            **asdict(record.terms),
        }

    # --- what every agreement of a row needs, added where missing ------------------------

    def _complete(self, targets: list[tuple[AgreementRecord, int]]) -> None:
        missing = [
            (agreement_id, country_id)
            for record, agreement_id in targets
            for country_id in record.country_ids
            if (agreement_id, country_id) not in self.parties
        ]
        self._insert_parties(missing)
        cited = set(self.row_ids.items())
        citations: list[dict[str, Any]] = []
        categories: list[dict[str, Any]] = []
        for record, agreement_id in targets:
            locator = record.locator + self.merge_notes.get(record.locator, "")
            if (record.locator, agreement_id) not in cited:
                self.row_ids[record.locator] = agreement_id
                citations.append(self._citation(locator, agreement_id=agreement_id))
            for country_id in record.country_ids:
                party_id = self.parties[(agreement_id, country_id)]
                if (party_id, record.locator) not in self.party_citations:
                    self.party_citations.add((party_id, record.locator))
                    citations.append(self._citation(locator, party_id=party_id))
            for position, category in enumerate(record.categories, start=1):
                if (agreement_id, category) not in self.categories:
                    self.categories.add((agreement_id, category))
                    categories.append(
                        {"agreement_id": agreement_id, "category": category, "position": position}
                    )
        self.insert_rows(CITATIONS, citations)
        self.insert_rows(CATEGORY_ROWS, categories)

    def _insert_parties(self, missing: list[tuple[int, int]]) -> None:
        if not missing:
            return
        self.insert_rows(
            PARTIES,
            [
                {
                    "agreement_id": agreement_id,
                    "country_id": country_id,
                    # DCAD's asymmetry does not say which party provides: both are parties.
                    "role": PartyRole.party,
                    "certainty": Certainty.confirmed,
                }
                for agreement_id, country_id in missing
            ],
        )
        self._load_parties(AgreementParty.agreement_id.in_({a for a, _ in missing}))

    def _citation(self, locator: str, **target: int) -> dict[str, Any]:
        # One executemany takes rows of the same keys: both targets, one of them null.
        return self.citation_row(locator, **{"agreement_id": None, "party_id": None, **target})
