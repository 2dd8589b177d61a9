"""The `defcoop` command line: serve, migrate, seed, import, export, release, API keys."""

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script.revision import RevisionError
from sqlalchemy.orm import Session

from app.auth.keys import CLI_ACTOR, KeyCommandError, create_key, list_keys, revoke_key
from app.auth.models import Scope
from app.core import migrations
from app.core.commands import database_engine
from app.core.config import Settings
from app.core.db import session_factory
from app.curation import downgrades
from app.curation.downgrades import curation_dropped_at, forget_dropped_curation
from app.exporting import ExportError, ExportFormat, export
from app.imports.cli import import_cli
from app.releases.bundle import ReleaseError, write_release
from app.releases.load import load_release

cli = typer.Typer(help="defcoop: the defense-cooperation database and API.", no_args_is_help=True)
db_cli = typer.Typer(help="Database schema commands.", no_args_is_help=True)
keys_cli = typer.Typer(help="API keys for the write API.", no_args_is_help=True)
cli.add_typer(db_cli, name="db")
cli.add_typer(keys_cli, name="keys")
cli.add_typer(import_cli, name="import")


def alembic_config(settings: Settings) -> Config:
    return migrations.alembic_config(settings.database_url)


@db_cli.command("upgrade")
def db_upgrade(
    revision: Annotated[str, typer.Argument(help="Target revision")] = "head",
) -> None:
    """Migrate the database (DATABASE_URL) to a revision, by default the latest.

    Example: defcoop db upgrade
    """
    command.upgrade(alembic_config(Settings()), revision)
    typer.echo(f"database at {revision}")


@db_cli.command("downgrade", context_settings={"ignore_unknown_options": True})
def db_downgrade(
    revision: Annotated[str, typer.Argument(help="Target revision, e.g. -1 or base")],
    force: Annotated[
        bool, typer.Option("--force", help="Also when it drops curated data (back it up first)")
    ] = False,
) -> None:
    """Revert the database (DATABASE_URL) to an earlier revision.

    Reverting the curation revision drops the API keys, the audit trail and what marks
    curators' edits: refused without --force when there are any.

    Example: defcoop db downgrade -1
    """
    settings = Settings()
    engine = database_engine(settings, migrated=False)
    try:
        with engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_heads()
        undone = migrations.revisions_undone(settings.database_url, current, revision)
        destructive = migrations.CURATION_REVISION in undone
        if destructive:
            with session_factory(engine)() as session:
                destructive = downgrades.curation_records(session) > 0
    except RevisionError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(code=2) from None
    finally:
        engine.dispose()
    if destructive and not force:
        typer.echo(
            f"refused: downgrading to {revision} reverts revision {migrations.CURATION_REVISION}, "
            "which drops the API keys, the audit trail and the marks of curators' edits.\n"
            "Back up first (SQLite: sqlite3 var/defcoop.db '.backup var/before-downgrade.db'; "
            "PostgreSQL: pg_dump -Fc -f before-downgrade.dump DBNAME), then rerun with --force.",
            err=True,
        )
        raise typer.Exit(code=1)
    command.downgrade(alembic_config(settings), revision)
    typer.echo(f"database at {revision}")


