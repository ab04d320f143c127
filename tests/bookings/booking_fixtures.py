"""Factories and fixtures for the booking tests (imported by each test module)."""
from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta

import pytest

from app.auth.models import Child, User
from app.bookings.models import BookingPolicy, Slot
from app.bookings.policy import default_policy
from app.timeutil import KST

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=KST)  # a Monday
_n = itertools.count(1)


def kst(y, m, d, hh=10, mm=0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=KST)


def make_user(session, **kw) -> User:
    n = next(_n)
    user = User(email=f"parent{n}@example.com", name=f"보호자{n}", role="parent", password_hash="x", **kw)
    session.add(user)
    session.flush()
    return user


def make_child(session, user, birth: date = date(2022, 5, 1), name: str | None = None) -> Child:
    child = Child(parent_id=user.id, name=name or f"아이{next(_n)}", birth_date=birth)
    session.add(child)
    session.flush()
    return child


def make_slot(session, facility, starts_at: datetime, capacity: int = 10, minutes: int = 120, **kw) -> Slot:
    slot = Slot(facility_id=facility.id, starts_at=starts_at, ends_at=starts_at + timedelta(minutes=minutes),
                capacity=capacity, booked=0, **kw)
    session.add(slot)
    session.flush()
    return slot


def set_policy(session, facility, **values) -> BookingPolicy:
    """Store the kind's defaults for `facility`, overridden by `values`."""
    policy = session.get(BookingPolicy, facility.id)
    if policy is None:
        policy = default_policy(facility.kind, facility.id)
        session.add(policy)
    for key, value in values.items():
        setattr(policy, key, value)
    session.flush()
    return policy


def hourly_slots(session, facility, day: date, count: int = 6, capacity: int = 10) -> list[Slot]:
    return [make_slot(session, facility, kst(day.year, day.month, day.day, 9 + i), capacity, 60)
            for i in range(count)]


@pytest.fixture
def cafe(make_facility):
    return make_facility(kind="kids_cafe", age_min=0, age_max=10, closed_on_holidays=True)


@pytest.fixture
def daycare(make_facility):
    return make_facility(kind="hourly_daycare", name="시간제 어린이집", closed_on_holidays=True)


@pytest.fixture
def parent(db):
    user = make_user(db.session)
    make_child(db.session, user, date(2022, 5, 1), "하늘")
    make_child(db.session, user, date(2024, 3, 15), "바다")
    db.session.commit()
    return user
