"""Entering the weekend lottery: each refusal code, one entry per household, the window's edges, withdrawing."""

from __future__ import annotations

import pytest

from app.bookings.rules import BookingError
from app.bookings.services import book
from app.lottery.services import enter, withdraw
from tests.factories import kst, make_user, set_policy
from tests.lottery.conftest import OPEN, SATURDAY


def _code(action) -> str:
    try:
        action()
    except BookingError as error:
        return error.code
    return "ok"


def test_an_entry_holds_ranked_choices_of_one_weekend(db, sessions, household):
    parent, kids = household
    entry = enter(db.session, parent, [sessions["sun10"], sessions["sat10"]], kids, 2, OPEN)
    db.session.commit()
    assert (entry.status, entry.weekend, entry.slot_ids, entry.places, entry.guardians) == (
        "entered",
        SATURDAY,
        [sessions["sun10"], sessions["sat10"]],
        2,
        2,
    )
    assert len(entry.ref) == 16 and str(parent.id) != entry.ref


@pytest.mark.parametrize(
    ("choices", "code"),
    [
        ([], "too_many_choices"),
        (["sat10", "sat14", "sun10", "sat10"], "too_many_choices"),
        (["sat10", "sat10"], "too_many_choices"),
        (["sat10", "fri10"], "not_lottery"),
        (["sat10", "next_sat"], "different_weekends"),
    ],
)
def test_choices_refused(db, sessions, household, choices, code):
    parent, kids = household
    assert _code(lambda: enter(db.session, parent, [sessions[c] for c in choices], kids, 1, OPEN)) == code


def test_a_first_come_facility_is_not_in_the_lottery(db, sessions, household, lottery_cafe):
    set_policy(db.session, lottery_cafe, allocation="first_come")
    parent, kids = household
    assert _code(lambda: enter(db.session, parent, [sessions["sat10"]], kids, 1, OPEN)) == "not_lottery"


def test_one_entry_per_household_and_weekend(db, sessions, household):
    parent, kids = household
    first = enter(db.session, parent, [sessions["sat10"]], kids[:1], 1, OPEN)
    db.session.commit()
    assert _code(lambda: enter(db.session, parent, [sessions["sun10"]], kids[1:], 1, OPEN)) == "duplicate_entry"
    db.session.rollback()
    withdraw(db.session, parent, first.id, OPEN)
    db.session.commit()
    assert _code(lambda: enter(db.session, parent, [sessions["sun10"]], kids[1:], 1, OPEN)) == "ok"


@pytest.mark.parametrize(
    ("moment", "code"),
    [
        (kst(2027, 1, 5, 8, 59), "lottery_closed"),
        (kst(2027, 1, 5, 9, 0), "ok"),
        (kst(2027, 1, 6, 23, 58), "ok"),
        (kst(2027, 1, 6, 23, 59), "lottery_closed"),
    ],
)
def test_the_window_opens_tuesday_9_and_closes_wednesday_23_59(db, sessions, household, moment, code):
    parent, kids = household
    assert _code(lambda: enter(db.session, parent, [sessions["sat10"]], kids, 1, moment)) == code


def test_booking_rules_checked_at_entry_with_their_codes(db, sessions, household, lottery_cafe):
    parent, kids = household
    other = make_user(db.session)
    assert _code(lambda: enter(db.session, other, [sessions["sat10"]], kids, 1, OPEN)) == "invalid_children"
    assert _code(lambda: enter(db.session, parent, [sessions["sat10"]], kids, 3, OPEN)) == "too_many_guardians"
    set_policy(db.session, lottery_cafe, max_children=1)
    assert _code(lambda: enter(db.session, parent, [sessions["sat10"]], kids, 1, OPEN)) == "too_many_children"
    set_policy(db.session, lottery_cafe, max_children=4, age_min=4)
    assert _code(lambda: enter(db.session, parent, [sessions["sat10"]], kids, 1, OPEN)) == "age_out_of_range"
    parent.banned_until = kst(2027, 2, 1)
    db.session.commit()
    assert _code(lambda: enter(db.session, parent, [sessions["sat10"]], kids[:1], 1, OPEN)) == "banned"


def test_withdraw_only_before_the_close(db, sessions, household):
    parent, kids = household
    entry = enter(db.session, parent, [sessions["sat10"]], kids, 1, OPEN)
    db.session.commit()
    assert _code(lambda: withdraw(db.session, parent, entry.id, kst(2027, 1, 6, 23, 59))) == "lottery_closed"
    assert _code(lambda: withdraw(db.session, make_user(db.session), entry.id, OPEN)) == "not_found"
    assert withdraw(db.session, parent, entry.id, kst(2027, 1, 6, 23, 58)).status == "withdrawn"


def test_a_lottery_session_is_not_booked_directly_until_2_hours_before(db, sessions, household):
    parent, kids = household
    sat10 = kst(2027, 1, 9, 10)
    too_soon = kst(2027, 1, 9, 7, 59)
    assert _code(lambda: book(db.session, parent, sessions["sat10"], kids[:1], now=too_soon)) == "lottery_only"
    assert _code(lambda: book(db.session, parent, sessions["fri10"], kids[:1], now=OPEN)) == "ok"
    assert _code(lambda: book(db.session, parent, sessions["sat10"], kids[:1], now=sat10.replace(hour=8))) == "ok"
