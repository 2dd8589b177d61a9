"""The seed files, read as the write API's input schemas.

Each seed entry is validated by the schema of the API route that would create it (so a
field, its bounds and its default are declared once, in `app/*/schemas.py`); the classes here
only adapt the shape a seed file is written in:

- a partial date is one string, `founded: "1967-08"`, where the API takes `founded_date`
  (the first day) and `founded_precision`;
- a citation may be a bare source id, `sources: [article]`;
- a series lists its editions and an organization its members, and a nested fact without
  `sources` cites its parent's;
- threat responses and the country extras have no write route: their schemas are built from
  the same field types.

A file that does not fit is refused as a whole, before anything is written, with one line per
problem naming the file, the entry and the field.
"""

from copy import copy
from datetime import date
from pathlib import Path
from typing import Annotated, Any, ClassVar

import yaml
from pydantic import AfterValidator, BaseModel, Field, ValidationError, model_validator
from pydantic_core import ErrorDetails

from app.agreements.schemas import AgreementCreate, PartyIn
from app.cooperation.models import TieChannel
from app.core.inputs import CountryCodeIn, Description, Input, Note, SlugIn, Threats, listed_twice
from app.core.params import IsoDate
from app.core.periods import DatePrecision, parse_partial_date
from app.countries.models import CountryKind
from app.countries.schemas import CountryName, CountryUpdate
from app.exercises.schemas import EditionCreate, SeriesCreate
from app.operations.schemas import ContributorIn, OperationCreate
from app.organizations.schemas import MembershipPeriodIn, OrganizationCreate
from app.sources.schemas import SourceCreate, Sources
from app.threats.models import Channel
from app.threats.schemas import ThreatCreate, ThreatName


class SeedError(ValueError):
    """The seed files contradict themselves or the schema; nothing was written."""


class SeedEntry(BaseModel):
    """The seed files' way of writing partial dates and citations, for any input schema."""

    # The partial dates of the entry: seed-file key -> the API's field prefix.
    partial_dates: ClassVar[dict[str, str]] = {}

    @model_validator(mode="before")
    @classmethod
    def _from_seed_file(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        for key, prefix in cls.partial_dates.items():
            for field in (f"{prefix}_date", f"{prefix}_precision"):
                if field in data:
                    raise ValueError(f"{field}: unknown field (seed files write `{key}`)")
            value = data.pop(key, None)
            if value is None:
                continue
            try:
                data[f"{prefix}_date"], data[f"{prefix}_precision"] = parse_partial_date(value)
            except (TypeError, ValueError) as error:
                raise ValueError(f"{key}: {error}") from None
        if isinstance(data.get("sources"), list):
            data["sources"] = [
                {"source": citation} if isinstance(citation, str) else citation
                for citation in data["sources"]
            ]
        return data


def _as_in(schema: type[BaseModel], name: str) -> Any:
    """The bounds, default and description of an API field, for a seed field of the same name
    whose type is adapted (a list of seed entries rather than of the API's items)."""
    return copy(schema.model_fields[name])


_PERIOD = {"start": "start", "end": "end"}
Iso3 = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]


class SourceEntry(SeedEntry, SourceCreate):
    partial_dates = {"published": "published"}


# What a dataset's coverage can be about: a tie channel, or the reference list of countries.
COVERAGE_SUBJECTS = frozenset({*TieChannel, "countries"})


class CoverageEntry(Input):
    """The years over which a dataset records one channel's facts."""

    channel: str = Field(description="A tie channel, or `countries`")
    starts: IsoDate
    ends: IsoDate
    what: Note

    @model_validator(mode="after")
    def _known_and_ordered(self) -> "CoverageEntry":
        if self.channel not in COVERAGE_SUBJECTS:
            raise ValueError(f"channel: {self.channel!r} is none of {sorted(COVERAGE_SUBJECTS)}")
        if self.ends < self.starts:
            raise ValueError("ends: before starts")
        return self


