"""CLI: `flask run-lottery`, and the same step as a periodic job every minute; the cancellation hook."""

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
    """Attach the lottery command to the app's CLI, and put cancelled lottery bookings back to the reserve list."""
    from app.bookings.services import CANCEL_HOOKS
    from app.lottery.offers import release_cancelled_booking

    if release_cancelled_booking not in CANCEL_HOOKS:
        CANCEL_HOOKS.append(release_cancelled_booking)

    @app.cli.command("run-lottery")
    def run_lottery_command() -> None:
        """Publish commitments, close entries and run the weekend draws that are due (idempotent)."""
        done = lottery_tick()
        click.echo("; ".join(done) if done else "할 일이 없습니다")
