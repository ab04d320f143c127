"""Booking rules at their edges: inclusive limits, per-kind rules, whole multi-hour bookings, and the guards the
database keeps (each test here was written against a mutant of the rules that the rest of the suite let through)."""

import gc
from datetime import date

import pytest
from sqlalchemy import event, select, update
from sqlalchemy.exc import IntegrityError

from app.bookings import services
from app.bookings.models import Booking, BookingChild, Closure, Slot
from app.bookings.services import BookingError, backstop_error, book, cancel
from tests.bookings.refusal import refused
from tests.factories import NOW, hourly_slots, kst, make_child, make_slot, make_user, set_policy
from tests.support import counted


def test_cancel_deadline_is_the_facility_setting(db, cafe, parent):
    set_policy(db.session, cafe, cancel_deadline_minutes=120)
    booking = book(
        db.session, parent, make_slot(db.session, cafe, kst(2026, 11, 25, 13)).id, [parent.children[0].id], now=NOW
    )
    with pytest.raises(BookingError) as info:
        cancel(db.session, parent, booking.id, kst(2026, 11, 25, 11, 1))
    assert info.value.code == "too_late_to_cancel" and "120분" in info.value.message
    assert cancel(db.session, parent, booking.id, kst(2026, 11, 25, 11, 0)).status == "cancelled"


def test_cancelling_a_multi_hour_booking_returns_every_hour(db, daycare, parent):
    hours = hourly_slots(db.session, daycare, date(2026, 11, 25), 3, capacity=1)
    kid = parent.children[1].id
    booking = book(db.session, parent, hours[0].id, [kid], hours=3, now=NOW)
    db.session.commit()
    assert [db.session.get(Slot, s.id).booked for s in hours] == [1, 1, 1]
    cancel(db.session, parent, booking.id, NOW)
    db.session.commit()
    assert [db.session.get(Slot, s.id).booked for s in hours] == [0, 0, 0]
    assert not any(db.session.scalars(select(BookingChild.active).where(BookingChild.booking_id == booking.id)))
    other = make_user(db.session)
    assert book(db.session, other, hours[0].id, [make_child(db.session, other).id], hours=3, now=NOW).hours == 3


def test_both_age_limits_are_inclusive(db, make_facility, daycare):
    user = make_user(db.session)
    cafe_3_to_5 = make_facility(kind="kids_cafe", age_min=3, age_max=5)
    session = make_slot(db.session, cafe_3_to_5, kst(2026, 11, 25))
    five = make_child(db.session, user, date(2021, 12, 31))  # 연나이 5 in 2026
    six = make_child(db.session, user, date(2020, 1, 1))
    refused("age_out_of_range", db.session, user, session.id, [six.id], now=NOW)
    assert book(db.session, user, session.id, [five.id], now=NOW).status == "confirmed"
    hour = hourly_slots(db.session, daycare, date(2026, 11, 25), 1)[0]
    months_83 = make_child(db.session, user, date(2019, 12, 25))  # the daycare's last month (age_max 83)
    assert book(db.session, user, hour.id, [months_83.id], now=NOW).status == "confirmed"


def test_one_visit_a_day_is_counted_per_kind(db, cafe, daycare, parent):
    set_policy(db.session, daycare, one_visit_per_day=True)
    first, second = (c.id for c in parent.children)
    morning_hour = hourly_slots(db.session, daycare, date(2026, 11, 25), 1)[0]  # 09:00–10:00
    afternoon = make_slot(db.session, cafe, kst(2026, 11, 25, 13))
    book(db.session, parent, morning_hour.id, [first], now=NOW)
    assert book(db.session, parent, afternoon.id, [first], now=NOW).status == "confirmed"
    # The other order: a café visit first, then a daycare hour the same day.
    next_day_cafe = make_slot(db.session, cafe, kst(2026, 11, 26, 9, 30))
    next_day_hour = make_slot(db.session, daycare, kst(2026, 11, 26, 14), minutes=60)
    book(db.session, parent, next_day_cafe.id, [second], now=NOW)
    assert book(db.session, parent, next_day_hour.id, [second], now=NOW).status == "confirmed"


