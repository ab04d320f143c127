"""The booking API: public slots, bearer-authenticated booking, listing, cancelling and iCalendar."""

from datetime import date, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from app.bookings.models import Booking, Slot
from app.timeutil import KST, utcnow
from tests.factories import bearer, make_child, make_slot, make_user, set_policy


@pytest.fixture
def soon(db, cafe):
    """A slot two days from the real clock (the API reads it), in an always-open café."""
    set_policy(db.session, cafe, closed_on_holidays=False)
    start = (utcnow() + timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
    slot = make_slot(db.session, cafe, start, capacity=2)
    db.session.commit()
    return slot


def test_slots_of_a_day_are_public(client, soon):
    day = soon.starts_at.astimezone(KST).date()
    r = client.get(f"/api/facilities/{soon.facility_id}/slots", query_string={"date": day.isoformat()})
    assert r.status_code == 200
    (item,) = r.get_json()["items"]
    assert item == {
        "id": soon.id,
        "starts_at": soon.starts_at.astimezone(KST).isoformat(),
        "ends_at": soon.ends_at.astimezone(KST).isoformat(),
        "capacity": 2,
        "remaining": 2,
        "bookable": True,
        "state": "open",
        "label": "2자리 남음",
        "allocation": "first_come",  # a first-come facility: no "lottery" object (#12)
    }
    empty = client.get(f"/api/facilities/{soon.facility_id}/slots", query_string={"date": "2020-01-01"})
    assert empty.get_json()["items"] == []


@pytest.mark.parametrize("raw", ["", "2026-13-01", "tomorrow"])
def test_slots_bad_date_is_400(client, soon, raw):
    r = client.get(f"/api/facilities/{soon.facility_id}/slots", query_string={"date": raw})
    assert r.status_code == 400 and r.get_json()["error"] == "invalid_parameter"


def test_slots_unknown_facility_is_404(client, db):
    assert client.get("/api/facilities/999999/slots?date=2026-11-24").status_code == 404


def test_book_list_ics_and_cancel(client, db, soon, parent):
    headers = bearer(db.session, parent)
    kid = parent.children[0]
    r = client.post("/api/bookings", json={"slot_id": soon.id, "child_ids": [kid.id], "guardians": 1}, headers=headers)
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["status"] == "confirmed" and body["children"] == [{"id": kid.id, "name": kid.name}]
    assert db.session.get(Slot, soon.id).booked == 1
    listed = client.get("/api/bookings", headers=headers).get_json()["items"]
    assert [b["code"] for b in listed] == [body["code"]]
    ics = client.get(f"/api/bookings/{body['id']}.ics", headers=headers)
    assert ics.status_code == 200 and ics.mimetype == "text/calendar"
    (event,) = Calendar.from_ical(ics.data).walk("VEVENT")
    assert event["dtstart"].dt == soon.starts_at and body["code"] in str(event["summary"])
    cancelled = client.post(f"/api/bookings/{body['id']}/cancel", headers=headers)
    assert cancelled.status_code == 200 and cancelled.get_json()["status"] == "cancelled"
    db.session.expire_all()
    assert db.session.get(Slot, soon.id).booked == 0
    again = client.post(f"/api/bookings/{body['id']}/cancel", headers=headers)
    assert again.status_code == 409 and again.get_json()["error"] == "not_cancellable"


def test_refusals_are_json_with_code_and_korean_message(client, db, soon, parent):
    headers = bearer(db.session, parent)
    ids = [c.id for c in parent.children]
    others = []
    for _ in range(2):
        user = make_user(db.session)
        others.append((user, make_child(db.session, user)))
    db.session.commit()
    for user, kid in others:
        assert (
            client.post(
                "/api/bookings", json={"slot_id": soon.id, "child_ids": [kid.id]}, headers=bearer(db.session, user)
            ).status_code
            == 201
        )
    r = client.post("/api/bookings", json={"slot_id": soon.id, "child_ids": ids}, headers=headers)
    assert r.status_code == 409
    assert r.get_json()["error"] == "slot_full" and "자리" in r.get_json()["message"]
    assert db.session.scalar(select(func.count()).select_from(Booking)) == 2
    r = client.post("/api/bookings", json={"slot_id": soon.id, "child_ids": ids, "guardians": 5}, headers=headers)
    assert r.status_code == 422 and r.get_json()["error"] == "too_many_guardians"


@pytest.mark.parametrize(
    "body",
    [
        None,
        {"slot_id": "1", "child_ids": [1]},
        {"slot_id": 1, "child_ids": "1"},
        {"slot_id": 1, "child_ids": [1], "guardians": True},
    ],
)
def test_malformed_request_is_400(client, db, soon, parent, body):
    r = client.post("/api/bookings", json=body, headers=bearer(db.session, parent))
    assert r.status_code == 400


def test_needs_a_token_and_hides_other_parents_bookings(client, db, soon, parent):
    assert client.post("/api/bookings", json={"slot_id": soon.id, "child_ids": [1]}).status_code == 401
    assert client.get("/api/bookings").status_code == 401
    headers = bearer(db.session, parent)
    booking_id = client.post(
        "/api/bookings", json={"slot_id": soon.id, "child_ids": [parent.children[0].id]}, headers=headers
    ).get_json()["id"]
    stranger = make_user(db.session)
    db.session.commit()
    theirs = bearer(db.session, stranger)
    assert client.get(f"/api/bookings/{booking_id}", headers=theirs).status_code == 404
    assert client.get(f"/api/bookings/{booking_id}.ics", headers=theirs).status_code == 404
    assert client.post(f"/api/bookings/{booking_id}/cancel", headers=theirs).status_code == 404
    assert client.get("/api/bookings", headers=theirs).get_json()["items"] == []
    assert client.get(f"/api/bookings/{booking_id}", headers=headers).get_json()["id"] == booking_id
    assert (
        date.fromisoformat(client.get(f"/api/bookings/{booking_id}", headers=headers).get_json()["starts_at"][:10])
        == soon.starts_at.astimezone(KST).date()
    )
