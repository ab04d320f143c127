"""Lottery fixtures: a kids café that allocates weekends by lottery, its sessions around 2027-01-09, a parent."""

from __future__ import annotations

from datetime import date

import pytest

from tests.factories import kst, make_child, make_slot, make_user, set_policy

SATURDAY = date(2027, 1, 9)  # week Mon 01-04 … Sun 01-10: opens Tue 09:00, closes Wed 23:59, draws Thu 10:00
OPEN = kst(2027, 1, 5, 12)  # inside the default window
DRAW = kst(2027, 1, 7, 10)


@pytest.fixture
def cafe(make_facility):
    facility = make_facility(kind="kids_cafe", age_min=0, age_max=10, closed_on_holidays=False)
    return facility


@pytest.fixture
def lottery_cafe(db, cafe):
    set_policy(db.session, cafe, allocation="lottery_weekends")
    return cafe


@pytest.fixture
def sessions(db, lottery_cafe):
    """Sessions by name: three weekend ones, a weekday one and one of the next weekend."""
    at = {
        "sat10": kst(2027, 1, 9, 10),
        "sat14": kst(2027, 1, 9, 14),
        "sun10": kst(2027, 1, 10, 10),
        "fri10": kst(2027, 1, 8, 10),
        "next_sat": kst(2027, 1, 16, 10),
    }
    slots = {name: make_slot(db.session, lottery_cafe, moment, capacity=2) for name, moment in at.items()}
    db.session.commit()
    return {name: s.id for name, s in slots.items()}


@pytest.fixture
def household(db):
    """A parent and two children (연나이 5 and 3 in 2027)."""
    parent = make_user(db.session)
    kids = [make_child(db.session, parent, date(2022, 5, 1)).id, make_child(db.session, parent, date(2024, 3, 1)).id]
    db.session.commit()
    return parent, kids


CLAIM_BY = kst(2027, 1, 8, 12)  # the default FRI 12:00 of the weekend's week


@pytest.fixture
def drawn(db, sessions):
    """`drawn(choices, households=n, kids=1)`: n single-entry households enter `choices` (names) and the draw runs.

    Returns the entries in drawn order of outcome: winners first, then the reserve by position (fresh from the db).
    """
    from app.lottery.models import LotteryEntry
    from app.lottery.runner import run_lottery
    from app.lottery.services import enter

    def run(choices, households, kids=1):
        for _ in range(households):
            parent = make_user(db.session)
            children = [make_child(db.session, parent).id for _ in range(kids)]
            enter(db.session, parent, [sessions[c] for c in choices], children, 1, OPEN)
            db.session.commit()
        run_lottery(db.session, DRAW)
        db.session.expire_all()
        entries = db.session.query(LotteryEntry).all()
        first = str(sessions[choices[0]])
        return sorted(entries, key=lambda e: (e.status != "won", (e.reserve or {}).get(first, 0), e.id))

    return run


def assert_counters_match_rows(session, slot_ids) -> None:
    """Each slot's counters equal its rows: booked = active places; held = places won or offered and not yet
    claimed, plus freed places waiting for an offer; and never more than the capacity."""
    from sqlalchemy import func, select

    from app.bookings.models import BookingChild, Slot
    from app.lottery.models import LotteryEntry, LotteryRelease

    session.expire_all()
    for slot_id in slot_ids:
        slot = session.get(Slot, slot_id)
        active = select(func.count()).where(BookingChild.slot_id == slot_id, BookingChild.active)
        holding = select(func.coalesce(func.sum(LotteryEntry.places), 0)).where(
            LotteryEntry.won_slot_id == slot_id, LotteryEntry.status.in_(("won", "offered"))
        )
        waiting = select(func.count()).where(LotteryRelease.slot_id == slot_id, LotteryRelease.status == "waiting")
        assert slot.booked == session.scalar(active), slot_id
        assert slot.held == session.scalar(holding) + session.scalar(waiting), slot_id
        assert slot.booked + slot.held <= slot.capacity