def test_hour_caps_count_daycare_hours_only(db, cafe, daycare, parent):
    set_policy(db.session, daycare, daily_cap_hours=2, monthly_cap_hours=3)
    kid = [parent.children[1].id]
    for day in (24, 25):
        book(db.session, parent, make_slot(db.session, cafe, kst(2026, 11, day, 15, 30)).id, kid, now=NOW)
    wednesday = hourly_slots(db.session, daycare, date(2026, 11, 25), 2)
    assert book(db.session, parent, wednesday[0].id, kid, hours=2, now=NOW).hours == 2  # a café visit that day too
    thursday = hourly_slots(db.session, daycare, date(2026, 11, 26), 2)
    assert book(db.session, parent, thursday[0].id, kid, now=NOW).hours == 1  # 3 daycare hours this month
    refused("monthly_cap", db.session, parent, thursday[1].id, kid, now=NOW)


@pytest.fixture
def database_errors(db):
    """Errors the database raised while the test ran (a guard that refuses raises none)."""
    seen: list[Exception] = []

    def record(context):
        seen.append(context.original_exception)

    event.listen(db.engine, "handle_error", record)
    yield seen
    event.remove(db.engine, "handle_error", record)


@pytest.mark.parametrize("hours", [1, 2])
def test_the_conditional_update_refuses_a_full_slot_itself(db, daycare, parent, database_errors, hours):
    """A competitor filled the slot after this booking read it: the UPDATE's guard, not the CHECK, says no."""
    slots = hourly_slots(db.session, daycare, date(2026, 11, 25), 2, capacity=1)
    db.session.commit()
    taken = slots[hours - 1]
    assert [s.booked for s in slots] == [0, 0]  # loaded now; the competitor's UPDATE below leaves them stale
    db.session.execute(
        update(Slot).where(Slot.id == taken.id).values(booked=1).execution_options(synchronize_session=False)
    )
    refused("slot_full", db.session, parent, slots[0].id, [parent.children[1].id], hours=hours, now=NOW)
    assert database_errors == []
    db.session.commit()
    assert [db.session.get(Slot, s.id).booked for s in slots] == [int(s is taken) for s in slots]


