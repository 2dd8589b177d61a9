"""Which tables a release publishes, which it leaves out and why, and what each column is:
its type, codes and meaning, read from the models (SQLAlchemy) and the API's schemas
(Pydantic field descriptions). Nothing here is written by hand per column: a column no model
or schema describes is published as undescribed."""

import inspect
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, get_args, get_origin

from pydantic import BaseModel
from sqlalchemy import Boolean, Column, Date, Enum, Float, Integer, String, Table

import app.models  # noqa: F401  (every table registered on the metadata)
from app.agreements.schemas import (
    AgreementDetail,
    AgreementFields,
    AgreementTerms,
    Party,
    PartyFields,
)
from app.alliances.schemas import AllianceDetail, AllianceMemberOut, Target
from app.analytics.schemas import CowCodeOut, DyadYearOut
from app.core.db import Base, UtcDateTime
from app.countries.schemas import CountryDetail, CountryUpdate
from app.datasets.schemas import CoverageOut, DatasetOut, LastImport
from app.exercises.schemas import (
    EditionCreate,
    EditionFields,
    EditionOut,
    Participant,
    ParticipantFields,
    ParticipationRow,
    SeriesDetail,
    SeriesFields,
)
from app.operations.schemas import Contributor, ContributorFields, OperationDetail, OperationFields
from app.organizations.schemas import (
    MembershipPeriod,
    MembershipPeriodIn,
    OrganizationDetail,
    OrganizationFields,
)
from app.sources.schemas import CitationOut, SourceCreate, SourceDetail
from app.threats.schemas import (
    ResponseOut,
    ThreatDetail,
    ThreatFields,
    ThreatLinkOut,
    ThreatLinkPut,
)
from app.transfers.schemas import TransferDetail
from app.transfers.schemas import TransferParty as TransferPartyOut

# Left out of a release, each with its reason (the codebook lists them).
PRIVATE_TABLES = {
    "api_keys": "API keys (hashes of secrets): access control, not data",
    "audit_entries": "the audit trail of curators' writes: who wrote what, not data",
    "rate_limit_counters": "rate-limit counters of the write API",
    "data_state": "the data version, which names the release instead",
    "table_versions": "the data version at which each table last changed, for the caches",
    "network_figures": "network measures stored by graph fingerprint, a cache the API rebuilds",
}
DERIVED_TABLES = {
    "ties": "derived from the fact tables (memberships, participations, parties, "
    "contributions, transfer parties); rebuilt when a release is loaded",
    "partner_channels": "per-pair aggregates of the ties, rebuilt with them",
    "partner_threats": "per-pair aggregates of the ties, rebuilt with them",
    "partner_co_threats": "per-pair aggregates of the ties, rebuilt with them",
}
# The write API's concurrency marker (If-Match), not a fact: a loaded release starts at 0.
PRIVATE_COLUMNS = {"modified_in_version": "the write API's edit marker"}

UNDESCRIBED = "No description in the models or schemas."


@dataclass(frozen=True)
class FieldDoc:
    name: str
    type: str  # a Frictionless field type
    sql_type: str
    required: bool
    codes: tuple[str, ...]
    max_length: int | None
    description: str | None
    described_by: str | None  # where the description comes from, e.g. "CountryOut.cow_code"


@dataclass(frozen=True)
class ForeignKeyDoc:
    fields: tuple[str, ...]
    table: str
    columns: tuple[str, ...]


@dataclass(frozen=True)
class TableDoc:
    name: str
    description: str | None
    fields: tuple[FieldDoc, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKeyDoc, ...]
    table: Table | None  # None: not a table of the database (the dyad-years)


def public_tables() -> list[Table]:
    """The published tables, parents before children (the order a release loads in)."""
    left_out = PRIVATE_TABLES.keys() | DERIVED_TABLES.keys()
    return [table for table in Base.metadata.sorted_tables if table.name not in left_out]


def published_columns(table: Table) -> list[Column[object]]:
    return [column for column in table.columns if column.name not in PRIVATE_COLUMNS]


def _frictionless_type(column: Column[object]) -> str:
    kind = column.type
    if isinstance(kind, Boolean):
        return "boolean"
    if isinstance(kind, Integer):
        return "integer"
    if isinstance(kind, Float):
        return "number"
    if isinstance(kind, UtcDateTime):
        return "datetime"
    if isinstance(kind, Date):
        return "date"
    return "string"


def _mapped_classes() -> dict[str, type]:
    return {
        mapper.local_table.name: mapper.class_
        for mapper in Base.registry.mappers
        if isinstance(mapper.local_table, Table)
    }


