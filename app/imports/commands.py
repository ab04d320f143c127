"""CLI commands for loading data: `flask --app app import-data [DIR]` and `flask --app app load-demo`."""

from __future__ import annotations

import sys
import time

import click
from flask import Flask, current_app

from app.timeutil import utcnow

EXIT_NO_DATA = 2


def register(app: Flask) -> None:
    """Attach the import commands to the app's CLI."""
    app.cli.add_command(import_data_command)
    app.cli.add_command(load_demo_command)


@click.command("import-data")
@click.argument("directory", required=False)
@click.option(
    "--source-crs",
    default=None,
    metavar="EPSG:XXXX",
    help="CRS of Korean TM coordinates (default: guessed by magnitude, EPSG:5174).",
)
@click.option(
    "--complete",
    is_flag=True,
    help="Each file is the complete list of its source: flag stored rows it no longer lists as not_in_source.",
)
@click.option("--quiet", is_flag=True, help="No progress bars.")
def import_data_command(directory: str | None, source_crs: str | None, complete: bool, quiet: bool) -> None:
    """Import the facility files in DIRECTORY (default NADEURI_DATA_DIR) in one transaction.

    Rows a file does not list are left alone unless --complete says the files are the whole lists.
    """
    from app.database import unit_of_work
    from app.extensions import db
    from app.imports.service import NoDataError, import_directory
    from app.imports.sources import ImportDataError

    folder = directory or current_app.config["NADEURI_DATA_DIR"]
    try:
        with unit_of_work():  # all or nothing: a bad file leaves the database unchanged
            report = import_directory(
                db.session, folder, utcnow(), source_crs=source_crs, progress=not quiet, complete=complete
            )
    except NoDataError as exc:
        click.echo(f"import-data: {exc}. Nothing imported (use `flask --app app load-demo` for demo data).", err=True)
        sys.exit(EXIT_NO_DATA)
    except ImportDataError as exc:
        click.echo(f"import-data: error: {exc}", err=True)
        click.echo("import-data: nothing was imported; the database is unchanged.", err=True)
        sys.exit(1)
    for line in report.lines():
        click.echo(line)
    if report.all_unchanged:
        click.echo("all unchanged")


@click.command("load-demo")
@click.option("--count", default=2000, show_default=True, type=click.IntRange(1, 1_000_000))
@click.option("--seed", default=1, show_default=True, type=int)
def load_demo_command(count: int, seed: int) -> None:
    """Replace the demo facilities with COUNT generated ones (deterministic for a SEED)."""
    from app.database import unit_of_work
    from app.extensions import db
    from app.imports.demo import insert_demo

    started = time.perf_counter()
    with unit_of_work():
        made = insert_demo(db.session, count, seed)
    click.echo(f"demo facilities: {made} inserted ({time.perf_counter() - started:.1f} s)")
