"""Booking events → outbox rows → the worker: one message per event and channel, retries with back-off, failure."""

from __future__ import annotations

from datetime import date, timedelta

import time_machine
from sqlalchemy import func, select

from app.bookings import services as booking_services
from app.bookings.models import Booking
from app.database import unit_of_work
from app.notifications.models import NotificationSettings, OutboxMessage
from app.notifications.services import notify
from app.operators.services import walk_in
from app.operators.settings import add_closure
from app.timeutil import KST, utcnow
from tests.factories import make_slot, make_user
from tests.mailbox import free_port, send_mail_to


def _rows(session, **where) -> list[OutboxMessage]:
    query = select(OutboxMessage).filter_by(**where).order_by(OutboxMessage.id)
    return list(session.scalars(query.execution_options(populate_existing=True)))


def _book(db, parent, slot):
    with unit_of_work():
        booking = booking_services.book(db.session, parent, slot.id, [c.id for c in parent.children], now=utcnow())
    return booking


def test_one_message_per_channel_even_when_the_jobs_run_twice(app, db, jobs, drain, parent, slot, mailbox):
    mailbox.use_for(app)
    app.config["NOTIFY_CHANNELS"] = "email,kakao"
    db.session.add(NotificationSettings(user_id=parent.id, email=True, kakao=True, reminders=True, phone="01012345678"))
    db.session.commit()
    booking = _book(db, parent, slot)
    rows = _rows(db.session)
    assert [(r.event, r.channel, r.recipient, r.status) for r in rows] == [
        ("booking_confirmed", "email", "m***@example.com", "pending"),
        ("booking_confirmed", "kakao", "010-****-5678", "pending"),
    ]
    assert jobs.huey.pending_count() == 2  # enqueued after the commit, not sent in the request
    with unit_of_work():  # the same event told again (a doubled call) adds no row
        notify(db.session, parent, "booking_confirmed", db.session.get(Booking, booking.id))
    for row in rows:  # and every job doubled
        jobs.enqueue("deliver", row.id)
    drain()
    assert [(r.status, r.attempts, r.provider) for r in _rows(db.session)] == [("sent", 1, "smtp"), ("sent", 1, "dev")]
    assert len(mailbox.messages) == 1
    mail = mailbox.messages[0]
    assert mail["To"] == "mom@example.com" and mail["Subject"] == "[나들이] 예약이 확정되었습니다"
    body = mailbox.bodies()[0]
    assert "서울형 키즈카페 시청점" in body and booking.code in body
    assert f"/bookings/{booking.id}" in body and slot.starts_at.astimezone(KST).strftime("%H:%M") in body


def test_a_refused_booking_writes_and_enqueues_nothing(db, jobs, parent, slot):
    slot.capacity = 0
    db.session.commit()
    try:
        _book(db, parent, slot)
    except booking_services.BookingError:
        pass
    assert _rows(db.session) == [] and jobs.huey.pending_count() == 0


def test_cancellations_say_who_cancelled_and_why(app, db, drain, cafe, parent, slot):
    operator = make_user(db.session, role="operator", facilities=[cafe])
    first = _book(db, parent, slot)
    with unit_of_work():
        booking_services.cancel(db.session, parent, first.id, utcnow())
    second = _book(db, parent, slot)
    day = slot.starts_at.astimezone(KST).date()
    with unit_of_work():
        add_closure(db.session, operator, cafe, day, day, "소독", True, utcnow())
    cancelled = _rows(db.session, event="booking_cancelled")
    reasons = [(r.booking_id, r.payload["reason"]) for r in cancelled]
    assert reasons == [(first.id, "보호자 취소"), (second.id, "휴관: 소독")]
    drain()
    assert {r.status for r in _rows(db.session)} == {"sent"}


