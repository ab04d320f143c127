"""CLI: `flask run-lottery`, and the same step as a periodic job every minute."""

from __future__ import annotations

import click
from flask import Flask

from app.timeutil import utcnow


def lottery_tick() -> list[str]:
    """Run every lottery step that is due (safe to run in several processes at once)."""
    from app.extensions import db
    from app.lottery.runner import run_lottery

    return run_lottery(db.session, utcnow())


def register(app: Flask) -> None:
    """Attach the lottery command to the app's CLI."""

    @app.cli.command("run-lottery")
    def run_lottery_command() -> None:
        """Publish commitments, close entries and run the weekend draws that are due (idempotent)."""
        done = lottery_tick()
        click.echo("; ".join(done) if done else "할 일이 없습니다")