# The API schemas that serve each table's rows, in the order their descriptions are read: a
# column is described by the first of their fields of its name that holds one value.
_THREAT_LINKS = (ThreatLinkOut, ThreatLinkPut)
DESCRIBED_BY: dict[str, tuple[type[BaseModel], ...]] = {
    "countries": (CountryDetail, CountryUpdate),
    "country_cow_codes": (CowCodeOut,),
    "sources": (SourceDetail, SourceCreate),
    "citations": (CitationOut,),
    "datasets": (DatasetOut, LastImport),
    "dataset_coverage": (CoverageOut,),
    "threat_categories": (ThreatDetail, ThreatFields),
    "threat_responses": (ResponseOut,),
    "response_threats": _THREAT_LINKS,
    "organizations": (OrganizationDetail, OrganizationFields),
    "memberships": (MembershipPeriod, MembershipPeriodIn),
    "organization_threats": _THREAT_LINKS,
    "exercise_series": (SeriesDetail, SeriesFields),
    "exercise_editions": (EditionOut, EditionFields, EditionCreate),
    "participations": (ParticipationRow, Participant, ParticipantFields),
    "edition_activities": (),
    "edition_domains": (),
    "edition_threats": _THREAT_LINKS,
    "agreements": (AgreementDetail, AgreementTerms, AgreementFields),
    "agreement_categories": (),
    "agreement_parties": (Party, PartyFields),
    "agreement_threats": _THREAT_LINKS,
    "operations": (OperationDetail, OperationFields),
    "contributions": (Contributor, ContributorFields),
    "contribution_months": (),
    "operation_threats": _THREAT_LINKS,
    "transfers": (TransferDetail,),
    "transfer_parties": (TransferPartyOut,),
    "transfer_threats": _THREAT_LINKS,
    "alliances": (AllianceDetail,),
    "alliance_members": (AllianceMemberOut,),
    "alliance_targets": (Target,),
}


def _scalar(annotation: Any) -> bool:
    """A field that holds one value (not an embedded record or a list), as a column does."""
    if inspect.isclass(annotation) and issubclass(annotation, BaseModel):
        return False
    if get_origin(annotation) in (list, dict, tuple, set):
        return False
    return all(_scalar(argument) for argument in get_args(annotation))


def describe(name: str, schemas: Sequence[type[BaseModel]]) -> tuple[str | None, str | None]:
    """The first description of a field `name` among the schemas, and where it comes from."""
    for schema in schemas:
        field = schema.model_fields.get(name)
        if field is not None and field.description and _scalar(field.annotation):
            return field.description, f"{schema.__name__}.{name}"
    return None, None


def table_doc(table: Table) -> TableDoc:
    model = _mapped_classes().get(table.name)
    schemas = DESCRIBED_BY.get(table.name, ())
    fields = []
    for column in published_columns(table):
        description, described_by = (column.doc or column.comment), None
        if description:
            described_by = "model"
        else:
            description, described_by = describe(column.name, schemas)
        kind = column.type
        fields.append(
            FieldDoc(
                name=column.name,
                type=_frictionless_type(column),
                sql_type=str(kind.compile()) if not isinstance(kind, Enum) else "ENUM",
                required=not column.nullable,
                codes=tuple(kind.enums) if isinstance(kind, Enum) else (),
                max_length=kind.length if isinstance(kind, String) else None,
                description=description,
                described_by=described_by,
            )
        )
    foreign_keys = tuple(
        ForeignKeyDoc(
            tuple(element.parent.name for element in constraint.elements),
            constraint.referred_table.name,
            tuple(element.column.name for element in constraint.elements),
        )
        for constraint in sorted(table.foreign_key_constraints, key=lambda c: list(c.column_keys))
    )
    doc = inspect.getdoc(model) if model is not None and model.__doc__ else None
    doc = doc or table.info.get("doc")  # a table with no class of its own
    return TableDoc(
        name=table.name,
        description=doc,
        fields=tuple(fields),
        primary_key=tuple(column.name for column in table.primary_key.columns),
        foreign_keys=foreign_keys,
        table=table,
    )


DYAD_YEARS = "dyad_years"
_DYAD_TYPES = {"country_a": "string", "country_b": "string", "threats": "string"}
_DYAD_REQUIRED = {"year", "country_a", "country_b"}
# The CSV's own cells where they are not the JSON's (a country is its ISO3 code, the threats
# one cell), and the year, which the schema leaves undescribed.
_DYAD_CELLS = {
    "year": "The calendar year",
    "country_a": "ISO3 code of one country of the pair: the lower of the two (the pair is "
    "undirected)",
    "country_b": "ISO3 code of the other country of the pair: the higher of the two",
    "threats": "Slugs of the threats the counted initiatives address that year "
    "(`threat_categories.slug`), joined by `;`; empty when none",
}


def dyad_years_doc(header: list[str]) -> TableDoc:
    """The dyad-year table, as `GET /v1/dyad-years?format=csv` publishes it (sparse)."""
    fields = []
    for name in header:
        description, described_by = describe(name, [DyadYearOut])
        if name in _DYAD_CELLS:
            description, described_by = _DYAD_CELLS[name], None
        kind = _DYAD_TYPES.get(name, "integer")
        fields.append(
            FieldDoc(
                name=name,
                type=kind,
                sql_type="TEXT" if kind == "string" else "INTEGER",
                required=name in _DYAD_REQUIRED,
                codes=(),
                max_length=None,
                description=description,
                described_by=described_by,
            )
        )
    return TableDoc(
        name=DYAD_YEARS,
        description=(
            "One row per country pair and year with at least one active tie (sparse: a "
            "missing pair-year is not a zero), as GET /v1/dyad-years answers it, over the "
            "years from the first tie to the release year."
        ),
        fields=tuple(fields),
        primary_key=("country_a", "country_b", "year"),
        foreign_keys=(
            ForeignKeyDoc(("country_a",), "countries", ("iso3",)),
            ForeignKeyDoc(("country_b",), "countries", ("iso3",)),
        ),
        table=None,
    )