class DatasetEntry(Input):
    """A research dataset: its Source (`id`, in sources.yaml) and what the citation cannot say."""

    id: SlugIn
    name: Annotated[str, Field(min_length=1, max_length=200)]
    version: Annotated[str, Field(min_length=1, max_length=40)]
    citation: Annotated[str, Field(min_length=1, max_length=1000)]
    terms: Annotated[str, Field(min_length=1, max_length=1000)]
    provenance: Annotated[str, Field(min_length=1, max_length=1000)]
    bundled_path: str | None = Field(
        default=None, description="The file in the repository; null for user-supplied data"
    )
    coverage: list[CoverageEntry] = Field(min_length=1)


class ThreatEntry(SeedEntry, ThreatCreate):
    pass


class ResponseEntry(SeedEntry, Input):
    """A way of cooperating against threats (read-only in the API: only the seed writes it)."""

    slug: SlugIn
    name: ThreatName
    name_id: ThreatName
    channel: Channel
    description: Description | None = None
    threats: Threats
    sources: Sources


class MemberEntry(SeedEntry, MembershipPeriodIn):
    partial_dates = _PERIOD

    country: CountryCodeIn
    # Default: the organization's sources.
    sources: Sources | None = None  # type: ignore[assignment]


class ThreatDate(SeedEntry):
    """When an initiative took up (or dropped) a threat in `threats`, and the source saying so;
    a threat without one is undated: it holds from the initiative's start (issue 15)."""

    partial_dates = {"start": "start", "end": "end"}

    threat: SlugIn
    start_date: date
    start_precision: DatePrecision
    end_date: date | None = None
    end_precision: DatePrecision | None = None
    source: str
    locator: str


class OrganizationEntry(SeedEntry, OrganizationCreate):
    partial_dates = {"founded": "founded", "ended": "ended"}

    # Linked through routes of their own in the API.
    threats: Threats = []
    threat_dates: list[ThreatDate] = []
    members: list[MemberEntry] = []


class EditionEntry(SeedEntry, EditionCreate):
    partial_dates = _PERIOD

    # Default: the series' sources.
    sources: Sources | None = None  # type: ignore[assignment]


class SeriesEntry(SeedEntry, SeriesCreate):
    editions: list[EditionEntry] = _as_in(SeriesCreate, "editions")  # type: ignore[assignment]


class PartyEntry(SeedEntry, PartyIn):
    partial_dates = _PERIOD


class AgreementEntry(SeedEntry, AgreementCreate):
    partial_dates = {"signed": "signed", "in_force": "in_force", "ended": "ended"}

    parties: list[PartyEntry] = _as_in(AgreementCreate, "parties")  # type: ignore[assignment]


class ContributorEntry(SeedEntry, ContributorIn):
    partial_dates = {**_PERIOD, "as_of": "personnel_as_of"}


class OperationEntry(SeedEntry, OperationCreate):
    partial_dates = _PERIOD

    contributors: list[ContributorEntry] = _as_in(  # type: ignore[assignment]
        OperationCreate, "contributors"
    )


class ExtraCountry(Input):
    """A state ISO 3166-1 lacks (a historical one, or Kosovo)."""

    iso3: Iso3
    iso2: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    numeric_code: str | None = Field(default=None, pattern=r"^[0-9]{3}$")
    cow_code: int | None = Field(default=None, strict=True, ge=1)
    name: CountryName
    name_id: CountryName
    official_name: str | None = _as_in(CountryUpdate, "official_name")
    kind: CountryKind
    region: str | None = None
    subregion: str | None = None
    valid_from: IsoDate | None = None
    valid_until: IsoDate | None = None
    note: str | None = _as_in(CountryUpdate, "note")


class CowStates(Input):
    """Where the dated COW codes come from (app/imports/cow_states.py says how they are read)."""

    file: str = Field(min_length=1, description="The state list, relative to the seed folder")
    source: SlugIn = Field(description="The source every dated code cites")
    # A code a country carried before its current one (260: DEU continues the Federal Republic).
    earlier_codes: dict[Annotated[int, Field(strict=True, ge=1)], Iso3] = Field(default={})


