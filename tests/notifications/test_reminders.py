"""Reminders at 18:00 Seoul time the day before: confirmed bookings only, not for parents who turned them off."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from app.bookings.reminders import send_reminders
from app.database import unit_of_work
from app.notifications.models import NotificationSettings, OutboxMessage
from app.timeutil import KST
from tests.factories import make_slot, make_user, place_booking

EVENING = datetime(2030, 3, 4, 18, 0, tzinfo=KST)  # a Monday


def test_reminders_go_to_tomorrows_confirmed_bookings_once(db, cafe, parent):
    quiet = make_user(db.session, children=(("바다", datetime(2021, 1, 1).date()),))
    db.session.add(NotificationSettings(user_id=quiet.id, email=True, kakao=False, reminders=False))
    tomorrow = make_slot(db.session, cafe, EVENING + timedelta(hours=15))  # Tuesday 09:00
    late = make_slot(db.session, cafe, EVENING + timedelta(hours=29, minutes=59))  # Tuesday 23:59
    wanted = [place_booking(db.session, parent, tomorrow), place_booking(db.session, parent, late)]
    place_booking(db.session, parent, make_slot(db.session, cafe, EVENING + timedelta(hours=16)), status="cancelled")
    place_booking(db.session, parent, make_slot(db.session, cafe, EVENING + timedelta(hours=30)))  # Wednesday 00:00
    place_booking(db.session, parent, make_slot(db.session, cafe, EVENING + timedelta(hours=1)))  # tonight
    place_booking(db.session, quiet, tomorrow)
    for _ in range(2):  # the periodic job running twice adds nothing
        with unit_of_work():
            send_reminders(db.session, EVENING)
    rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [(r.event, r.booking_id, r.user_id) for r in rows] == [("booking_reminder", b.id, parent.id) for b in wanted]


def test_the_reminder_job_runs_at_18_seoul_time(app):
    huey = app.extensions["jobs"].huey

    def due(hour: int, minute: int) -> set[str]:  # what the scheduler starts then (it asks in naive UTC)
        return {task.name for task in huey.read_periodic(datetime(2030, 3, 4, hour, minute))}

    assert datetime(2030, 3, 4, 9, 0, tzinfo=UTC).astimezone(KST).hour == 18
    assert "booking_reminders" in due(9, 0)
    assert [("booking_reminders" in due(h, m)) for h, m in ((18, 0), (8, 59), (9, 1))] == [False, False, False]
    assert "sweep_outbox" in due(9, 5) and "sweep_outbox" not in due(9, 6)
