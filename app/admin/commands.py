"""`flask --app app create-user EMAIL --role parent|operator|admin [--facility ID ...] [--password ...]`."""

from __future__ import annotations

import sys

import click
from flask import Flask

from app.auth.models import ROLES
from app.timeutil import utcnow


def register(app: Flask) -> None:
    """Attach the account commands to the app's CLI."""
    app.cli.add_command(create_user_command)


def stdin_is_tty() -> bool:
    """Whether a person can be asked for the password."""
    return sys.stdin.isatty()


@click.command("create-user")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option(
    "--facility", "facilities", type=int, multiple=True, metavar="ID", help="Facility id an operator runs (repeatable)."
)
@click.option("--password", default=None, help="Prompted for (hidden) when omitted on a terminal.")
@click.option("--name", default=None, help="Display name (default: the part of EMAIL before @).")
def create_user_command(
    email: str, role: str, facilities: tuple[int, ...], password: str | None, name: str | None
) -> None:
    """Create an account; operators get the facilities given with --facility."""
    from app.admin.services import AdminError, create_user
    from app.database import unit_of_work
    from app.extensions import db

    if password is None:
        if not stdin_is_tty():
            click.echo("create-user: error: no --password given and no terminal to ask on.", err=True)
            sys.exit(2)
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        with unit_of_work():
            user = create_user(db.session, None, email, role, password, name, facilities, utcnow())
    except AdminError as exc:
        click.echo(f"create-user: error: {exc.message} Nothing was written.", err=True)
        sys.exit(1)
    assigned = ", ".join(str(f.id) for f in user.facilities) or "none"
    click.echo(f"created {user.role} {user.email} (id {user.id}); facilities: {assigned}")
