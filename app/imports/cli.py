"""`defcoop import ...`: load a research dataset into the database (DATABASE_URL)."""

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy.exc import OperationalError

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
from app.imports.mme import MmeAdapter
from app.imports.report import ImportFailed, ImportReport

import_cli = typer.Typer(help="Import research datasets.", no_args_is_help=True)

DatasetPath = Annotated[
    Path,
    typer.Argument(exists=True, dir_okay=False, readable=True, help="The dataset file"),
]
DatasetFolder = Annotated[
    Path,
    typer.Argument(exists=True, file_okay=False, readable=True, help="The dataset's folder"),
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
    engine = create_db_engine(Settings())
    try:
        rows = adapter.read(path)
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
