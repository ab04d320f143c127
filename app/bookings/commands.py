"""CLI: `flask --app app generate-slots [--weeks N]`."""

from __future__ import annotations

import click
from flask import Flask, current_app

from app.timeutil import KST, utcnow


def register(app: Flask) -> None:
    """Attach the booking commands to the app's CLI."""

    @app.cli.command("generate-slots")
    @click.option("--weeks", default=4, show_default=True, type=click.IntRange(1, 52), help="몇 주 앞까지")
    @click.option("--facility", "facility_ids", multiple=True, type=int, help="이 시설만 (반복 가능)")
    def generate_slots_command(weeks: int, facility_ids: tuple[int, ...]) -> None:
        """Create the missing booking slots (idempotent; skips closures and public holidays)."""
        from app.bookings.schedule import generate_slots
        from app.database import unit_of_work
        from app.extensions import db

        today = utcnow().astimezone(KST).date()
        fallback = current_app.config["BOOKING_FALLBACK_CAPACITY"]
        with unit_of_work():
            created = generate_slots(db.session, today, weeks, fallback, list(facility_ids) or None)
        click.echo(f"{created}개 시간대를 만들었습니다 ({today} 부터 {weeks}주)")
