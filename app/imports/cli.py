"""`defcoop import ...`: load a research dataset into the database (DATABASE_URL)."""

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy.exc import OperationalError

from app.core.commands import database_engine
from app.core.config import Settings
from app.core.db import create_db_engine, session_factory
from app.curation.downgrades import curation_dropped_at, refusal
from app.imports.atop import AtopAdapter
from app.imports.base import (
    DatasetAdapter,
    UnresolvedNames,
    file_checksum,
    run_import,
    total_steps,
)
from app.imports.cow_alliances import cross_check, read_cow
from app.imports.cow_igo import CowIgoAdapter
from app.imports.dcad import DcadAdapter
from app.imports.ipi import IpiAdapter
from app.imports.mme import MmeAdapter
from app.imports.report import ImportFailed, ImportReport
from app.imports.sipri import SipriAdapter

import_cli = typer.Typer(help="Import research datasets.", no_args_is_help=True)

DatasetPath = Annotated[
    Path,
    typer.Argument(exists=True, dir_okay=False, readable=True, help="The dataset file"),
]
DatasetFolder = Annotated[
    Path,
    typer.Argument(
        exists=True, file_okay=False, readable=True, help="The folder of the dataset's files"
    ),
]
SkipUnresolved = Annotated[
    bool,
    typer.Option(
        "--skip-unresolved",
        help="Import rows even if some participant names resolve to no country; "
        "those participants are left out and listed in the report.",
    ),
]


@import_cli.command("mme")
def import_mme(path: DatasetPath, skip_unresolved: SkipUnresolved = False) -> None:
    """Import the Multinational Military Exercises dataset, version 7 (MME v7).

    Every row becomes an exercise edition with its participants, cited as MME v7 with its
    MMEID. Running it again on the same file changes nothing.

    Example: defcoop import mme seed/datasets/mme_v7.csv
    """
    report = _import(MmeAdapter(), path, skip_unresolved)
    for line in report.summary_lines():
        typer.echo(line)


@import_cli.command("dcad")
def import_dcad(path: DatasetPath) -> None:
    """Import the Defense Cooperation Agreement Dataset, version 1.0 (DCAD, Kinne 2020).

    Every row becomes a bilateral agreement with its two parties (COW codes read on the day
    it entered into force, else was signed), dates with their precision, categories and
    terms, cited as DCAD 1.0 with its DCAid; a row that is a curated agreement is merged into
    it. Running it again on the same file changes nothing.

    Example: defcoop import dcad seed/datasets/dcad-1.0/DCAD-v1.0-main.csv
    """
    report = _import(DcadAdapter(), path, skip_unresolved=False)
    for line in report.summary_lines():
        typer.echo(line)


@import_cli.command("sipri")
def import_sipri(path: DatasetPath, skip_unresolved: SkipUnresolved = False) -> None:
    """Import your own export of SIPRI's arms-transfers trade register (CSV).

    SIPRI's data may not be redistributed, so none is bundled: export the trade register as
    CSV from the SIPRI Arms Transfers Database (armstransfers.sipri.org, "Trade registers")
    and import the file. Every row becomes a transfer from its supplier to its recipient,
    cited with its supplier, recipient, order year and weapon designation. Rows naming no
    state (non-state actors, organizations, unknown suppliers) are rejected with the reason.
    Running it again on the same file changes nothing; a newer export updates the rows
    imported before. Information from the SIPRI Arms Transfers Database.

    Example: defcoop import sipri ~/Downloads/trade-register.csv
    """
    report = _import(SipriAdapter(), path, skip_unresolved)
    for line in report.summary_lines():
        typer.echo(line)


@import_cli.command("ipi-peacekeeping")
def import_ipi_peacekeeping(path: DatasetFolder, skip_unresolved: SkipUnresolved = False) -> None:
    """Import IPI's Providing for Peacekeeping files (Perry & Smith 2013): UN missions and
    their contributors, month by month.

    The folder holds missions.json, mission_months_1990_2017.csv and
    contributions_2009_2014.csv. Every mission becomes an operation (curated ones are merged),
    and every contributor's run of consecutive months in a mission a contribution with its
    monthly personnel, cited with the file's rows. Running it again changes nothing.

    Example: defcoop import ipi-peacekeeping seed/datasets/ipi-peacekeeping
    """
    report = _import(IpiAdapter(), path, skip_unresolved)
    for line in report.summary_lines():
        typer.echo(line)


