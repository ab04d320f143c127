"""A parent's own data: the export holds only theirs; deleting cancels, anonymises, locks out and forgets names."""

from __future__ import annotations

from datetime import date, timedelta

from app.auth.models import ApiToken, Child, User
from app.bookings.models import Booking, BookingChild, Slot
from app.notifications import notify
from app.notifications.models import NotificationSettings, OutboxMessage
from app.timeutil import KST, utcnow
from tests.factories import PASSWORD, bearer, login, make_slot, make_user, place_booking


def test_export_holds_the_parents_own_data_only(client, db, world):
    other = make_user(db.session, name="박민수", email="park@example.com", children=(("별이", date(2020, 1, 1)),))
    other_booking = place_booking(db.session, other, world["slot"])
    data = client.get("/api/me/export", headers=bearer(db.session, world["parent"]))
    assert data.headers["Content-Disposition"].startswith("attachment")
    body = data.get_json()
    assert body["account"]["email"] == "kim@example.com"
    assert [c["name"] for c in body["children"]] == ["하늘"]
    assert [(b["code"], b["facility"], b["children"]) for b in body["bookings"]] == [
        (world["booking"].code, "시청점", ["하늘"])
    ]
    text = data.get_data(as_text=True)
    assert "park@example.com" not in text and other_booking.code not in text and "\\ubcc4\\uc774" not in text


def _delete_world(db, world) -> Booking:
    """Add a booking that already happened (yesterday) to the parent's upcoming one."""
    past = make_slot(db.session, world["cafe"], world["slot"].starts_at - timedelta(days=2), capacity=5)
    return place_booking(db.session, world["parent"], past, status="checked_in")


def test_delete_cancels_returns_places_anonymises_and_locks_out(client, db, world):
    past = _delete_world(db, world)
    parent_id, token = world["parent"].id, bearer(db.session, world["parent"])
    assert client.delete("/api/me", json={"password": "wrong"}, headers=token).get_json()["error"] == "wrong_password"
    r = client.delete("/api/me", json={"password": PASSWORD}, headers=token)
    assert r.status_code == 200 and r.get_json()["cancelled_bookings"] == [world["booking"].code]
    db.session.expire_all()
    upcoming, slot = db.session.get(Booking, world["booking"].id), db.session.get(Slot, world["slot"].id)
    assert (upcoming.status, upcoming.cancel_reason, slot.booked) == ("cancelled", "회원 탈퇴", 0)
    assert db.session.get(Booking, past.id).status == "checked_in"  # history stays, without names
    assert db.session.query(BookingChild).filter(BookingChild.child_id.is_not(None)).count() == 0
    user = db.session.get(User, parent_id)
    assert "김용호" not in user.name and "kim" not in user.email and user.is_locked and user.deleted_at
    assert db.session.query(Child).count() == 0 and db.session.query(ApiToken).count() == 0
    assert client.get("/api/children", headers=token).status_code == 401
    login(client, world["parent"], expect=401)  # the old e-mail and password open nothing


def test_a_deleted_parents_child_names_are_gone_from_roster_and_csv(client, db, world):
    past = _delete_world(db, world)
    client.delete("/api/me", json={"password": PASSWORD}, headers=bearer(db.session, world["parent"]))
    login(client, world["operator"])
    roster = f"/operator/facilities/{world['cafe'].id}/roster"
    day = past.starts_at.astimezone(KST).date().isoformat()
    for url in (roster, roster + ".csv"):
        text = client.get(f"{url}?date={day}").data.decode("utf-8-sig")
        assert past.code in text and "(삭제됨)" in text and "탈퇴한 회원" in text
        assert "하늘" not in text and "김" not in text and "kim@" not in text
    page = client.get(f"{roster}?date={day}").get_data(as_text=True)
    assert f'action="/operator/bookings/{past.id}/contact"' not in page  # nothing left to reveal


def test_delete_page_confirms_first(client, db, world):
    login(client, world["parent"])
    page = client.get("/account/delete").get_data(as_text=True)
    assert "다가오는 예약이 모두 취소" in page and 'name="confirm"' in page
    assert client.post("/account/delete", data={"password": PASSWORD}).status_code == 422  # not confirmed
    assert client.post("/account/delete", data={"password": "nope", "confirm": "y"}).status_code == 403
    assert db.session.get(User, world["parent"].id).deleted_at is None
    done = client.post("/account/delete", data={"password": PASSWORD, "confirm": "y"})
    assert done.status_code == 303 and client.get("/children").status_code == 302  # logged out
    assert db.session.get(User, world["parent"].id).deleted_at is not None


def test_staff_cannot_delete_themselves_here(client, db, world):
    r = client.delete("/api/me", json={"password": PASSWORD}, headers=bearer(db.session, world["operator"]))
    assert r.status_code == 403 and r.get_json()["error"] == "parents_only"
    assert db.session.get(User, world["operator"].id).deleted_at is None


def test_notification_settings_and_messages_are_exported_then_deleted_with_the_account(client, db, world):
    parent = world["parent"]
    db.session.add(
        NotificationSettings(user_id=parent.id, email=True, kakao=False, reminders=False, phone="01012345678")
    )
    notify(db.session, parent, "booking_confirmed", world["booking"], utcnow())
    db.session.commit()
    token = bearer(db.session, parent)
    body = client.get("/api/me/export", headers=token).get_json()
    assert body["notification_settings"] == {"email": True, "kakao": False, "reminders": False, "phone": "01012345678"}
    assert [(m["event"], m["channel"], m["recipient"]) for m in body["notifications"]] == [
        ("booking_confirmed", "email", "k***@example.com")
    ]
    assert client.delete("/api/me", json={"password": PASSWORD}, headers=token).status_code == 200
    for table in (NotificationSettings, OutboxMessage):
        assert db.session.query(table).filter_by(user_id=parent.id).count() == 0