def test_a_no_show_tells_the_ban_end_and_the_bookings_it_cancelled(db, drain, cafe, parent, slot):
    booking = _book(db, parent, slot)
    later = _book(db, parent, make_slot(db.session, cafe, slot.starts_at + timedelta(days=1)))
    with unit_of_work():
        banned = booking_services.mark_no_show(
            db.session, db.session.get(Booking, booking.id), slot.starts_at + timedelta(minutes=45)
        )
    assert [b.id for b in banned] == [later.id]
    no_show = _rows(db.session, event="no_show")
    assert len(no_show) == 1 and no_show[0].payload["until"].startswith(
        (slot.starts_at + timedelta(minutes=45, days=30)).astimezone(KST).strftime("%Y-%m-%d")
    )
    assert _rows(db.session, event="booking_cancelled")[0].payload["reason"].startswith("노쇼 이용 제한")


def test_walk_in_placeholders_get_no_messages(db, cafe, slot):
    operator = make_user(db.session, role="operator", facilities=[cafe])
    with unit_of_work():
        booking = walk_in(db.session, operator, slot, "바다", date(2022, 1, 1), 1, utcnow())
        notify(db.session, booking.user, "booking_confirmed", booking)
    assert _rows(db.session) == []


def test_a_failing_channel_backs_off_then_fails_and_leaves_the_booking_alone(app, db, jobs, drain, parent, slot):
    send_mail_to(app, free_port())  # nobody listens there
    app.config["NOTIFY_MAX_ATTEMPTS"] = 3
    start = utcnow()
    with time_machine.travel(start, tick=False) as clock:
        booking = _book(db, parent, slot)
        drain()
        (row,) = _rows(db.session)
        assert (row.status, row.attempts, row.next_attempt_at) == ("pending", 1, start + timedelta(minutes=1))
        assert "ConnectionRefusedError" in row.last_error
        clock.shift(timedelta(seconds=59))
        drain()
        assert _rows(db.session)[0].attempts == 1  # not due yet: neither the scheduled job nor a doubled one sends
        jobs.enqueue("deliver", row.id)
        drain()
        assert _rows(db.session)[0].attempts == 1
        clock.shift(timedelta(seconds=1))
        drain()
        row = _rows(db.session)[0]
        assert (row.attempts, row.next_attempt_at) == (2, start + timedelta(minutes=3))  # then 2 minutes
        clock.shift(timedelta(minutes=2))
        drain()
        row = _rows(db.session)[0]
        assert (row.status, row.attempts) == ("failed", 3)
    assert db.session.get(Booking, booking.id).status == "confirmed"


def test_the_sweeper_re_enqueues_due_rows_whose_job_was_lost(app, db, jobs, drain, parent, slot):
    _book(db, parent, slot)
    jobs.huey.flush()  # the enqueue after the commit is lost (say Redis was down)
    assert drain() == 0 and _rows(db.session)[0].status == "pending"
    jobs.tasks["sweep_outbox"]()
    assert drain() == 2  # the sweep, then the delivery it queued
    assert _rows(db.session)[0].status == "sent"
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1


def test_a_booking_refused_at_its_last_statement_leaves_no_row_and_enqueues_nothing(
    db, jobs, parent, slot, monkeypatch
):
    # The conditional UPDATE finding the session full after all (a competitor took the last place): on PostgreSQL it
    # is the transaction's last statement, after the booking and outbox rows; the rollback takes them all back.
    monkeypatch.setattr(booking_services, "take_places", lambda *args, **kwargs: False)
    try:
        _book(db, parent, slot)
    except booking_services.BookingError as refused:
        assert refused.code == "slot_full"
    else:
        raise AssertionError("booked a full session")
    assert _rows(db.session) == [] and jobs.huey.pending_count() == 0
    assert db.session.scalar(select(func.count()).select_from(Booking)) == 0


def test_the_sqlite_queue_commits_without_waiting_for_fsync(tmp_path):
    from app.jobs import make_huey

    huey = make_huey(f"sqlite:///{tmp_path}/queue.sqlite3", str(tmp_path))
    conn = huey.storage.conn
    assert conn.execute("pragma synchronous").fetchone()[0] == 1  # NORMAL
    assert conn.execute("pragma journal_mode").fetchone()[0] == "wal"
    huey.storage.enqueue(b"job")
    assert huey.storage.dequeue() == b"job"
