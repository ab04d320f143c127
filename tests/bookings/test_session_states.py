"""Session states (app.bookings.availability): each state with the policy settings that cause it, and the engine agrees.

NOW is Monday 2026-11-23 10:00 in Seoul.
"""

from datetime import date, timedelta

import pytest

from app.bookings.availability import bookable_hours, next_free_slot, session_state
from app.bookings.models import Closure
from app.bookings.policy import get_policy
from app.bookings.services import BookingError, book, slots_for_day
from tests.factories import NOW, hourly_slots, kst, make_slot, set_policy


def _state(db, facility, slot, now=NOW):
    day = slot.starts_at.astimezone(NOW.tzinfo).date()
    (item,) = [i for i in slots_for_day(db.session, facility.id, day, now) if i["id"] == slot.id]
    return item["state"], item["label"]


def _engine_agrees(db, parent, slot, state, now=NOW):
    """book() succeeds exactly when the state says the session is open."""
    try:
        book(db.session, parent, slot.id, [parent.children[0].id], now=now)
    except BookingError:
        db.session.rollback()
        assert state != "open"
    else:
        db.session.rollback()
        assert state == "open"


@pytest.mark.parametrize(
    "policy, starts, booked, want",
    [
        ({}, kst(2026, 11, 25, 10), 0, ("open", "10자리 남음")),
        ({}, kst(2026, 11, 25, 10), 10, ("full", "마감")),
        ({}, kst(2026, 11, 23, 9), 0, ("past", "지난 회차")),
        ({"same_day": False}, kst(2026, 11, 23, 15), 0, ("same_day", "당일 예약 불가")),
        ({"same_day": True, "same_day_until": "09:30"}, kst(2026, 11, 23, 15), 0, ("same_day", "당일 예약 불가")),
        ({"same_day": True}, kst(2026, 11, 23, 15), 0, ("open", "10자리 남음")),
        # 14 days ahead at 09:00: the 12/23 session opens on 12/9 at 09:00.
        ({"days_ahead": 14, "open_time": "09:00"}, kst(2026, 12, 23, 10), 0, ("not_open", "12/9 09:00 오픈")),
        ({"days_ahead": 3, "open_time": "18:00"}, kst(2026, 11, 27, 10), 0, ("not_open", "11/24 18:00 오픈")),
        # Weekly release every Tuesday 09:00 for the following week: Tuesday 12/1's session opens Tuesday 11/24.
        ({"opening_mode": "weekly", "open_weekday": 1}, kst(2026, 12, 1, 10), 0, ("not_open", "11/24 09:00 오픈")),
        ({"opening_mode": "weekly", "open_weekday": 1}, kst(2026, 11, 26, 10), 0, ("open", "10자리 남음")),
    ],
)
def test_each_state_follows_the_policy(db, cafe, parent, policy, starts, booked, want):
    set_policy(db.session, cafe, closed_on_holidays=False, **policy)
    slot = make_slot(db.session, cafe, starts, capacity=10)
    slot.booked = booked
    db.session.commit()
    assert _state(db, cafe, slot) == want
    _engine_agrees(db, parent, slot, want[0])


def test_closed_days_say_why(db, cafe, parent):
    set_policy(db.session, cafe, closed_on_holidays=True, days_ahead=60)
    christmas = make_slot(db.session, cafe, kst(2026, 12, 25, 10))
    assert _state(db, cafe, christmas) == ("closed", "휴관 (성탄절)")
    _engine_agrees(db, parent, christmas, "closed")
    db.session.add(
        Closure(facility_id=cafe.id, starts_on=date(2026, 11, 26), ends_on=date(2026, 11, 26), reason="소독")
    )
    db.session.commit()
    disinfected = make_slot(db.session, cafe, kst(2026, 11, 26, 10))
    assert _state(db, cafe, disinfected) == ("closed", "휴관 (소독)")
    set_policy(db.session, cafe, closed_on_holidays=False)
    assert _state(db, cafe, christmas)[0] == "open"  # the setting is applied, not only saved


def test_blocked_and_the_order_of_reasons(db, cafe, parent):
    set_policy(db.session, cafe, closed_on_holidays=False)
    blocked = make_slot(db.session, cafe, kst(2026, 11, 25, 10), blocked=True)
    assert _state(db, cafe, blocked) == ("blocked", "예약 불가")
    full_and_past = make_slot(db.session, cafe, kst(2026, 11, 23, 8), capacity=1)
    full_and_past.booked = 1
    db.session.commit()
    assert _state(db, cafe, full_and_past) == ("past", "지난 회차")  # a past session is past before it is full
    policy = get_policy(db.session, cafe)
    assert session_state(policy, blocked, NOW, closed="성탄절").label == "휴관 (성탄절)"


def test_next_free_slot_skips_full_closed_and_unopened(db, cafe):
    set_policy(db.session, cafe, closed_on_holidays=False, days_ahead=7)
    full = make_slot(db.session, cafe, kst(2026, 11, 24, 10), capacity=1)
    full.booked = 1
    blocked = make_slot(db.session, cafe, kst(2026, 11, 24, 13), blocked=True)
    db.session.add(Closure(facility_id=cafe.id, starts_on=date(2026, 11, 25), ends_on=date(2026, 11, 25)))
    make_slot(db.session, cafe, kst(2026, 11, 25, 10))
    free = make_slot(db.session, cafe, kst(2026, 11, 26, 10))
    make_slot(db.session, cafe, kst(2026, 12, 20, 10))  # not open yet
    policy = get_policy(db.session, cafe)
    assert next_free_slot(db.session, full, policy, NOW).id == free.id
    assert next_free_slot(db.session, blocked, policy, NOW).id == free.id
    assert next_free_slot(db.session, free, policy, NOW) is None


def test_bookable_hours_stop_at_a_full_hour_and_the_daily_cap(db, daycare):
    set_policy(db.session, daycare, closed_on_holidays=False, daily_cap_hours=4)
    day = NOW.date() + timedelta(days=2)
    slots = hourly_slots(db.session, daycare, day, count=6, capacity=2)
    policy = get_policy(db.session, daycare)
    assert bookable_hours(db.session, slots[0], policy, NOW) == 4
    slots[2].booked = 2
    db.session.commit()
    assert bookable_hours(db.session, slots[0], policy, NOW) == 2
    assert bookable_hours(db.session, slots[2], policy, NOW) == 0
    assert bookable_hours(db.session, slots[4], policy, NOW) == 2  # the day ends after two more hours
