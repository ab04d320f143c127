"""A small world for the hostile-input tests: one facility of each bookable kind, a slot, a booking, users of every role."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.auth.models import Child, User
from app.auth.tokens import issue_token
from app.bookings.models import Booking, BookingChild, Slot
from app.timeutil import KST, utcnow

PASSWORD = "sunny-day-1"


def _user(session, role: str, facilities=()) -> User:
    user = User(email=f"{role}@example.com", name=role, role=role)
    user.set_password(PASSWORD)
    user.facilities = list(facilities)
    session.add(user)
    return user


@pytest.fixture
def password() -> str:
    """Every world user's password."""
    return PASSWORD


@pytest.fixture
def world(db, make_facility):
    """Users (parent, operator of the café, admin), a child, a slot two days ahead with one booking."""
    cafe = make_facility(kind="kids_cafe", name="놀이 카페")
    users = {"parent": _user(db.session, "parent"), "operator": _user(db.session, "operator", [cafe]),
             "admin": _user(db.session, "admin")}
    db.session.flush()
    child = Child(parent_id=users["parent"].id, name="하늘", birth_date=date(2021, 5, 1))
    starts = datetime.now(KST).replace(hour=10, minute=0, second=0, microsecond=0) + timedelta(days=2)
    slot = Slot(facility_id=cafe.id, starts_at=starts, ends_at=starts + timedelta(hours=2), capacity=10, booked=1)
    db.session.add_all([child, slot])
    db.session.flush()
    booking = Booking(code="HOST-0001", user_id=users["parent"].id, slot_id=slot.id, facility_id=cafe.id,
                      guardians=1, hours=1, starts_at=slot.starts_at, ends_at=slot.ends_at,
                      created_at=starts - timedelta(days=3))
    booking.places = [BookingChild(slot_id=slot.id, child_id=child.id)]
    db.session.add(booking)
    db.session.commit()
    ids = {"facility_id": cafe.id, "slot_id": slot.id, "booking_id": booking.id, "child_id": child.id}
    return users, ids


@pytest.fixture
def tokens(db, world):
    """A bearer token per role (anonymous: none)."""
    users, _ = world
    out = {"anonymous": None}
    for role, user in users.items():
        out[role], _ = issue_token(db.session, user, utcnow())
    db.session.commit()
    return out


@pytest.fixture
def row_counts(db):
    """A function giving the rows per table: to prove a refused request wrote nothing."""

    def counts() -> dict:
        db.session.rollback()  # see what other connections committed
        return {t.name: db.session.execute(select(func.count()).select_from(t)).scalar()
                for t in db.metadata.sorted_tables}

    return counts
