"""Hostile-input tests share one app and one small world per module (building an app per case would cost minutes).

Sharing is safe because every case proves it wrote nothing; the fuzzing module writes freely into its own app.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.auth.models import Child, User
from app.auth.tokens import issue_token
from app.bookings.models import Booking, BookingChild, Slot
from app.extensions import db as _db
from app.facilities.models import WEEKDAYS_ALL, Facility
from app.timeutil import KST, utcnow
from tests.factories import PASSWORD, make_user
from tests.support import app_in_context, database_url


@pytest.fixture(scope="module")
def app():
    """One app and database for the whole module (overrides the per-test app of tests/conftest.py)."""
    with app_in_context(database_url()) as app:
        yield app


@pytest.fixture(autouse=True)
def _fresh_app_context(app):
    """A new app context (and so a new `g`) per test: no logged-in user carries over from the previous one."""
    with app.app_context():
        yield


@pytest.fixture
def password() -> str:
    """Every world user's password."""
    return PASSWORD


@pytest.fixture(scope="module")
def world(app):
    """Users (parent, operator of the café, admin), a child, a slot two days ahead with one booking.

    Gives the users' e-mails by role and the ids (parent_id, operator_id, admin_id among them).
    """
    cafe = Facility(
        kind="kids_cafe",
        source="test",
        source_id="hostile-1",
        source_hash="x",
        name="놀이 카페",
        address="서울특별시 중구 세종대로 110",
        lat=37.5663,
        lon=126.9779,
        district_code="11140",
        open_days=WEEKDAYS_ALL,
        details={},
    )
    _db.session.add(cafe)
    _db.session.flush()
    users = {
        role: make_user(_db.session, role, facilities, email=f"{role}@example.com")
        for role, facilities in (("parent", ()), ("operator", [cafe]), ("admin", ()))
    }
    child = Child(parent_id=users["parent"].id, name="하늘", birth_date=date(2021, 5, 1))
    starts = datetime.now(KST).replace(hour=10, minute=0, second=0, microsecond=0) + timedelta(days=2)
    slot = Slot(facility_id=cafe.id, starts_at=starts, ends_at=starts + timedelta(hours=2), capacity=10, booked=1)
    _db.session.add_all([child, slot])
    _db.session.flush()
    booking = Booking(
        code="HOST-0001",
        user_id=users["parent"].id,
        slot_id=slot.id,
        facility_id=cafe.id,
        guardians=1,
        hours=1,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        created_at=starts - timedelta(days=3),
    )
    booking.places = [BookingChild(slot_id=slot.id, child_id=child.id)]
    _db.session.add(booking)
    _db.session.commit()
    ids = {
        "facility_id": cafe.id,
        "slot_id": slot.id,
        "booking_id": booking.id,
        "child_id": child.id,
        **{f"{role}_id": user.id for role, user in users.items()},
    }
    emails = {role: user.email for role, user in users.items()}
    _db.session.close()  # SQLite in memory is one shared connection: leave no transaction open on it
    return emails, ids


@pytest.fixture(scope="module")
def tokens(world):
    """A bearer token per role (anonymous: none)."""
    emails, ids = world
    out = {"anonymous": None}
    for role in emails:
        out[role], _ = issue_token(_db.session, _db.session.get(User, ids[f"{role}_id"]), utcnow())
    _db.session.commit()
    _db.session.close()
    return out


@pytest.fixture
def row_counts(app):
    """A function giving the rows per table: to prove a refused request wrote nothing."""

    def counts() -> dict:
        _db.session.rollback()  # see what the request committed
        return {
            t.name: _db.session.execute(select(func.count()).select_from(t)).scalar()
            for t in _db.metadata.sorted_tables
        }

    return counts
