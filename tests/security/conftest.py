"""Hostile-input tests share one app and one small world per module (building an app per case would cost minutes).

Sharing is safe because every case proves it wrote nothing; the fuzzing module writes freely into its own app.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.auth.models import User
from app.auth.tokens import issue_token
from app.extensions import db as _db
from app.timeutil import KST, utcnow
from tests.factories import PASSWORD, add_facility, make_child, make_slot, make_user, place_booking
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
    cafe = add_facility(_db.session, source_id="hostile-1", name="놀이 카페")
    users = {
        role: make_user(_db.session, role, facilities, email=f"{role}@example.com")
        for role, facilities in (("parent", ()), ("operator", [cafe]), ("admin", ()))
    }
    child = make_child(_db.session, users["parent"], date(2021, 5, 1), "하늘")
    starts = datetime.now(KST).replace(hour=10, minute=0, second=0, microsecond=0) + timedelta(days=2)
    booking = place_booking(_db.session, users["parent"], make_slot(_db.session, cafe, starts))
    ids = {
        "facility_id": cafe.id,
        "slot_id": booking.slot_id,
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
