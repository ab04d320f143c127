"""Privacy-test fixtures: a café, its operator, another café's operator, an admin, and a parent (김용호) with one
child (하늘) booked into a session tomorrow."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.timeutil import KST, utcnow
from tests.factories import make_slot, make_user, place_booking, set_policy


@pytest.fixture
def world(db, make_facility) -> dict:
    cafe = make_facility(kind="kids_cafe", name="시청점", age_min=0, age_max=12)
    other = make_facility(kind="kids_cafe", name="다른 시설")
    set_policy(db.session, cafe, closed_on_holidays=False)
    parent = make_user(db.session, name="김용호", email="kim@example.com", children=(("하늘", date(2021, 5, 5)),))
    starts = (utcnow() + timedelta(days=1)).astimezone(KST).replace(hour=10, minute=0, second=0, microsecond=0)
    slot = make_slot(db.session, cafe, starts, capacity=5)
    return dict(
        cafe=cafe,
        other=other,
        parent=parent,
        slot=slot,
        booking=place_booking(db.session, parent, slot),
        day=starts.date().isoformat(),
        operator=make_user(db.session, "operator", [cafe]),
        stranger=make_user(db.session, "operator", [other]),
        admin=make_user(db.session, "admin"),
    )
