"""Freed places: offered to the reserve in drawn order with a hold by the time left, lapses, cancelled lottery
bookings, and the 2 h cut-off after which what is left is first-come (never more than capacity minus held)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.auth.models import User
from app.bookings.models import Slot
from app.bookings.rules import BookingError
from app.bookings.services import book, cancel
from app.lottery.models import LotteryEntry, LotteryRelease
from app.lottery.runner import run_lottery
from app.lottery.services import claim, decline
from app.notifications.models import OutboxMessage
from tests.factories import kst, make_child, make_user
from tests.lottery.conftest import CLAIM_BY, DRAW, assert_counters_match_rows

THURSDAY = DRAW + timedelta(hours=1)
SUN10 = kst(2027, 1, 10, 10)
SAT10 = kst(2027, 1, 9, 10)


def _owner(db, entry) -> User:
    return db.session.get(User, entry.user_id)


def _entry(db, entry_id) -> LotteryEntry:
    db.session.expire_all()
    return db.session.get(LotteryEntry, entry_id)


def _decline(db, entry, at=THURSDAY):
    decline(db.session, _owner(db, entry), entry.id, at)
    db.session.commit()


def _walk_in(db, slot_id, at) -> str:
    """A parent who did not enter books the session directly: "ok" or the refusal's code."""
    parent = make_user(db.session)
    child = make_child(db.session, parent)
    db.session.commit()
    try:
        book(db.session, parent, slot_id, [child.id], now=at)
    except BookingError as error:
        db.session.rollback()
        return error.code
    db.session.commit()
    return "ok"


@pytest.mark.parametrize(
    ("before_start", "hold"),
    [
        (timedelta(hours=48, seconds=1), timedelta(hours=12)),
        (timedelta(hours=48), timedelta(hours=2)),
        (timedelta(hours=6), timedelta(hours=2)),
        (timedelta(hours=6) - timedelta(seconds=1), timedelta(minutes=30)),
        (timedelta(hours=2, seconds=1), timedelta(minutes=30)),
        (timedelta(hours=2), None),
    ],
)
def test_the_hold_of_an_offer_depends_on_the_time_left(db, sessions, drawn, before_start, hold):
    winner, _, reserve = drawn(["sun10"], households=3)
    _decline(db, winner)
    at = SUN10 - before_start
    run_lottery(db.session, at)  # the first run after the decline (a later one lapses the other winner too)
    offered = _entry(db, reserve.id)
    if hold is None:  # offers have stopped: the freed places are first-come
        assert offered.status == "reserve"
        assert {r.status for r in db.session.query(LotteryRelease).all()} == {"first_come"}
        assert db.session.get(Slot, sessions["sun10"]).held == 0
    else:
        assert (offered.status, offered.claim_by) == ("offered", at + hold)
    assert_counters_match_rows(db.session, [sessions["sun10"]])


def test_offers_follow_the_drawn_order_and_skip_households_holding_an_offer(db, sessions, drawn):
    entries = drawn(["sat10", "sun10"], households=6)
    winners, (first, second) = entries[:4], entries[4:]
    assert first.reserve == {str(sessions["sat10"]): 1, str(sessions["sun10"]): 1}
    on_sat = next(e for e in winners if e.won_slot_id == sessions["sat10"])
    on_sun = next(e for e in winners if e.won_slot_id == sessions["sun10"])
    _decline(db, on_sat)
    run_lottery(db.session, THURSDAY)
    assert (_entry(db, first.id).status, _entry(db, first.id).won_slot_id) == ("offered", sessions["sat10"])
    _decline(db, on_sun)
    run_lottery(db.session, THURSDAY)  # the first reserve holds an offer this weekend: the second gets this one
    assert (_entry(db, second.id).status, _entry(db, second.id).won_slot_id) == ("offered", sessions["sun10"])
    assert db.session.query(LotteryRelease).filter_by(status="offered").count() == 2
    assert run_lottery(db.session, THURSDAY) == []
    assert_counters_match_rows(db.session, [sessions["sat10"], sessions["sun10"]])


def test_a_family_waits_until_enough_places_are_freed(db, sessions, drawn):
    """A reserve entry needing two places is not offered one freed place; it is once two wait."""
    entries = drawn(["sat10"], households=2)
    assert [e.status for e in entries] == ["won", "won"]
    parent = make_user(db.session)
    twins = [make_child(db.session, parent).id for _ in range(2)]
    db.session.commit()
    entry = LotteryEntry(
        ref="ab" * 8, user_id=parent.id, weekend=entries[0].weekend, slot_ids=[sessions["sat10"]],
        child_ids=twins, places=2, status="reserve", reserve={str(sessions["sat10"]): 1},
    )  # fmt: skip
    db.session.add(entry)
    db.session.commit()
    _decline(db, entries[0])
    assert run_lottery(db.session, THURSDAY) == []  # one place waiting, the family needs two
    _decline(db, entries[1])
    assert run_lottery(db.session, THURSDAY) == [f"offered slot {sessions['sat10']} to entry {entry.id}"]
    assert_counters_match_rows(db.session, [sessions["sat10"]])