def test_a_duplicate_caught_by_the_database_is_reported_as_duplicate(db, cafe, parent):
    slot = make_slot(db.session, cafe, kst(2026, 11, 25), capacity=5)
    kid = [parent.children[0].id]
    first = book(db.session, parent, slot.id, kid, now=NOW)
    db.session.commit()
    # A cancelled booking whose place was left active: the rules skip it, the partial unique index does not.
    db.session.execute(
        update(Booking)
        .where(Booking.id == first.id)
        .values(status="cancelled")
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    error = refused("duplicate", db.session, parent, slot.id, kid, now=NOW)
    assert error.status == 409
    db.session.rollback()


def _violation(db, change) -> IntegrityError:
    with pytest.raises(IntegrityError) as info:
        change()
        db.session.flush()
    db.session.rollback()
    return info.value


def test_backstops_are_told_apart(db, cafe, parent):
    slot = make_slot(db.session, cafe, kst(2026, 11, 25), capacity=2)
    kid = parent.children[0].id
    booking = book(db.session, parent, slot.id, [kid], now=NOW)
    db.session.commit()
    ids = dict(booking=booking.id, slot=slot.id, code=booking.code)

    over = _violation(db, lambda: setattr(db.session.get(Slot, ids["slot"]), "booked", 3))
    twice = _violation(
        db,
        lambda: db.session.add(BookingChild(booking_id=ids["booking"], slot_id=ids["slot"], child_id=kid, active=True)),
    )
    same_code = _violation(
        db,
        lambda: db.session.add(
            Booking(
                code=ids["code"],
                user_id=parent.id,
                slot_id=ids["slot"],
                facility_id=cafe.id,
                guardians=1,
                hours=1,
                starts_at=kst(2026, 11, 25),
                ends_at=kst(2026, 11, 25, 12),
                created_at=NOW,
            )
        ),
    )
    full, duplicate = backstop_error(over), backstop_error(twice)
    assert (full.code, full.status) == ("slot_full", 409)
    assert (duplicate.code, duplicate.status) == ("duplicate", 409)
    assert backstop_error(same_code) is None  # not a booking rule: left to fail loudly


@pytest.mark.parametrize(
    "case, code",
    [
        ("five children", "too_many_children"),
        ("past", "slot_past"),
        ("blocked", "closed"),
        ("lottery", "lottery_only"),
        ("full", "slot_full"),
    ],
)
def test_a_full_session_refuses_from_its_own_row_in_the_rules_order(db, cafe, parent, case, code):
    """book()'s first refusals read the slot's row once (no entity loaded, no lock): a full session still answers
    with the refusal that comes first in the rules' order."""
    kids = [c.id for c in parent.children] + [make_child(db.session, parent).id for _ in range(3)]
    starts = kst(2026, 11, 28) if case == "lottery" else kst(2026, 11, 25, 13)  # a Saturday for the lottery
    slot = make_slot(db.session, cafe, starts, capacity=1, blocked=case == "blocked")
    slot.booked = 1
    if case == "lottery":
        set_policy(db.session, cafe, allocation="lottery_weekends")
    db.session.commit()
    slot_id, now = slot.id, kst(2026, 11, 25, 14) if case == "past" else NOW
    with counted(db.engine) as statements:
        refused(code, db.session, parent, slot_id, kids if case == "five children" else kids[:1], now=now)
    assert len(statements) == 1 and statements[0].lstrip().upper().startswith("SELECT")


def test_the_closures_of_the_sessions_day_come_with_the_slot(db, cafe, parent):
    """book() reads the facility's closures on the session's day in the same statement as the slot, facility and
    policy (two closures overlapping that day: two rows, one refusal); a closure on another day does not close it."""
    monday, tuesday = (make_slot(db.session, cafe, kst(2026, 11, d, 13)).id for d in (30, 24))
    db.session.add_all(
        [
            Closure(facility_id=cafe.id, starts_on=date(2026, 11, 28), ends_on=date(2026, 11, 30), reason="소독 휴관"),
            Closure(facility_id=cafe.id, starts_on=date(2026, 11, 30), ends_on=date(2026, 11, 30), reason="소독 휴관"),
            Closure(facility_id=cafe.id, starts_on=date(2026, 11, 23), ends_on=date(2026, 11, 23), reason="전날 휴관"),
        ]
    )
    db.session.commit()
    kid = parent.children[0].id
    with counted(db.engine) as statements:
        error = refused("closed", db.session, parent, monday, [kid], now=NOW)
    assert "소독 휴관" in error.message
    assert len(statements) == 2 and all(s.lstrip().upper().startswith("SELECT") for s in statements)
    assert book(db.session, parent, tuesday, [kid], now=NOW).status == "confirmed"


def test_a_booking_that_fails_after_writing_leaves_the_session_usable(db, cafe, parent, monkeypatch):
    """A booking whose rows are written and then fails (here its notification; on PostgreSQL a session found full by
    the last statement) is rolled back, and the session forgets it: the next booking in the same session, which gets
    the same id on SQLite, goes through."""
    first, second = (make_slot(db.session, cafe, kst(2026, 11, 25, h)) for h in (10, 13))
    kid, other_kid = (c.id for c in parent.children)

    def fail(*args, **kwargs):
        raise RuntimeError("notification store unavailable")

    monkeypatch.setattr(services, "notify", fail)
    with pytest.raises(RuntimeError) as info:
        book(db.session, parent, first.id, [kid], now=NOW)
    db.session.rollback()
    monkeypatch.undo()
    booking = book(db.session, parent, second.id, [other_kid], now=NOW)
    db.session.commit()
    db.session.expire_all()
    assert db.session.execute(select(Booking.id, Booking.slot_id)).all() == [(booking.id, second.id)]
    assert booking.child_ids == [other_kid] and info.value.__traceback__ is not None


def test_a_written_booking_is_in_the_session_as_stored(db, cafe, parent):
    """insert_booking leaves nothing to flush and the objects hold what the rows hold, places and children loaded
    (the API answers after the commit from these objects: no query, even with nothing else holding the children,
    as the API's bearer check holds no User)."""
    slot_id = make_slot(db.session, cafe, kst(2026, 11, 25, 13)).id
    parent_id, kids = parent.id, sorted(c.id for c in parent.children)
    db.session.expire_all()  # the fixture's User no longer holds its children
    booking = book(db.session, parent_id, slot_id, kids, guardians=2, now=NOW)
    gc.collect()
    assert not (db.session.new or db.session.dirty)
    with counted(db.engine) as statements:
        seen = (booking.code, booking.status, booking.guardians, booking.starts_at, [c.name for c in booking.children])
        places = sorted((p.id, p.booking_id, p.slot_id, p.child_id, p.active) for p in booking.places)
    assert statements == []
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(Booking, booking.id)
    assert seen == (stored.code, stored.status, 2, stored.starts_at, [c.name for c in stored.children])
    assert places == sorted((p.id, p.booking_id, p.slot_id, p.child_id, p.active) for p in stored.places)
