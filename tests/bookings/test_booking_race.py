"""Several OS processes race on one slot and on one child's last monthly hours, on SQLite and PostgreSQL."""

from collections import Counter
from datetime import date

import pytest
from sqlalchemy import func, select

from app.bookings.models import Booking, BookingChild, Slot
from app.bookings.services import book
from app.extensions import db
from tests.bookings.race_worker import attempt
from tests.factories import NOW, add_facility, hourly_slots, kst, make_child, make_slot, make_user, set_policy
from tests.support import make_app, process_database_url, run_processes

PROCESSES = 4


def _facility(kind):
    return add_facility(db.session, kind=kind, name="경쟁 시설", age_min=0, age_max=10)


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_processes_racing_for_one_slot_never_overbook(kind, tmp_path):
    url = process_database_url(kind, tmp_path)
    app = make_app(url)
    capacity, attempts = 5, 24
    with app.app_context():
        slot = make_slot(db.session, _facility("kids_cafe"), kst(2026, 11, 25), capacity=capacity)
        jobs = []
        for _ in range(attempts):
            user = make_user(db.session)
            jobs.append((user.id, slot.id, [make_child(db.session, user).id], 1))
        slot_id = slot.id
        db.session.commit()
        outcomes = run_processes(attempt, [(url, jobs[i::PROCESSES], NOW.isoformat()) for i in range(PROCESSES)])
        db.session.expire_all()
        assert outcomes == Counter(confirmed=capacity, slot_full=attempts - capacity)
        assert db.session.get(Slot, slot_id).booked == capacity
        assert (
            db.session.scalar(select(func.count()).select_from(Booking).where(Booking.status == "confirmed"))
            == capacity
        )
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_processes_racing_for_a_childs_last_monthly_hours(kind, tmp_path):
    url = process_database_url(kind, tmp_path)
    app = make_app(url)
    with app.app_context():
        daycare = _facility("hourly_daycare")
        set_policy(db.session, daycare, monthly_cap_hours=5)
        user = make_user(db.session)
        child = make_child(db.session, user, date(2024, 1, 10))
        first = hourly_slots(db.session, daycare, date(2026, 11, 24), 4)
        book(db.session, user, first[0].id, [child.id], hours=4, now=NOW)  # 4 of 5 hours used
        # Each process tries a different day, so no slot counter or unique index can serialise them.
        targets = [hourly_slots(db.session, daycare, date(2026, 11, 25 + i), 1)[0].id for i in range(PROCESSES)]
        jobs = [[(user.id, slot_id, [child.id], 1)] for slot_id in targets]
        child_id = child.id
        db.session.commit()  # and touch no ORM object until the race is over: SQLite would stay write-locked
        outcomes = run_processes(attempt, [(url, j, NOW.isoformat()) for j in jobs])
        assert outcomes == Counter(confirmed=1, monthly_cap=PROCESSES - 1)
        mine = select(BookingChild.booking_id).where(BookingChild.child_id == child_id)
        hours = db.session.scalar(
            select(func.sum(Booking.hours)).where(Booking.id.in_(mine), Booking.status == "confirmed")
        )
        assert hours == 5
        db.session.remove()
        db.engine.dispose()
