"""CLI: `flask --app app purge-personal-data`, the same run as the daily job (purge.daily_purge)."""

from __future__ import annotations

import click
from flask import Flask


def register(app: Flask) -> None:
    """Attach the personal-data commands to the app's CLI."""

    @app.cli.command("purge-personal-data")
    def purge_command() -> None:
        """Anonymise old bookings, erase deleted accounts, drop old access-log entries (counts are recorded)."""
        from app.privacy.purge import daily_purge

        counts = daily_purge()
        click.echo(
            "예약 익명 처리 {bookings_anonymised}건, 탈퇴 계정 파기 {accounts_erased}건, "
            "열람 기록 삭제 {access_log_deleted}건, 현장 접수 아이 삭제 {walk_in_children_deleted}건, "
            "알림 기록 삭제 {notifications_deleted}건".format(**counts)
        )
