"""Admin fixtures: `world`, one of everything a route can name, with a user per role of the role matrix."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from app.bookings.models import Closure, DaycareClass, SessionTemplate
from app.facilities.models import FacilityFlag
from app.lottery.draw import commitment
from app.lottery.models import LotteryDraw, LotteryEntry
from app.timeutil import KST
from tests.admin.route_access import STATIC_ARGS
from tests.factories import login, make_child, make_slot, make_user, place_booking


@pytest.fixture
def world(db, make_facility):
    mine = make_facility(kind="hourly_daycare", name="내 시설")
    theirs = make_facility(kind="kids_cafe", name="다른 시설")
    users = {
        "parent": make_user(db.session, "parent"),
        "operator": make_user(db.session, "operator", facilities=[mine]),
        "other_operator": make_user(db.session, "operator", facilities=[theirs]),
        "admin": make_user(db.session, "admin"),
    }
    parent = users["parent"]
    child = make_child(db.session, parent, date(2022, 5, 1), "하늘")
    starts = datetime.now(KST).replace(hour=10, minute=0, second=0, microsecond=0) + timedelta(days=2)
    booking = place_booking(db.session, parent, make_slot(db.session, mine, starts, capacity=5, minutes=60))
    template = SessionTemplate(facility_id=mine.id, weekday=0, starts="10:00", ends="11:00", capacity_individual=5)
    klass = DaycareClass(facility_id=mine.id, name="햇님반", age_years=2, teachers=1)
    closure = Closure(facility_id=mine.id, starts_on=date(2030, 1, 1), ends_on=date(2030, 1, 2), reason="점검")
    flag = FacilityFlag(facility_id=mine.id, reason="district_mismatch", detail="test")
    draw = LotteryDraw(weekend=date(2030, 1, 5), secret="0" * 64, commitment=commitment("0" * 64), status="open")
    entry = LotteryEntry(ref="ab12", user_id=parent.id, weekend=draw.weekend, slot_ids=[1], child_ids=[1], places=1)
    db.session.add_all([template, klass, closure, flag, draw, entry])
    db.session.commit()
    ids = {
        "facility_id": mine.id,
        "booking_id": booking.id,
        "child_id": child.id,
        "slot_id": booking.slot_id,
        "template_id": template.id,
        "class_id": klass.id,
        "closure_id": closure.id,
        "flag_id": flag.id,
        "user_id": parent.id,
        "token": "0" * 32,
        "outbox_id": 1,
        "entry_id": entry.id,
        "draw_weekend": "2030-01-05",
        **STATIC_ARGS,
    }
    return users, ids


@pytest.fixture
def role_client(app, world, role):
    """A test client logged in as the test's `role` (one of route_access.ROLES; anonymous: nobody)."""
    client = app.test_client()
    if role != "anonymous":
        login(client, world[0][role])
    return client