@import_cli.command("cow-igo")
def import_cow_igo(path: DatasetPath, skip_unresolved: SkipUnresolved = False) -> None:
    """Import the security IGOs of Correlates of War IGO v3 (igo_year_format3.csv.gz).

    Only the IGOs listed in seed/data/cow_igo_security.yaml are imported; their yearly rows
    become membership spells cited as COW IGO v3 with the IGO, state column and years, and
    merge with the curated organizations (curated dates win, disagreements are reported).
    Every other row is rejected with its reason. Running it again changes nothing.

    Example: defcoop import cow-igo seed/datasets/cow-igo-3/igo_year_format3.csv.gz
    """
    report = _import(CowIgoAdapter(), path, skip_unresolved)
    for line in report.summary_lines():
        typer.echo(line)


@import_cli.command("atop")
def import_atop(path: DatasetFolder) -> None:
    """Import the Alliance Treaty Obligations and Provisions dataset, version 5.1 (ATOP).

    Reads atop5_1a.csv (alliances) and atop5_1m.csv (members) from the folder. Every alliance
    is stored with its member spells and their obligations; members are tied through the
    curated agreement or organization of the same treaty (seed/data/atop_names.yaml), merged
    into it with the curated dates kept and each disagreement reported, or through an
    agreement the import creates. Running it again on the same files changes nothing.

    Example: defcoop import atop seed/datasets/atop-5.1
    """
    report = _import(AtopAdapter(), path, skip_unresolved=False)
    for line in report.summary_lines():
        typer.echo(line)


@import_cli.command("cow-alliances")
def import_cow_alliances(path: DatasetPath) -> None:
    """Check the ATOP alliances in the database against COW Formal Alliances v4.1.

    Reads alliance_v4.1_by_member.csv and compares each member row with the ATOP alliance
    that links to it (cow4id): members, first and last years. Lists every disagreement and
    writes nothing: the two datasets code the same treaties, so COW is not a second copy.

    Example: defcoop import cow-alliances seed/datasets/cow-alliance-4.1/alliance_v4.1_by_member.csv
    """
    engine = create_db_engine(Settings())
    try:
        with session_factory(engine).begin() as session:
            check = cross_check(session, read_cow(path))
    except ImportFailed as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(code=1) from None
    finally:
        engine.dispose()
    for line in check.lines():
        typer.echo(line)


def _import(adapter: DatasetAdapter[Any], path: Path, skip_unresolved: bool) -> ImportReport:
    """Run one import in one transaction; on any refusal, exit non-zero having written nothing."""
    settings = Settings()
    try:
        rows = adapter.read(path)  # the file first: a wrong one needs no database
    except ImportFailed as error:
        typer.echo(f"error: {error}; nothing was imported", err=True)
        raise typer.Exit(code=1) from None
    engine = database_engine(settings)
    try:
        with (
            session_factory(engine).begin() as session,
            typer.progressbar(
                length=total_steps(rows), label=f"importing {adapter.source_id}", file=sys.stderr
            ) as bar,
        ):
            dropped_at = curation_dropped_at(session)
            if dropped_at is not None:
                typer.echo(f"import: {refusal(dropped_at)}", err=True)
                raise typer.Exit(code=0)
            return run_import(
                session,
                adapter,
                rows,
                checksum=file_checksum(path),
                skip_unresolved=skip_unresolved,
                progress=bar.update,
            )
    except UnresolvedNames as error:
        typer.echo(f"error: {error}; nothing was imported:", err=True)
        for line in error.report.unresolved_lines():
            typer.echo(line, err=True)
        typer.echo(
            "Add them to seed/data/country_aliases.yaml, or pass --skip-unresolved.", err=True
        )
        raise typer.Exit(code=1) from None
    except ImportFailed as error:
        typer.echo(f"error: {error}; nothing was imported", err=True)
        raise typer.Exit(code=1) from None
    except OperationalError as error:
        if "locked" not in str(error).lower():
            raise
        typer.echo(
            "error: the database is locked by another import or write; nothing was imported",
            err=True,
        )
        raise typer.Exit(code=1) from None
    finally:
        engine.dispose()
