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
