"""Operator API with bearer tokens: roster, check-in, no-show, PATCH capacity, roles and facilities."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.bookings.models import Booking, Slot
from app.timeutil import utcnow
from tests.factories import ONE_CHILD, bearer, make_slot, make_user, place_booking
from tests.support import audits


@pytest.fixture
def world(db, operated):
    slot = make_slot(db.session, operated["cafe"], utcnow() - timedelta(minutes=40), capacity=4)
    parent = make_user(db.session, children=(("하늘", date(2021, 5, 5)), ("바다", date(2023, 1, 1))))
    return dict(operated, slot=slot, parent=parent, booking=place_booking(db.session, parent, slot))


def test_roster_json(client, db, world):
    got = client.get(f"/api/operator/slots/{world['slot'].id}/roster", headers=bearer(db.session, world["operator"]))
    body = got.get_json()
    assert got.status_code == 200 and body["slot"]["booked"] == 2
    assert [(i["code"], i["status"], [c["name"] for c in i["children"]]) for i in body["items"]] == [
        (world["booking"].code, "confirmed", ["하늘", "바다"])
    ]


def test_check_in_and_no_show(client, db, world):
    auth = bearer(db.session, world["operator"])
    done = client.post(f"/api/operator/bookings/{world['booking'].id}/check-in", headers=auth)
    assert done.status_code == 200 and done.get_json()["status"] == "checked_in"
    assert client.post(f"/api/operator/bookings/{world['booking'].id}/check-in", headers=auth).status_code == 409
    other = place_booking(db.session, make_user(db.session, children=ONE_CHILD), world["slot"])
    gone = client.post(f"/api/operator/bookings/{other.id}/no-show", headers=auth)
    assert gone.status_code == 200 and gone.get_json()["status"] == "no_show" and gone.get_json()["banned_until"]
    assert db.session.get(Booking, other.id).status == "no_show"
    assert len(audits(db.session, "booking.check_in")) == 1 and len(audits(db.session, "booking.no_show")) == 1


def test_patch_capacity_refuses_below_booked(client, db, world):
    auth = bearer(db.session, world["operator"])
    url = f"/api/operator/slots/{world['slot'].id}"
    low = client.patch(url, json={"capacity": 1}, headers=auth)
    body = low.get_json()
    assert low.status_code == 409 and body["error"] == "capacity_below_booked"
    assert body["slots"][0]["id"] == world["slot"].id and body["slots"][0]["booked"] == 2 and body["message"]
    assert client.patch(url, json={"capacity": "x"}, headers=auth).status_code == 400
    ok = client.patch(url, json={"capacity": 2}, headers=auth)
    assert ok.status_code == 200 and ok.get_json()["capacity"] == 2
    assert db.session.get(Slot, world["slot"].id).capacity == 2
    assert [e.after["capacity"] for e in audits(db.session, "slot.capacity")] == [2]


@pytest.mark.parametrize(
    "who, expected", [("anonymous", 401), ("parent", 403), ("stranger", 403), ("operator", 200), ("admin", 200)]
)
def test_api_access(client, db, world, who, expected):
    users = {"parent": world["parent"], "stranger": world["stranger"], "operator": world["operator"]}
    if who == "admin":
        users["admin"] = make_user(db.session, "admin")
    headers = bearer(db.session, users[who]) if who in users else {}
    sid, bid = world["slot"].id, world["booking"].id
    assert client.get(f"/api/operator/slots/{sid}/roster", headers=headers).status_code == expected
    assert client.patch(f"/api/operator/slots/{sid}", json={"capacity": 3}, headers=headers).status_code == expected
    assert client.post(f"/api/operator/bookings/{bid}/check-in", headers=headers).status_code == expected
    assert db.session.get(Slot, sid).capacity == (3 if expected == 200 else 4)
    status = db.session.get(Booking, bid).status
    assert status == ("checked_in" if expected == 200 else "confirmed")


def test_documented_in_openapi(client):
    paths = client.get("/api/openapi.json").get_json()["paths"]
    assert {
        "/api/operator/slots/{slot_id}/roster",
        "/api/operator/slots/{slot_id}",
        "/api/operator/bookings/{booking_id}/check-in",
        "/api/operator/bookings/{booking_id}/no-show",
    } <= set(paths)
