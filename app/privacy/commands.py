"""CLI: `flask --app app purge-personal-data` (the daily job calls purge.purge_personal_data directly)."""

from __future__ import annotations

import click
from flask import Flask

from app.timeutil import utcnow


def register(app: Flask) -> None:
    """Attach the personal-data commands to the app's CLI."""

    @app.cli.command("purge-personal-data")
    def purge_command() -> None:
        """Anonymise old bookings, erase deleted accounts, drop old access-log entries (counts are recorded)."""
        from app.database import unit_of_work
        from app.extensions import db
        from app.privacy.purge import purge_personal_data

        with unit_of_work():
            counts = purge_personal_data(db.session, utcnow())
        click.echo(
            "예약 익명 처리 {bookings_anonymised}건, 탈퇴 계정 파기 {accounts_erased}건, "
            "열람 기록 삭제 {access_log_deleted}건, 현장 접수 아이 삭제 {walk_in_children_deleted}건".format(**counts)
        )
