"""PersonalDataPurge: what one run of the personal-data purge did (counts only, never whose data)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.timeutil import UTCDateTime


class PersonalDataPurge(db.Model):
    """One run of `purge_personal_data` (the CLI or the daily job)."""

    __tablename__ = "personal_data_purges"

    id: Mapped[int] = mapped_column(primary_key=True)
    ran_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    bookings_anonymised: Mapped[int] = mapped_column(Integer, default=0)
    accounts_erased: Mapped[int] = mapped_column(Integer, default=0)
    access_log_deleted: Mapped[int] = mapped_column(Integer, default=0)
    walk_in_children_deleted: Mapped[int] = mapped_column(Integer, default=0)
    notifications_deleted: Mapped[int] = mapped_column(Integer, default=0)