@cli.command()
def seed(
    data_dir: Annotated[
        Path | None,
        typer.Option(
            "--data-dir",
            exists=True,
            file_okay=False,
            help="Folder of seed YAML files (default: the curated seed/data)",
        ),
    ] = None,
    over_dropped_curation: Annotated[
        bool,
        typer.Option(
            "--over-dropped-curation",
            help="Seed even though a downgrade dropped the curation history (reverts edits)",
        ),
    ] = False,
) -> None:
    """Load the curated seed data; running it again changes nothing.

    Example: DATABASE_URL=sqlite:///var/defcoop.db defcoop seed
    """
    from seed.loader import DATA_DIR, load_seed
    from seed.schemas import SeedError, read_seed

    try:
        data = read_seed(data_dir or DATA_DIR)  # the files first: a wrong one needs no database
    except SeedError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(code=2) from None
    engine = database_engine(Settings())
    try:
        with session_factory(engine).begin() as session:
            dropped_at = curation_dropped_at(session)
            if dropped_at is not None:
                if not over_dropped_curation:
                    typer.echo(f"seed: {downgrades.refusal(dropped_at)}", err=True)
                    return
                forget_dropped_curation(session)
            report = load_seed(session, data_dir or DATA_DIR, data)
    except SeedError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(code=2) from None
    finally:
        engine.dispose()
    if report.changed:
        created = ", ".join(f"{n} {table}" for table, n in sorted(report.created.items()))
        updated = ", ".join(f"{n} {table}" for table, n in sorted(report.updated.items()))
        removed = ", ".join(f"{n} {table}" for table, n in sorted(report.removed.items()))
        typer.echo(
            f"seeded: created {created or 'nothing'}; updated {updated or 'nothing'}"
            + (f"; removed {removed}" if removed else "")
        )
    else:
        typer.echo("seed data already loaded; nothing changed")
    if report.curated:
        kept = ", ".join(f"{n} {entity}" for entity, n in sorted(report.curated.items()))
        typer.echo(f"left as curators made them (changed or deleted through the API): {kept}")
    typer.echo(f"data version {report.data_version}")


@keys_cli.command("create")
def keys_create(
    name: Annotated[str, typer.Option(help="Unique name; recorded in the audit trail")],
    scope: Annotated[
        Scope, typer.Option(help="curator: write data; admin: also manage keys")
    ] = Scope.curator,
    expires_in_days: Annotated[
        int | None, typer.Option(min=1, max=3650, help="Expire after this many days")
    ] = None,
) -> None:
    """Create a key and print its secret, once: only its hash is stored.

    Example: defcoop keys create --name ana --scope curator --expires-in-days 90
    """
    engine = database_engine(Settings())
    try:
        with session_factory(engine).begin() as session:
            key, secret = create_key(
                session, name=name, scope=scope, by=CLI_ACTOR, expires_in_days=expires_in_days
            )
            expires = key.expires_at.isoformat() if key.expires_at else "never"
    except KeyCommandError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(code=1) from None
    finally:
        engine.dispose()
    typer.echo(f"created key {name!r} (scope {scope}, expires {expires})", err=True)
    typer.echo("the secret is shown only now; send it as the X-API-Key header:", err=True)
    typer.echo(secret)


@keys_cli.command("list")
def keys_list() -> None:
    """List keys: name, scope, prefix, created, expires, revoked (never the secret).

    Example: defcoop keys list
    """
    engine = database_engine(Settings())
    try:
        with session_factory(engine)() as session:
            keys = list_keys(session)
    finally:
        engine.dispose()

    def stamp(value: datetime | None) -> str:
        return value.isoformat(timespec="seconds") if value else "-"

    typer.echo("name\tscope\tprefix\tcreated_at\texpires_at\trevoked_at")
    for key in keys:
        typer.echo(
            f"{key.name}\t{key.scope}\t{key.prefix}\t{stamp(key.created_at)}\t"
            f"{stamp(key.expires_at)}\t{stamp(key.revoked_at)}"
        )


@keys_cli.command("revoke")
def keys_revoke(name: Annotated[str, typer.Argument(help="Name of the key")]) -> None:
    """Revoke a key at once; it stays listed (and in the audit trail).

    Example: defcoop keys revoke ana
    """
    engine = database_engine(Settings())
    try:
        with session_factory(engine).begin() as session:
            revoke_key(session, name, by=CLI_ACTOR)
    except KeyCommandError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(code=1) from None
    finally:
        engine.dispose()
    typer.echo(f"revoked key {name!r}")


