"""How long personal data is kept: the settings (app/config.py) turned into cut-off moments for a given `now`.

The purge and the /privacy page read the same settings through here, so the page says what the code does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from dateutil.relativedelta import relativedelta
from flask import current_app


@dataclass(frozen=True)
class Retention:
    """The retention settings: booking months, days before a deleted account is erased, access-log months."""

    booking_months: int
    erase_days: int
    access_log_months: int

    @classmethod
    def from_config(cls, config=None) -> Retention:
        config = config if config is not None else current_app.config
        return cls(
            config["BOOKING_RETENTION_MONTHS"],
            config["DELETED_ACCOUNT_ERASE_DAYS"],
            config["ACCESS_LOG_RETENTION_MONTHS"],
        )

    def bookings_cutoff(self, now: datetime) -> datetime:
        """Bookings that ended before this are anonymised."""
        return now - relativedelta(months=self.booking_months)  # calendar months: 31 May → 30 Nov

    def accounts_cutoff(self, now: datetime) -> datetime:
        """Accounts deleted before this are erased."""
        return now - timedelta(days=self.erase_days)

    def access_log_cutoff(self, now: datetime) -> datetime:
        """Access-log entries written before this are deleted."""
        return now - relativedelta(months=self.access_log_months)
