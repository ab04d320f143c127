"""Notification fixtures: a café with a session two days ahead, a parent, the app's job queue."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from app.timeutil import KST, utcnow
from tests.factories import add_facility, make_slot, make_user, set_policy


@pytest.fixture
def jobs(app):
    """The app's job queue (MemoryHuey): tests run what is queued with jobs.drain()."""
    return app.extensions["jobs"]


@pytest.fixture
def drain(db, jobs):
    """Run every queued job (and scheduled ones now due) as the worker would; how many ran."""

    def run() -> int:
        db.session.commit()  # end the test's own read transaction: the job's session shares the in-memory database
        return jobs.drain()

    return run


@pytest.fixture
def cafe(db):
    facility = add_facility(db.session, name="서울형 키즈카페 시청점", age_min=0, age_max=12)
    set_policy(db.session, facility, closed_on_holidays=False)
    return facility


@pytest.fixture
def parent(db):
    return make_user(db.session, email="mom@example.com", name="김하늘", children=(("하늘", date(2021, 5, 5)),))


@pytest.fixture
def slot(db, cafe):
    """A session two days ahead at 10:00 (bookable whatever the hour now)."""
    day = utcnow().astimezone(KST).date() + timedelta(days=2)
    return make_slot(db.session, cafe, datetime(day.year, day.month, day.day, 10, tzinfo=KST), capacity=5)
