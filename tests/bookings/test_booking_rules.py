"""Every booking rule refuses with its stable code, and a refused booking writes nothing."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.bookings.models import Booking, BookingChild, CityPolicy, Closure, Slot
from app.bookings.services import BookingError, book, cancel, mark_no_show
from tests.bookings.refusal import refused
from tests.factories import NOW, hourly_slots, kst, make_child, make_slot, make_user, set_policy


def test_book_confirms_and_counts(db, cafe, parent):
    slot = make_slot(db.session, cafe, kst(2026, 11, 25))
    ids = [c.id for c in parent.children]
    booking = book(db.session, parent, slot.id, ids, 2, now=NOW)
    db.session.commit()
    assert booking.status == "confirmed" and len(booking.code) == 9 and booking.code[4] == "-"
    assert booking.child_ids == sorted(ids)
    assert db.session.get(Slot, slot.id).booked == 2


def test_slot_full_and_nothing_written(db, cafe, parent):
    slot = make_slot(db.session, cafe, kst(2026, 11, 25), capacity=1)
    other = make_user(db.session)
    kid = make_child(db.session, other)
    error = refused("slot_full", db.session, parent, slot.id, [c.id for c in parent.children], now=NOW)
    assert error.status == 409
    book(db.session, other, slot.id, [kid.id], now=NOW)
    refused("slot_full", db.session, parent, slot.id, [parent.children[0].id], now=NOW)
    assert db.session.scalar(select(func.count()).select_from(Booking)) == 1


def test_failed_second_hour_leaves_first_hour_untouched(db, daycare, parent):
    first, second, *_ = hourly_slots(db.session, daycare, date(2026, 11, 25))
    second.capacity = 0
    refused("slot_full", db.session, parent, first.id, [parent.children[1].id], hours=2, now=NOW)
    db.session.commit()
    assert db.session.get(Slot, first.id).booked == 0
    assert db.session.scalar(select(func.count()).select_from(BookingChild)) == 0


def test_window_days_ahead_opens_at_the_set_time(db, cafe, parent):
    set_policy(db.session, cafe, days_ahead=14, open_time="09:00")
    slot = make_slot(db.session, cafe, kst(2026, 12, 7))  # 14 days after 2026-11-23
    kid = [parent.children[0].id]
    refused("window_not_open", db.session, parent, slot.id, kid, now=kst(2026, 11, 23, 8, 59))
    assert book(db.session, parent, slot.id, kid, now=kst(2026, 11, 23, 9, 0)).status == "confirmed"
    later = make_slot(db.session, cafe, kst(2026, 12, 8))
    assert refused("window_not_open", db.session, parent, later.id, kid, now=NOW).status == 422


def test_window_weekly_tuesday_nine(db, cafe, parent):
    set_policy(db.session, cafe, opening_mode="weekly", open_weekday=1, open_time="09:00")
    kid = [parent.children[0].id]
    tuesday = make_slot(db.session, cafe, kst(2026, 12, 1))
    sunday = make_slot(db.session, cafe, kst(2026, 12, 6))
    next_tuesday = make_slot(db.session, cafe, kst(2026, 12, 8))
    refused("window_not_open", db.session, parent, tuesday.id, kid, now=kst(2026, 11, 24, 8, 59))
    assert book(db.session, parent, tuesday.id, kid, now=kst(2026, 11, 24, 9, 0)).status == "confirmed"
    assert book(db.session, parent, sunday.id, kid, now=kst(2026, 11, 24, 9, 0)).status == "confirmed"
    refused("window_not_open", db.session, parent, next_tuesday.id, kid, now=kst(2026, 11, 30, 23, 0))


def test_same_day_rules(db, daycare, cafe, parent):
    kid = [parent.children[1].id]
    today = make_slot(db.session, daycare, kst(2026, 11, 23, 15), minutes=60)
    refused("window_not_open", db.session, parent, today.id, kid, now=NOW)  # daycare: day before at the latest
    set_policy(db.session, cafe, same_day_until="12:00")
    afternoon = make_slot(db.session, cafe, kst(2026, 11, 23, 15))
    refused("window_not_open", db.session, parent, afternoon.id, kid, now=kst(2026, 11, 23, 12, 0))
    assert book(db.session, parent, afternoon.id, kid, now=kst(2026, 11, 23, 11, 59)).status == "confirmed"


def test_slot_past(db, cafe, parent):
    slot = make_slot(db.session, cafe, kst(2026, 11, 23, 9, 30))
    refused("slot_past", db.session, parent, slot.id, [parent.children[0].id], now=NOW)


def test_korean_age_counts_calendar_years(db, make_facility):
    facility = make_facility(kind="kids_cafe", age_min=3, age_max=9)
    user = make_user(db.session)
    born_late_2023 = make_child(db.session, user, date(2023, 12, 31))  # 연나이 3 in 2026, 만 2
    born_2024 = make_child(db.session, user, date(2024, 1, 1))  # 연나이 2
    slot = make_slot(db.session, facility, kst(2026, 11, 25))
    refused("age_out_of_range", db.session, user, slot.id, [born_2024.id], now=NOW)
    assert book(db.session, user, slot.id, [born_late_2023.id], now=NOW).status == "confirmed"


def test_daycare_age_in_months(db, daycare):
    user = make_user(db.session)
    five_months = make_child(db.session, user, date(2026, 6, 26))
    six_months = make_child(db.session, user, date(2026, 5, 25))
    seven_years = make_child(db.session, user, date(2019, 11, 25))
    slot = hourly_slots(db.session, daycare, date(2026, 11, 25), 1)[0]
    refused("age_out_of_range", db.session, user, slot.id, [five_months.id], now=NOW)
    refused("age_out_of_range", db.session, user, slot.id, [seven_years.id], now=NOW)
    assert book(db.session, user, slot.id, [six_months.id], now=NOW).status == "confirmed"


def test_one_visit_per_day_and_duplicate(db, cafe, make_facility, parent):
    morning = make_slot(db.session, cafe, kst(2026, 11, 25, 9, 30))
    afternoon = make_slot(db.session, cafe, kst(2026, 11, 25, 13))
    kid = [parent.children[0].id]
    first = book(db.session, parent, morning.id, kid, now=NOW)
    refused("duplicate", db.session, parent, morning.id, kid, now=NOW)
    refused("one_visit_per_day", db.session, parent, afternoon.id, kid, now=NOW)
    other_place = make_facility(kind="hourly_daycare")
    overlapping = make_slot(db.session, other_place, kst(2026, 11, 25, 10), minutes=60)
    refused("duplicate", db.session, parent, overlapping.id, [parent.children[1].id, kid[0]], now=NOW)
    cancel(db.session, parent, first.id, NOW)
    assert book(db.session, parent, afternoon.id, kid, now=NOW).status == "confirmed"


def test_too_many_children_and_guardians(db, cafe, parent):
    set_policy(db.session, cafe, max_children=1, max_guardians=2)
    slot = make_slot(db.session, cafe, kst(2026, 11, 25))
    ids = [c.id for c in parent.children]
    refused("too_many_children", db.session, parent, slot.id, ids, now=NOW)
    refused("too_many_guardians", db.session, parent, slot.id, ids[:1], 3, now=NOW)


def test_other_parents_child_refused(db, cafe, parent):
    stranger = make_child(db.session, make_user(db.session))
    slot = make_slot(db.session, cafe, kst(2026, 11, 25))
    refused("invalid_children", db.session, parent, slot.id, [stranger.id], now=NOW)


def test_daily_cap(db, daycare, parent):
    kid = [parent.children[1].id]
    slots = hourly_slots(db.session, daycare, date(2026, 11, 25), 8)
    refused("daily_cap", db.session, parent, slots[0].id, kid, hours=5, now=NOW)
    assert book(db.session, parent, slots[0].id, kid, hours=3, now=NOW).hours == 3
    refused("daily_cap", db.session, parent, slots[4].id, kid, hours=2, now=NOW)
    assert book(db.session, parent, slots[4].id, kid, hours=1, now=NOW).status == "confirmed"
    assert db.session.get(Slot, slots[1].id).booked == 1


def test_monthly_cap(db, daycare, parent):
    set_policy(db.session, daycare, monthly_cap_hours=6)
    kid = [parent.children[1].id]
    monday, tuesday, wednesday = (hourly_slots(db.session, daycare, date(2026, 11, d), 4) for d in (30, 24, 25))
    book(db.session, parent, tuesday[0].id, kid, hours=4, now=NOW)
    refused("monthly_cap", db.session, parent, wednesday[0].id, kid, hours=3, now=NOW)
    book(db.session, parent, wednesday[0].id, kid, hours=2, now=NOW)
    refused("monthly_cap", db.session, parent, monday[0].id, kid, hours=1, now=NOW)
    december = hourly_slots(db.session, daycare, date(2026, 12, 1), 1)[0]
    assert book(db.session, parent, december.id, kid, now=NOW).status == "confirmed"


def test_closed_by_closure_holiday_or_block(db, cafe, parent):
    kid = [parent.children[0].id]
    christmas = make_slot(db.session, cafe, kst(2026, 12, 25))
    refused("closed", db.session, parent, christmas.id, kid, now=NOW)
    db.session.add(
        Closure(facility_id=cafe.id, starts_on=date(2026, 11, 26), ends_on=date(2026, 11, 27), reason="소독 휴관")
    )
    closed = make_slot(db.session, cafe, kst(2026, 11, 27))
    assert refused("closed", db.session, parent, closed.id, kid, now=NOW).message == "이 날은 휴관입니다 (소독 휴관)"
    blocked = make_slot(db.session, cafe, kst(2026, 11, 28), blocked=True)
    refused("closed", db.session, parent, blocked.id, kid, now=NOW)
    set_policy(db.session, cafe, closed_on_holidays=False, days_ahead=60)
    assert book(db.session, parent, christmas.id, kid, now=NOW).status == "confirmed"


def test_cancel_returns_the_place_until_the_deadline(db, cafe, parent):
    slot = make_slot(db.session, cafe, kst(2026, 11, 25, 13), capacity=1)
    kid = [parent.children[0].id]
    booking = book(db.session, parent, slot.id, kid, now=NOW)
    with pytest.raises(BookingError) as info:
        cancel(db.session, parent, booking.id, kst(2026, 11, 25, 12, 31))
    assert info.value.code == "too_late_to_cancel"
    cancelled = cancel(db.session, parent, booking.id, kst(2026, 11, 25, 12, 30))
    db.session.commit()
    assert cancelled.status == "cancelled" and cancelled.cancelled_at is not None
    assert db.session.get(Slot, slot.id).booked == 0
    other = make_user(db.session)
    assert book(db.session, other, slot.id, [make_child(db.session, other).id], now=NOW).status == "confirmed"
    with pytest.raises(BookingError) as info:
        cancel(db.session, parent, booking.id, NOW)
    assert info.value.code == "not_cancellable"
    with pytest.raises(BookingError) as info:
        cancel(db.session, other, booking.id, NOW)
    assert info.value.code == "not_found"


def test_no_show_bans_and_cancels_bookings_inside_the_ban(db, cafe, parent):
    kid = [parent.children[0].id]
    set_policy(db.session, cafe, days_ahead=60)
    missed = book(db.session, parent, make_slot(db.session, cafe, kst(2026, 11, 24)).id, kid, now=NOW)
    inside = book(db.session, parent, make_slot(db.session, cafe, kst(2026, 12, 10)).id, kid, now=NOW)
    after = book(db.session, parent, make_slot(db.session, cafe, kst(2026, 12, 30)).id, kid, now=NOW)
    moment = kst(2026, 11, 24, 10, 30)
    cancelled = mark_no_show(db.session, missed, moment)
    db.session.commit()
    assert [b.id for b in cancelled] == [inside.id]
    assert (missed.status, inside.status, after.status) == ("no_show", "cancelled", "confirmed")
    assert parent.banned_until == moment + timedelta(days=30)
    slot = make_slot(db.session, cafe, kst(2026, 12, 1))
    error = refused("banned", db.session, parent, slot.id, kid, now=moment)
    assert "2026년 12월 24일 10:30" in error.message


def test_no_show_ban_length_is_the_city_setting(db, cafe, parent):
    db.session.add(CityPolicy(id=1, no_show_ban_days=14))
    missed = book(
        db.session, parent, make_slot(db.session, cafe, kst(2026, 11, 24)).id, [parent.children[0].id], now=NOW
    )
    moment = kst(2026, 11, 24, 10, 30)
    mark_no_show(db.session, missed, moment)
    assert parent.banned_until == moment + timedelta(days=14)


def test_database_backstops(db, cafe, parent):
    slot = make_slot(db.session, cafe, kst(2026, 11, 25), capacity=2)
    kid = parent.children[0].id
    booking = book(db.session, parent, slot.id, [kid], now=NOW)
    db.session.commit()
    db.session.add(BookingChild(booking_id=booking.id, slot_id=slot.id, child_id=kid, active=True))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    db.session.add(BookingChild(booking_id=booking.id, slot_id=slot.id, child_id=kid, active=False))
    db.session.flush()  # inactive rows drop out of the unique index
    db.session.get(Slot, slot.id).booked = 3
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