def test_unclaimed_wins_and_offers_lapse_once_and_go_to_the_next_reserve(db, sessions, drawn):
    winner, other, first, second = drawn(["sat10"], households=4)
    claim(db.session, _owner(db, other), other.id, THURSDAY)
    db.session.commit()
    assert run_lottery(db.session, CLAIM_BY - timedelta(microseconds=1)) == []
    done = run_lottery(db.session, CLAIM_BY)
    assert done == [f"lapsed entry {winner.id}", f"offered slot {sessions['sat10']} to entry {first.id}"]
    lapsed = db.session.query(OutboxMessage).filter_by(event="lottery_lapsed").one()
    assert lapsed.user_id == winner.user_id and lapsed.payload["deadline"] == "1월 8일(금) 12:00"
    offer_ends = _entry(db, first.id).claim_by
    assert offer_ends == CLAIM_BY + timedelta(hours=2)  # Fri 12:00 is 46 h before the session
    done = run_lottery(db.session, offer_ends)
    assert done == [f"lapsed entry {first.id}", f"offered slot {sessions['sat10']} to entry {second.id}"]
    assert run_lottery(db.session, offer_ends) == []
    assert _entry(db, winner.id).status == "lapsed" and _entry(db, other.id).status == "claimed"
    assert_counters_match_rows(db.session, [sessions["sat10"]])


def test_a_cancelled_lottery_booking_goes_back_to_the_reserve_until_the_cut_off(db, sessions, drawn):
    winner, other, first, second = drawn(["sat10"], households=4)
    for entry in (winner, other):
        claim(db.session, _owner(db, entry), entry.id, THURSDAY)
        db.session.commit()
    booking_id = _entry(db, winner.id).booking_id
    cancel(db.session, _owner(db, winner), booking_id, THURSDAY)
    db.session.commit()
    assert [r.source for r in db.session.query(LotteryRelease).all()] == [f"booking:{booking_id}:cancelled:0"]
    assert _walk_in(db, sessions["sat10"], SAT10 - timedelta(hours=2)) == "slot_full"  # held for the reserve
    assert run_lottery(db.session, THURSDAY) == [f"offered slot {sessions['sat10']} to entry {first.id}"]
    claim(db.session, _owner(db, first), first.id, THURSDAY)
    db.session.commit()
    # After the cut-off a cancelled lottery booking's place is simply free again.
    late = SAT10 - timedelta(hours=2)
    cancel(db.session, _owner(db, first), _entry(db, first.id).booking_id, late)
    db.session.commit()
    assert db.session.query(LotteryRelease).count() == 1 and run_lottery(db.session, late) == []
    assert _walk_in(db, sessions["sat10"], late) == "ok"
    assert _entry(db, second.id).status == "reserve"
    assert_counters_match_rows(db.session, [sessions["sat10"]])


def test_after_the_cut_off_freed_places_are_first_come_but_never_beyond_capacity(db, sessions, drawn):
    winner, other, first = drawn(["sat10"], households=3)
    claim(db.session, _owner(db, other), other.id, THURSDAY)
    db.session.commit()
    _decline(db, winner)
    offered_at = SAT10 - timedelta(hours=2, minutes=10)  # the job was down until then: a 30 min hold
    assert run_lottery(db.session, offered_at) == [f"offered slot {sessions['sat10']} to entry {first.id}"]
    cut_off = SAT10 - timedelta(hours=2)
    assert _walk_in(db, sessions["sat10"], cut_off - timedelta(microseconds=1)) == "lottery_only"
    assert _walk_in(db, sessions["sat10"], cut_off) == "slot_full"  # the offer still holds the place
    ends = offered_at + timedelta(minutes=30)
    assert run_lottery(db.session, ends) == [f"lapsed entry {first.id}", f"first-come 1 in slot {sessions['sat10']}"]
    assert _walk_in(db, sessions["sat10"], ends) == "ok"
    assert _walk_in(db, sessions["sat10"], ends) == "slot_full"
    slot = db.session.get(Slot, sessions["sat10"])
    assert (slot.booked, slot.held, slot.capacity) == (2, 0, 2)
    assert_counters_match_rows(db.session, [sessions["sat10"]])


def test_a_lottery_place_freed_by_a_deleted_account_goes_to_the_reserve(db, sessions, drawn):
    from app.privacy.account import delete_account

    winner, other, first = drawn(["sat10"], households=3)
    claim(db.session, _owner(db, winner), winner.id, THURSDAY)
    db.session.commit()
    booking_id = _entry(db, winner.id).booking_id
    assert delete_account(db.session, _owner(db, winner), "sunny-day-1", THURSDAY)
    db.session.commit()
    assert [r.source for r in db.session.query(LotteryRelease).all()] == [f"booking:{booking_id}:cancelled:0"]
    assert run_lottery(db.session, THURSDAY) == [f"offered slot {sessions['sat10']} to entry {first.id}"]
    assert_counters_match_rows(db.session, [sessions["sat10"]])
