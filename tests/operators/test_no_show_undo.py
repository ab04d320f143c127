"""No-show timing (too_early at the facility's delay) and its undo within 24 hours: ban, cancelled bookings, places,
audit, and who may undo — services with an injected clock, then the API and the pages."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from app.auth.models import User
from app.bookings.models import Booking, BookingChild, Slot
from app.bookings.rules import BookingError
from app.operators import services
from app.timeutil import KST, utcnow
from tests.factories import ONE_CHILD, bearer, login, make_slot, make_user, place_booking, set_policy
from tests.support import audits

AT_10 = datetime(2026, 11, 24, 10, 0, tzinfo=KST)  # a Tuesday session start
REASON = "노쇼 이용 제한 (2026-12-24까지)"


def test_no_show_is_refused_until_30_minutes_after_the_start(db, cafe, staff):
    booking = place_booking(db.session, make_user(db.session, children=ONE_CHILD), make_slot(db.session, cafe, AT_10))
    with pytest.raises(BookingError) as early:
        services.no_show(db.session, staff, booking, AT_10 + timedelta(minutes=29, seconds=59))
    db.session.rollback()
    assert (early.value.code, early.value.status) == ("too_early", 409) and "10:30부터" in early.value.message
    assert db.session.get(Booking, booking.id).status == "confirmed" and audits(db.session, "booking.no_show") == []
    services.no_show(db.session, staff, booking, AT_10 + timedelta(minutes=30))
    db.session.commit()
    assert db.session.get(Booking, booking.id).status == "no_show"


def test_the_delay_is_the_facilitys_setting(db, cafe, staff):
    set_policy(db.session, cafe, no_show_after_minutes=45)
    booking = place_booking(db.session, make_user(db.session, children=ONE_CHILD), make_slot(db.session, cafe, AT_10))
    with pytest.raises(BookingError):
        services.no_show(db.session, staff, booking, AT_10 + timedelta(minutes=44, seconds=59))
    db.session.rollback()
    services.no_show(db.session, staff, booking, AT_10 + timedelta(minutes=45))


@pytest.fixture
def marked(db, cafe, staff, make_facility):
    """A no-show at 10:30 that cancelled three later bookings (one at another facility); the parent had a ban."""
    parent = make_user(db.session, children=ONE_CHILD)
    earlier_ban = AT_10 - timedelta(days=2)  # an old, expired ban: undo puts exactly this back
    parent.banned_until = earlier_ban
    db.session.commit()
    elsewhere = make_facility(kind="kids_cafe", name="다른 구 키즈카페")
    set_policy(db.session, elsewhere, closed_on_holidays=False)
    today = place_booking(db.session, parent, make_slot(db.session, cafe, AT_10, capacity=5))
    later = place_booking(db.session, parent, make_slot(db.session, cafe, AT_10 + timedelta(days=2), capacity=5))
    tight = place_booking(db.session, parent, make_slot(db.session, cafe, AT_10 + timedelta(days=3), capacity=1))
    away = place_booking(db.session, parent, make_slot(db.session, elsewhere, AT_10 + timedelta(days=4), capacity=5))
    preview = services.no_show_preview(db.session, today, AT_10 + timedelta(minutes=30))
    result = services.no_show(db.session, staff, today, AT_10 + timedelta(minutes=30))
    db.session.commit()
    return dict(
        parent=parent, ban=earlier_ban, today=today, later=later, tight=tight, away=away, result=result, preview=preview
    )


def test_confirmation_lists_what_the_no_show_cancels(marked):
    preview = marked["preview"]
    assert preview["too_early"] is False and preview["banned_until"] == AT_10 + timedelta(minutes=30, days=30)
    assert preview["cancels"] == [
        {"facility": "시청점", "when": "2026-11-26 (목) 10:00–12:00"},
        {"facility": "시청점", "when": "2026-11-27 (금) 10:00–12:00"},
        {"facility": "다른 구 키즈카페", "when": "2026-11-28 (토) 10:00–12:00"},
    ]
    assert set(marked["result"]["cancelled_bookings"]) == {marked[k].code for k in ("later", "tight", "away")}


def test_undo_restores_ban_bookings_and_places_and_is_audited(db, staff, marked):
    # Meanwhile another family took the only place of the tight session.
    place_booking(db.session, make_user(db.session, children=ONE_CHILD), db.session.get(Slot, marked["tight"].slot_id))
    assert db.session.get(Booking, marked["later"].id).cancel_reason == REASON
    after = services.undo_no_show(db.session, staff, marked["today"], AT_10 + timedelta(hours=3))
    db.session.commit()
    assert db.session.get(Booking, marked["today"].id).status == "confirmed"
    assert db.session.get(User, marked["parent"].id).banned_until == marked["ban"]
    for key in ("later", "away"):
        b = db.session.get(Booking, marked[key].id)
        assert (b.status, b.cancel_reason, b.cancelled_at) == ("confirmed", None, None)
        assert all(p.active for p in db.session.query(BookingChild).filter_by(booking_id=b.id))
        assert db.session.get(Slot, b.slot_id).booked == 1  # the place is counted again
    tight = db.session.get(Booking, marked["tight"].id)
    assert tight.status == "cancelled" and tight.cancel_reason == "노쇼 이용 제한 해제 · 남은 자리가 없습니다"
    assert db.session.get(Slot, tight.slot_id).booked == 1  # still only the other family
    assert sorted(after["restored_bookings"]) == sorted([marked["later"].code, marked["away"].code])
    assert after["not_restored"] == [{"code": tight.code, "reason": "남은 자리가 없습니다"}]
    [entry] = audits(db.session, "booking.no_show_undo")
    assert entry.actor_id == staff.id and entry.after["not_restored"][0]["code"] == tight.code
    assert entry.before["status"] == "no_show" and entry.after["status"] == "confirmed"
    # Once undone there is nothing left to undo.
    with pytest.raises(BookingError) as again:
        services.undo_no_show(db.session, staff, marked["today"], AT_10 + timedelta(hours=4))
    assert again.value.code == "not_undoable"


def test_undo_keeps_a_ban_another_no_show_set(db, cafe, staff, marked):
    second = place_booking(db.session, marked["parent"], make_slot(db.session, cafe, AT_10 + timedelta(hours=3)))
    services.no_show(db.session, staff, second, AT_10 + timedelta(hours=4))
    db.session.commit()
    services.undo_no_show(db.session, staff, marked["today"], AT_10 + timedelta(hours=5))
    db.session.commit()
    assert db.session.get(User, marked["parent"].id).banned_until == AT_10 + timedelta(hours=4, days=30)


def test_undo_only_within_24_hours(db, staff, marked):
    with pytest.raises(BookingError) as late:
        services.undo_no_show(db.session, staff, marked["today"], AT_10 + timedelta(minutes=30, hours=24, seconds=1))
    db.session.rollback()
    assert (late.value.code, late.value.status) == ("undo_expired", 409)
    assert db.session.get(Booking, marked["today"].id).status == "no_show"
    assert audits(db.session, "booking.no_show_undo") == []
    services.undo_no_show(db.session, staff, marked["today"], AT_10 + timedelta(minutes=30, hours=24))


def test_a_session_already_past_is_not_restored(db, cafe, staff):
    parent = make_user(db.session, children=ONE_CHILD)
    today = place_booking(db.session, parent, make_slot(db.session, cafe, AT_10))
    afternoon = place_booking(db.session, parent, make_slot(db.session, cafe, AT_10 + timedelta(hours=5)))
    services.no_show(db.session, staff, today, AT_10 + timedelta(minutes=30))
    after = services.undo_no_show(db.session, staff, today, AT_10 + timedelta(hours=6))
    db.session.commit()
    assert after["not_restored"] == [{"code": afternoon.code, "reason": "이미 지난 회차입니다"}]
    assert db.session.get(Booking, afternoon.id).status == "cancelled"
    assert db.session.get(Slot, afternoon.slot_id).booked == 0


# The API (real clock) ------------------------------------------------------------------------------------------


@pytest.fixture
def live(db, cafe):
    parent = make_user(db.session, children=(("하늘", date(2021, 5, 5)),))
    just_started = place_booking(db.session, parent, make_slot(db.session, cafe, utcnow() - timedelta(minutes=10)))
    started = place_booking(db.session, parent, make_slot(db.session, cafe, utcnow() - timedelta(minutes=40)))
    future = place_booking(db.session, parent, make_slot(db.session, cafe, utcnow() + timedelta(days=1), capacity=3))
    return dict(parent=parent, just_started=just_started, started=started, future=future)


def test_api_no_show_too_early_then_undo(client, db, staff, live, make_facility):
    auth = bearer(db.session, staff)
    early = client.post(f"/api/operator/bookings/{live['just_started'].id}/no-show", headers=auth)
    assert early.status_code == 409 and early.get_json()["error"] == "too_early"
    preview = client.get(f"/api/operator/bookings/{live['started'].id}/no-show", headers=auth).get_json()
    assert preview["too_early"] is False and [c["facility"] for c in preview["cancels"]] == ["시청점"]
    done = client.post(f"/api/operator/bookings/{live['started'].id}/no-show", headers=auth)
    assert done.status_code == 200 and done.get_json()["cancelled_bookings"] == [live["future"].code]
    roster = client.get(f"/api/operator/slots/{live['started'].slot_id}/roster", headers=auth).get_json()
    assert roster["items"][0]["undoable"] is True
    stranger = make_user(db.session, "operator", [make_facility(kind="kids_cafe")])
    for who in (stranger, live["parent"]):
        refused = client.post(
            f"/api/operator/bookings/{live['started'].id}/no-show/undo", headers=bearer(db.session, who)
        )
        assert refused.status_code == 403
    assert client.post("/api/operator/bookings/999999/no-show/undo", headers=auth).status_code == 404
    undone = client.post(f"/api/operator/bookings/{live['started'].id}/no-show/undo", headers=auth)
    body = undone.get_json()
    assert undone.status_code == 200 and body["status"] == "confirmed" and body["banned_until"] is None
    assert body["restored_bookings"] == [live["future"].code] and body["not_restored"] == []
    assert db.session.get(Slot, live["future"].slot_id).booked == 1
    again = client.post(f"/api/operator/bookings/{live['started'].id}/no-show/undo", headers=auth)
    assert again.status_code == 409 and again.get_json()["error"] == "not_undoable"


def test_openapi_documents_the_undo(client):
    paths = client.get("/api/openapi.json").get_json()["paths"]
    undo = paths["/api/operator/bookings/{booking_id}/no-show/undo"]["post"]
    assert "409" in undo["responses"] and "too_early" in str(paths["/api/operator/bookings/{booking_id}/no-show"])


# Pages ---------------------------------------------------------------------------------------------------------


def test_page_confirmation_then_undo_from_the_roster(client, db, staff, live):
    login(client, staff)
    confirm = client.get(f"/operator/bookings/{live['started'].id}/no-show").get_data(as_text=True)
    assert "노쇼 처리 확인" in confirm and "시청점 · " in confirm and "예약 1건 취소" in confirm
    too_early = client.get(f"/operator/bookings/{live['just_started'].id}/no-show").get_data(as_text=True)
    assert "아직 노쇼로 처리할 수 없습니다" in too_early and 'name="confirm"' not in too_early
    refused = client.post(
        f"/operator/bookings/{live['just_started'].id}/no-show", data={"confirm": "1"}, follow_redirects=True
    )
    assert refused.request.path.endswith("/roster") and refused.get_data(as_text=True).count("부터 처리할 수") == 1
    done = client.post(f"/operator/bookings/{live['started'].id}/no-show", data={"confirm": "1"})
    assert done.status_code == 303 and done.location.endswith(f"#booking-{live['started'].id}")
    roster = client.get(done.location).get_data(as_text=True)
    assert "노쇼 되돌리기" in roster
    undone = client.post(f"/operator/bookings/{live['started'].id}/no-show/undo", follow_redirects=True)
    assert "노쇼 처리를 되돌렸습니다" in undone.get_data(as_text=True)
    assert db.session.get(Booking, live["future"].id).status == "confirmed"


def test_another_facilitys_operator_cannot_undo_from_the_page(client, db, staff, live, make_facility):
    login(client, staff)
    client.post(f"/operator/bookings/{live['started'].id}/no-show", data={"confirm": "1"})
    client.post("/logout")
    login(client, make_user(db.session, "operator", [make_facility(kind="kids_cafe")]))
    assert client.post(f"/operator/bookings/{live['started'].id}/no-show/undo").status_code == 403
    assert db.session.get(Booking, live["started"].id).status == "no_show"
