"""Operator services with an injected clock: capacity, closures, roster, check-in, no-show, walk-in, utilisation."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from app.auth.models import User
from app.bookings import services as booking_services
from app.bookings.models import Booking, Closure, SessionTemplate, Slot
from app.bookings.rules import BookingError
from app.masking import mask_name
from app.operators import services, settings, stats
from app.timeutil import KST
from tests.factories import ONE_CHILD, make_slot, make_user, place_booking
from tests.support import audits

NOW = datetime(2026, 11, 24, 10, 30, tzinfo=KST)  # a Tuesday
AT_10 = datetime(2026, 11, 24, 10, 0, tzinfo=KST)


def test_slot_capacity_below_booked_is_refused_listing_the_slot(db, cafe, staff):
    slot = make_slot(db.session, cafe, AT_10 + timedelta(days=1), capacity=5)
    place_booking(
        db.session,
        make_user(db.session, children=(("가", date(2021, 1, 1)), ("나", date(2022, 1, 1)), ("다", date(2023, 1, 1)))),
        slot,
    )
    with pytest.raises(services.OperatorError) as caught:
        services.set_capacity(db.session, staff, slot, 2, NOW)
    db.session.rollback()
    assert caught.value.code == "capacity_below_booked"
    assert "2026-11-25 (수) 10:00–12:00 예약 3명" in caught.value.message
    assert caught.value.slots == [{"id": slot.id, "when": "2026-11-25 (수) 10:00–12:00", "capacity": 5, "booked": 3}]
    assert db.session.get(Slot, slot.id).capacity == 5 and audits(db.session, "slot.capacity") == []
    services.set_capacity(db.session, staff, slot, 3, NOW)
    db.session.commit()
    assert db.session.get(Slot, slot.id).capacity == 3
    [entry] = audits(db.session, "slot.capacity")
    assert (entry.actor_id, entry.before, entry.after["capacity"]) == (staff.id, {"capacity": 5}, 3)


def test_template_capacity_applies_to_future_slots_and_refuses_below_booked(db, cafe, staff):
    settings.add_template(db.session, staff, cafe, 2, "10:00", "12:00", 8, 4, NOW.date(), NOW)  # Wednesdays
    db.session.commit()
    template = db.session.query(SessionTemplate).filter_by(weekday=2, starts="10:00").one()
    wednesdays = db.session.query(Slot).filter(Slot.facility_id == cafe.id).all()
    wednesdays = [s for s in wednesdays if s.starts_at.astimezone(KST).strftime("%a %H:%M") == "Wed 10:00"]
    assert len(wednesdays) == 4 and {s.capacity for s in wednesdays} == {8}
    place_booking(
        db.session, make_user(db.session, children=(("가", date(2021, 1, 1)), ("나", date(2022, 1, 1)))), wednesdays[1]
    )
    with pytest.raises(services.OperatorError) as caught:
        settings.update_template(db.session, staff, cafe, template, 1, 0, NOW)
    db.session.rollback()
    assert caught.value.code == "capacity_below_booked"
    assert [s["id"] for s in caught.value.slots] == [wednesdays[1].id]
    settings.update_template(db.session, staff, cafe, db.session.get(SessionTemplate, template.id), 2, 0, NOW)
    db.session.commit()
    assert {db.session.get(Slot, s.id).capacity for s in wednesdays} == {2}
    assert [e.after["slots_changed"] for e in audits(db.session, "template.update")] == [4]
    assert audits(db.session, "template.add")[0].after["slots_created"] >= 4


def test_closure_needs_confirmation_then_cancels_and_records_who(db, cafe, staff):
    slot = make_slot(db.session, cafe, AT_10 + timedelta(days=2), capacity=5)
    parent = make_user(db.session, children=ONE_CHILD)
    booking = place_booking(db.session, parent, slot)
    day = slot.starts_at.astimezone(KST).date()
    closure, affected = settings.add_closure(db.session, staff, cafe, day, day, "점검", False, NOW)
    db.session.rollback()
    assert closure is None and [a["code"] for a in affected] == [booking.code]
    assert db.session.query(Closure).count() == 0 and db.session.get(Booking, booking.id).status == "confirmed"
    closure, affected = settings.add_closure(db.session, staff, cafe, day, day, "점검", True, NOW)
    db.session.commit()
    assert closure is not None and db.session.get(Booking, booking.id).status == "cancelled"
    assert db.session.get(Slot, slot.id).booked == 0
    [entry] = audits(db.session, "closure.add")
    assert entry.after["cancelled_bookings"][0]["user_id"] == parent.id
    assert entry.after["cancelled_bookings"][0]["children"] == ["하늘"]


def test_roster_lists_children_ages_guardians_codes(db, cafe):
    slot = make_slot(db.session, cafe, AT_10, capacity=5)
    parent = make_user(db.session, children=(("하늘", date(2021, 5, 5)), ("바다", date(2023, 3, 1))))
    booking = place_booking(db.session, parent, slot)
    cancelled = place_booking(
        db.session, make_user(db.session, children=(("별", date(2020, 1, 1)),)), slot, status="cancelled"
    )
    rows = services.roster(db.session, slot, NOW)
    assert [r["code"] for r in rows] == [booking.code, cancelled.code]  # cancelled last
    assert rows[0]["children"] == [{"name": "하늘", "age": 5, "unit": "세"}, {"name": "바다", "age": 3, "unit": "세"}]
    assert (rows[0]["status"], rows[1]["status"]) == ("confirmed", "cancelled")
    assert rows[0]["guardian"] == mask_name(parent.name)


def test_check_in_once_and_audited(db, cafe, staff):
    booking = place_booking(
        db.session, make_user(db.session, children=ONE_CHILD), make_slot(db.session, cafe, AT_10, capacity=5)
    )
    services.check_in(db.session, staff, booking, NOW)
    db.session.commit()
    assert db.session.get(Booking, booking.id).status == "checked_in"
    with pytest.raises(services.OperatorError):
        services.check_in(db.session, staff, booking, NOW)
    [entry] = audits(db.session, "booking.check_in")
    assert entry.after == {"status": "checked_in", "code": booking.code}


def test_no_show_bans_parent_who_then_sees_banned(db, cafe, staff):
    parent = make_user(db.session, children=ONE_CHILD)
    today = place_booking(db.session, parent, make_slot(db.session, cafe, AT_10, capacity=5))
    later = place_booking(db.session, parent, make_slot(db.session, cafe, AT_10 + timedelta(days=3), capacity=5))
    with pytest.raises(BookingError) as early:
        services.no_show(db.session, staff, today, AT_10 + timedelta(minutes=5))
    assert early.value.code == "too_early" and early.value.status == 409
    result = services.no_show(db.session, staff, today, NOW)
    db.session.commit()
    assert result["banned_until"] == NOW + timedelta(days=30)
    assert result["cancelled_bookings"] == [later.code]
    assert db.session.get(Booking, later.id).status == "cancelled"
    free = make_slot(db.session, cafe, AT_10 + timedelta(days=5), capacity=5)
    with pytest.raises(BookingError) as refused:
        booking_services.book(
            db.session, db.session.get(User, parent.id), free.id, [c.id for c in parent.children], now=NOW
        )
    assert refused.value.code == "banned" and "2026년 12월 24일" in refused.value.message
    [entry] = audits(db.session, "booking.no_show")
    assert entry.after["cancelled_bookings"] == [later.code]


def test_walk_in_respects_capacity_and_is_checked_in(db, cafe, staff):
    slot = make_slot(db.session, cafe, AT_10, capacity=2)
    place_booking(db.session, make_user(db.session, children=ONE_CHILD), slot)
    booking = services.walk_in(db.session, staff, slot, "현장이", date(2022, 1, 1), 1, NOW)
    db.session.commit()
    assert booking.status == "checked_in" and db.session.get(Slot, slot.id).booked == 2
    with pytest.raises(services.OperatorError) as full:
        services.walk_in(db.session, staff, slot, "한명더", date(2022, 1, 1), 1, NOW)
    db.session.rollback()
    assert full.value.code == "slot_full" and db.session.get(Slot, slot.id).booked == 2
    holder = db.session.get(User, booking.user_id)
    assert holder.is_locked and holder.id != staff.id  # placeholder account, nobody logs in as it
    assert [e.after["child"] for e in audits(db.session, "booking.walk_in")] == ["현장이"]


def test_block_refuses_bookings_and_reopen_allows(db, cafe, staff):
    slot = make_slot(db.session, cafe, AT_10 + timedelta(days=1), capacity=5)
    parent = make_user(db.session, children=ONE_CHILD)
    services.set_blocked(db.session, staff, slot, True, NOW)
    db.session.commit()
    with pytest.raises(BookingError) as refused:
        booking_services.book(db.session, parent, slot.id, [parent.children[0].id], now=NOW)
    db.session.rollback()
    assert refused.value.code == "closed"
    with pytest.raises(services.OperatorError):
        services.walk_in(db.session, staff, db.session.get(Slot, slot.id), "아이", date(2022, 1, 1), 1, NOW)
    db.session.rollback()
    services.set_blocked(db.session, staff, db.session.get(Slot, slot.id), False, NOW)
    db.session.commit()
    booking_services.book(db.session, db.session.get(User, parent.id), slot.id, [parent.children[0].id], now=NOW)
    db.session.commit()
    assert [e.action for e in audits(db.session, "slot.block") + audits(db.session, "slot.reopen")] == [
        "slot.block",
        "slot.reopen",
    ]


def test_utilisation_counts_places_per_day(db, cafe, staff):
    slot = make_slot(db.session, cafe, AT_10, capacity=10)
    other = make_slot(db.session, cafe, AT_10 + timedelta(hours=3), capacity=4)
    two = (("가", date(2021, 1, 1)), ("나", date(2022, 1, 1)))
    place_booking(db.session, make_user(db.session, children=two), slot, status="checked_in")
    place_booking(db.session, make_user(db.session, children=ONE_CHILD), slot, status="no_show")
    place_booking(db.session, make_user(db.session, children=ONE_CHILD), slot)
    place_booking(db.session, make_user(db.session, children=two), other, status="cancelled")
    rows = stats.utilisation(db.session, cafe.id, NOW.date() - timedelta(days=1), 3)
    assert [r["date"] for r in rows] == [date(2026, 11, 23), date(2026, 11, 24), date(2026, 11, 25)]
    day = rows[1]
    assert {k: day[k] for k in ("capacity", "booked", "attended", "no_show", "cancelled", "empty", "sessions")} == {
        "capacity": 14,
        "booked": 4,
        "attended": 2,
        "no_show": 1,
        "cancelled": 2,
        "empty": 10,
        "sessions": 2,
    }
    assert rows[0]["capacity"] == 0
    drawn = stats.chart(rows)
    assert len(drawn["bars"]) == 3 and drawn["bars"][0]["rects"] == []
    assert sorted(r["title"] for r in drawn["bars"][1]["rects"]) == sorted(
        ["11/24 입장 2", "11/24 예약(미입장) 1", "11/24 노쇼 1", "11/24 빈 자리 10"]
    )