class CountryExtras(Input):
    """What the seed adds to the countries of pycountry and country-converter."""

    cow_code_overrides: dict[Iso3, Annotated[int, Field(strict=True, ge=1)]] = Field(default={})
    name_overrides: dict[Iso3, CountryName] = Field(default={})
    name_id_overrides: dict[Iso3, CountryName] = Field(default={})
    country_notes: dict[Iso3, Note] = Field(default={})
    extra_countries: list[ExtraCountry] = Field(default=[])
    cow_states: CowStates | None = None


def _unique(key: str) -> AfterValidator:
    """Entries with one key would silently become one row, the last overwriting the others."""

    def check(entries: list[Any]) -> list[Any]:
        error = listed_twice((getattr(entry, key) for entry in entries), key)
        if error:
            raise ValueError(error)
        return entries

    return AfterValidator(check)


class SeedData(Input):
    """Every seed file: a field `things` is read from `things.yaml` (an empty file, no entries)."""

    countries: CountryExtras = Field(default=CountryExtras())
    sources: Annotated[list[SourceEntry], _unique("id")] = Field(default=[])
    threats: Annotated[list[ThreatEntry], _unique("slug")] = Field(default=[])
    responses: Annotated[list[ResponseEntry], _unique("slug")] = Field(default=[])
    organizations: Annotated[list[OrganizationEntry], _unique("slug")] = Field(default=[])
    exercises: Annotated[list[SeriesEntry], _unique("slug")] = Field(default=[])
    agreements: Annotated[list[AgreementEntry], _unique("slug")] = Field(default=[])
    operations: Annotated[list[OperationEntry], _unique("slug")] = Field(default=[])
    datasets: Annotated[list[DatasetEntry], _unique("id")] = Field(default=[])


def read_seed(data_dir: Path) -> SeedData:
    """Read and validate every seed file; SeedError lists every problem in any of them."""
    problems: list[str] = []
    files: dict[str, Any] = {}
    for stem in SeedData.model_fields:
        name = f"{stem}.yaml"
        try:
            with (data_dir / name).open(encoding="utf-8") as handle:
                content = yaml.safe_load(handle)
        except OSError as error:
            problems.append(f"{name}: cannot be read ({error.strerror})")
        except yaml.YAMLError as error:
            problems.append(f"{name}: not valid YAML ({error})")
        else:
            if content is not None:
                files[stem] = content
    try:
        data = SeedData.model_validate(files)
    except ValidationError as error:
        problems += [_describe(files, detail) for detail in error.errors()]
    if problems:
        raise SeedError("\n".join(problems))
    return data


def _describe(files: dict[str, Any], detail: ErrorDetails) -> str:
    """`organizations.yaml: organization nato, members[2] (IDN): role: message`."""
    stem, *loc = detail["loc"]
    what = str(stem).removesuffix("s")  # an entry of organizations.yaml is an organization
    where: list[str] = []
    path: list[str] = []  # the field names since the last entry of a list
    node = files.get(str(stem))
    for step in loc:
        if isinstance(step, str):
            path.append(step)
            node = node.get(step) if isinstance(node, dict) else None
            continue
        node = node[step] if isinstance(node, list) and 0 <= step < len(node) else None
        key = _key(node)
        if path:
            where.append(f"{'.'.join(path)}[{step}]" + (f" ({key})" if key else ""))
        else:
            where.append(f"{what} {key}" if key else f"{what} #{step + 1}")
        path = []
    if detail["type"] == "extra_forbidden":
        message = "unknown field"
    else:
        message = detail["msg"].removeprefix("Value error, ")
    parts = [f"{stem}.yaml", ", ".join(where), ".".join(path), message]
    return ": ".join(part for part in parts if part)


def _key(entry: Any) -> str | None:
    """What names an entry of a seed file in a message."""
    if not isinstance(entry, dict):
        return None
    for name in ("slug", "id", "iso3", "country", "organization", "year"):
        if entry.get(name) is not None:
            return str(entry[name])
    return None
