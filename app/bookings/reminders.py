"""Reminders at 18:00 (Seoul) the day before: one per confirmed booking starting tomorrow (periodic job)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.bookings.choices import BookingStatus
from app.bookings.models import Booking
from app.bookings.rules import kst_day
from app.bookings.schedule import at_kst
from app.database import unit_of_work
from app.extensions import db
from app.notifications import notify
from app.timeutil import utcnow


def send_reminders(session: Session, now: datetime) -> int:
    """Write tomorrow's reminders (parents who turned them off get none; a second run adds nothing)."""
    tomorrow = kst_day(now) + timedelta(days=1)
    bookings = session.scalars(
        select(Booking)
        .where(
            Booking.status == BookingStatus.CONFIRMED,
            Booking.user_id.is_not(None),  # an anonymised booking has nobody to remind
            Booking.starts_at >= at_kst(tomorrow, "00:00"),
            Booking.starts_at < at_kst(tomorrow + timedelta(days=1), "00:00"),
        )
        .order_by(Booking.id)
        .options(selectinload(Booking.user), selectinload(Booking.facility))
    ).all()
    for booking in bookings:
        notify(session, booking.user, "booking_reminder", booking, now)
    session.flush()
    return len(bookings)


def booking_reminders() -> int:
    """The periodic job: today's 18:00 run."""
    with unit_of_work():
        return send_reminders(db.session, utcnow())
