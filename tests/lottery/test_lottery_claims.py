"""Claiming and declining a won or offered place: the booking it makes, the rules checked again, the deadlines."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from app.auth.models import User
from app.bookings.models import Booking, Slot
from app.bookings.rules import BookingError
from app.bookings.services import cancel
from app.lottery.models import LotteryEntry, LotteryRelease
from app.lottery.runner import run_lottery
from app.lottery.services import claim, decline
from app.notifications.models import OutboxMessage
from tests.factories import bearer, make_user
from tests.lottery.conftest import CLAIM_BY, DRAW


def _owner(db, entry) -> User:
    return db.session.get(User, entry.user_id)


def _code(db, action) -> str:
    try:
        action()
    except BookingError as error:
        db.session.rollback()
        return error.code
    db.session.commit()
    return "ok"


def _slot(db, slot_id) -> Slot:
    db.session.expire_all()
    return db.session.get(Slot, slot_id)


def test_the_draw_holds_the_won_places_and_tells_every_household(db, sessions, drawn):
    entries = drawn(["sat10"], households=3)
    assert [e.status for e in entries] == ["won", "won", "reserve"]
    slot = _slot(db, sessions["sat10"])
    assert (slot.booked, slot.held, slot.remaining) == (0, 2, 0)
    events = sorted(m.event for m in db.session.query(OutboxMessage).all())
    assert events == ["lottery_reserve", "lottery_won", "lottery_won"]
    reserve = db.session.query(OutboxMessage).filter_by(event="lottery_reserve").one()
    assert reserve.key == f"lottery_reserve:entry{entries[2].id}:email" and reserve.payload["position"] == 1
    won = db.session.query(OutboxMessage).filter_by(event="lottery_won").first()
    assert won.payload["deadline"] == "1월 8일(금) 12:00" and won.payload["link"].endswith("/bookings")


def test_a_claim_makes_a_confirmed_booking_from_the_held_places(db, sessions, drawn):
    winner = drawn(["sat10"], households=3)[0]
    booking = claim(db.session, _owner(db, winner), winner.id, DRAW + timedelta(hours=1))
    db.session.commit()
    db.session.expire_all()
    entry = db.session.get(LotteryEntry, winner.id)
    assert (entry.status, entry.booking_id) == ("claimed", booking.id)
    assert (booking.status, booking.slot_id, booking.child_ids) == ("confirmed", sessions["sat10"], entry.child_ids)
    slot = _slot(db, sessions["sat10"])
    assert (slot.booked, slot.held) == (1, 1)
    again = _code(db, lambda: claim(db.session, _owner(db, entry), entry.id, DRAW + timedelta(hours=2)))
    assert again == "not_claimable"
    # A normal booking from now on: the 30-minute cancellation rule applies.
    late = booking.starts_at - timedelta(minutes=29)
    assert _code(db, lambda: cancel(db.session, _owner(db, entry), booking.id, late)) == "too_late_to_cancel"


def test_every_booking_rule_is_checked_again_at_the_claim(db, sessions, drawn):
    winner = drawn(["sat10"], households=2)[0]
    parent = _owner(db, winner)
    parent.banned_until = CLAIM_BY + timedelta(days=30)  # a no-show elsewhere after the draw
    db.session.commit()
    assert _code(db, lambda: claim(db.session, parent, winner.id, DRAW + timedelta(hours=1))) == "banned"
    db.session.expire_all()
    assert db.session.get(LotteryEntry, winner.id).status == "won"  # the refusal changed nothing
    assert _slot(db, sessions["sat10"]).held == 2 and db.session.query(Booking).count() == 0


def test_the_claim_deadline_is_exact(db, sessions, drawn):
    first, second = drawn(["sat10"], households=2)[:2]
    assert _code(db, lambda: claim(db.session, _owner(db, first), first.id, CLAIM_BY)) == "claim_expired"
    assert _code(db, lambda: decline(db.session, _owner(db, first), first.id, CLAIM_BY)) == "claim_expired"
    just_before = CLAIM_BY - timedelta(microseconds=1)
    assert _code(db, lambda: claim(db.session, _owner(db, second), second.id, just_before)) == "ok"


def test_only_won_or_offered_entries_of_ones_own_household(db, sessions, drawn):
    winner, _, reserve = drawn(["sat10"], households=3)
    stranger = make_user(db.session)
    db.session.commit()
    assert _code(db, lambda: claim(db.session, stranger, winner.id, DRAW)) == "not_found"
    assert _code(db, lambda: decline(db.session, stranger, winner.id, DRAW)) == "not_found"
    assert _code(db, lambda: claim(db.session, _owner(db, reserve), reserve.id, DRAW)) == "not_claimable"


def test_a_decline_is_offered_to_the_first_reserve_at_the_next_run(db, sessions, drawn):
    winner, _, first_reserve, second_reserve = drawn(["sat10"], households=4)
    at = DRAW + timedelta(hours=1)  # Thu 11:00, 47 h before the Saturday session: a 2 h hold
    declined = decline(db.session, _owner(db, winner), winner.id, at)
    db.session.commit()
    assert declined.status == "declined"
    assert [r.source for r in db.session.query(LotteryRelease).all()] == [f"entry:{winner.id}:declined:0"]
    assert _slot(db, sessions["sat10"]).held == 2  # still held: waiting for the offer
    assert run_lottery(db.session, at) == [f"offered slot {sessions['sat10']} to entry {first_reserve.id}"]
    assert run_lottery(db.session, at) == []  # one offer per freed place
    db.session.expire_all()
    offered = db.session.get(LotteryEntry, first_reserve.id)
    assert (offered.status, offered.won_slot_id, offered.claim_by) == (
        "offered",
        sessions["sat10"],
        at + timedelta(hours=2),
    )
    assert db.session.get(LotteryEntry, second_reserve.id).status == "reserve"
    message = db.session.query(OutboxMessage).filter_by(event="lottery_offer").one()
    assert message.user_id == offered.user_id and message.payload["deadline"] == "1월 7일(목) 13:00"
    booking = claim(db.session, _owner(db, offered), offered.id, at + timedelta(minutes=119))
    db.session.commit()
    slot = _slot(db, sessions["sat10"])
    assert (booking.status, slot.booked, slot.held) == ("confirmed", 1, 1)


@pytest.mark.parametrize("path", ["claim", "decline"])
def test_claim_and_decline_through_the_api(app, client, db, sessions, drawn, path):
    winner, _, reserve = drawn(["sat10"], households=3)
    with time_machine.travel(DRAW + timedelta(hours=1), tick=False):
        headers = bearer(db.session, _owner(db, winner))
        other = client.post(
            f"/api/lottery/entries/{winner.id}/{path}", headers=bearer(db.session, make_user(db.session))
        )
        assert (other.status_code, other.get_json()["error"]) == (404, "not_found")
        answer = client.post(f"/api/lottery/entries/{winner.id}/{path}", headers=headers)
        if path == "claim":
            assert answer.status_code == 201
            body = answer.get_json()
            assert (body["status"], body["slot_id"]) == ("confirmed", sessions["sat10"]) and body["code"]
            mine = client.get(f"/api/bookings/{body['id']}", headers=headers).get_json()
            assert mine == body  # the same shape as POST /api/bookings
        else:
            assert (answer.status_code, answer.get_json()["status"]) == (200, "declined")
            run_lottery(db.session, DRAW + timedelta(hours=1))
        twice = client.post(f"/api/lottery/entries/{winner.id}/{path}", headers=headers)
        assert (twice.status_code, twice.get_json()["error"]) == (409, "not_claimable")
        items = client.get("/api/lottery/entries", headers=bearer(db.session, _owner(db, reserve))).get_json()["items"]
    (item,) = items
    assert item["reserve_position"] == 1 and item["reserve"] == {str(sessions["sat10"]): 1}
    if path == "claim":
        assert (item["status"], item["offer_expires_at"]) == ("reserve", None)
    else:
        assert item["status"] == "offered" and item["won_slot_id"] == sessions["sat10"]
        assert item["offer_expires_at"] == item["claim_by"] == "2027-01-07T13:00:00+09:00"
