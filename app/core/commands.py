"""What every command line of defcoop (`defcoop ...`, `defcoop import ...`) does alike."""

import typer
from sqlalchemy.engine import Engine

from app.core import migrations
from app.core.config import Settings
from app.core.db import create_db_engine


def database_engine(settings: Settings, migrated: bool = True) -> Engine:
    """The engine of a database that exists (and, when `migrated`, is at the latest revision);
    otherwise one line on what is wrong and what to run, and exit 2, having created nothing."""
    try:
        migrations.check_database(settings, migrated)
    except migrations.DatabaseNotReady as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(code=2) from None
    return create_db_engine(settings)