@cli.command("export")
def export_command(
    path: Annotated[str, typer.Argument(help="API path, e.g. /v1/countries/IDN/partners")],
    param: Annotated[
        list[str] | None,
        typer.Option("--param", "-p", help="Query parameter as name=value; repeatable"),
    ] = None,
    output_format: Annotated[
        ExportFormat, typer.Option("--format", "-f", help="csv or json")
    ] = ExportFormat.csv,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write (default: stdout)")
    ] = None,
) -> None:
    """Export any list or query, every page of it, as CSV or JSON.

    Examples:

      defcoop export /v1/countries/IDN/partners -p threat=terrorism -o partners.csv

      defcoop export /v1/organizations/nato/members -p as_of=2024-03-07 -f json

      defcoop export /v1/network -p channel=exercise -p channel=agreement -p format=graphml

    A file the API answers itself (`-p format=graphml`, `-p format=csv`) is written as it comes.
    """
    # Every value of a repeated parameter is kept: `-p channel=exercise -p channel=agreement`.
    params: list[tuple[str, str]] = []
    for item in param or []:
        name, separator, value = item.partition("=")
        if not separator or not name:
            raise typer.BadParameter(f"expected name=value, got {item!r}", param_hint="--param")
        params.append((name, value))
    if not path.startswith("/"):
        raise typer.BadParameter("the path starts with /, e.g. /v1/countries", param_hint="PATH")
    database_engine(Settings()).dispose()
    try:
        if output is None:
            export(path, params, output_format, Settings(), sys.stdout)
            return
        # Written under a temporary name and renamed at the end: a failed export leaves no
        # half-written file behind.
        partial = output.with_name(output.name + ".part")
        try:
            with partial.open("w", encoding="utf-8", newline="") as out:
                export(path, params, output_format, Settings(), out)
            partial.replace(output)
        finally:
            partial.unlink(missing_ok=True)
    except ExportError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(code=1) from None
    typer.echo(f"wrote {output}", err=True)


@contextmanager
def release_session(*, write: bool) -> Iterator[Session]:
    """A session on DATABASE_URL (one transaction when `write`); a `ReleaseError` is one line
    and exit 1, the transaction rolled back."""
    engine = database_engine(Settings())
    factory = session_factory(engine)
    try:
        with factory.begin() if write else factory() as session:
            yield session
    except ReleaseError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(code=1) from None
    finally:
        engine.dispose()


@cli.command("release")
def release_command(
    out: Annotated[
        Path, typer.Argument(help="Folder to write the release in (created if need be)")
    ],
) -> None:
    """Write the whole database as a citable release: one CSV per public table and the
    dyad-years, a codebook, a Frictionless datapackage.json, CITATION.cff, the datasets'
    citations and SHA256SUMS, in OUT/defcoop-v<data version>-<date>/.

    Example: defcoop release releases/
    """
    started = time.perf_counter()
    with release_session(write=False) as session:
        release = write_release(session, out, date.today())
    typer.echo(
        f"wrote {release.folder}: data version {release.data_version}, {release.files} files, "
        f"{release.bytes:,} bytes in {time.perf_counter() - started:.1f} s"
    )


@cli.command("load-release")
def load_release_command(
    folder: Annotated[
        Path,
        typer.Argument(exists=True, file_okay=False, help="A release folder (defcoop release)"),
    ],
) -> None:
    """Load a release into an empty, migrated database (DATABASE_URL): its checksums are
    verified first, the ties derived from its facts, the data version is the release's.

    Example: defcoop db upgrade && defcoop load-release releases/defcoop-v6-2026-12-06
    """
    with release_session(write=True) as session:
        loaded = load_release(session, folder)
    typer.echo(f"loaded {sum(loaded.values()):,} rows of {len(loaded)} tables from {folder}")


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port", envvar="PORT")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes")] = 1,
    limit_concurrency: Annotated[
        int, typer.Option(help="Open connections per worker; beyond it, 503", min=1)
    ] = 1000,
    keep_alive: Annotated[
        int, typer.Option(help="Seconds an idle keep-alive connection stays open", min=1)
    ] = 5,
) -> None:
    """Serve the API (docs at /docs).

    Header size and count and the time a body may take are bounded by the app itself
    (MAX_HEADERS, MAX_HEADER_BYTES, BODY_TIMEOUT_SECONDS), whichever HTTP parser runs.

    Example: defcoop serve --port 8080 --workers 2
    """
    settings = Settings()
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        server_header=False,
        # Proxy headers are read by the failed-authentication limiter, from TRUSTED_PROXIES only.
        proxy_headers=False,
        limit_concurrency=limit_concurrency,
        timeout_keep_alive=keep_alive,
        # The h11 parser (used where httptools is not installed) buffers at most this much of an
        # unfinished request head; httptools has no such bound, the app's 431 applies to both.
        h11_max_incomplete_event_size=settings.max_header_bytes,
    )
