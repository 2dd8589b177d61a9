"""The `defcoop` command line: serve, migrate, seed."""

from typing import Annotated

import typer
import uvicorn
from alembic import command
from alembic.config import Config

from app.core.config import PROJECT_ROOT, Settings
from app.core.db import create_db_engine, session_factory

cli = typer.Typer(help="defcoop: the defense-cooperation database and API.", no_args_is_help=True)
db_cli = typer.Typer(help="Database schema commands.", no_args_is_help=True)
cli.add_typer(db_cli, name="db")


def alembic_config(settings: Settings) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("sqlalchemy.url", settings.database_url.replace("%", "%%"))
    return config


@db_cli.command("upgrade")
def db_upgrade(
    revision: Annotated[str, typer.Argument(help="Target revision")] = "head",
) -> None:
    """Migrate the database (DATABASE_URL) to a revision, by default the latest.

    Example: defcoop db upgrade
    """
    command.upgrade(alembic_config(Settings()), revision)
    typer.echo(f"database at {revision}")


@db_cli.command("downgrade")
def db_downgrade(
    revision: Annotated[str, typer.Argument(help="Target revision, e.g. -1 or base")],
) -> None:
    """Revert the database (DATABASE_URL) to an earlier revision.

    Example: defcoop db downgrade -1
    """
    command.downgrade(alembic_config(Settings()), revision)
    typer.echo(f"database at {revision}")


@cli.command()
def seed() -> None:
    """Load the curated seed data; running it again changes nothing.

    Example: DATABASE_URL=sqlite:///var/defcoop.db defcoop seed
    """
    from seed.loader import SeedError, load_seed

    engine = create_db_engine(Settings())
    try:
        with session_factory(engine).begin() as session:
            report = load_seed(session)
    except SeedError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(code=2) from None
    finally:
        engine.dispose()
    if report.changed:
        created = ", ".join(f"{n} {table}" for table, n in sorted(report.created.items()))
        updated = ", ".join(f"{n} {table}" for table, n in sorted(report.updated.items()))
        typer.echo(f"seeded: created {created or 'nothing'}; updated {updated or 'nothing'}")
    else:
        typer.echo("seed data already loaded; nothing changed")
    typer.echo(f"data version {report.data_version}")


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port", envvar="PORT")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes")] = 1,
) -> None:
    """Serve the API (docs at /docs).

    Example: defcoop serve --port 8080 --workers 2
    """
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        server_header=False,
        proxy_headers=False,
    )
