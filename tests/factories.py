"""The one set of test factories: users (any role), API tokens, children, slots, booking policies, bookings, login.

A plain module imported as `from tests.factories import ...` (see tests/conftest.py for how the tests are laid out).
Every factory takes the SQLAlchemy session and commits, so what it makes is visible to requests and other processes.
"""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta
from functools import cache

from werkzeug.security import generate_password_hash

from app.auth.models import Child, User
from app.auth.tokens import issue_token
from app.bookings.models import Booking, BookingChild, BookingPolicy, Slot
from app.bookings.policy import default_policy
from app.facilities.models import WEEKDAYS_ALL, Facility
from app.timeutil import KST, utcnow

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=KST)  # a Monday
PASSWORD = "sunny-day-1"
ONE_CHILD = (("하늘", date(2021, 5, 5)),)
_n = itertools.count(1)


def kst(y, m, d, hh=10, mm=0) -> datetime:
    """A Seoul wall-clock time."""
    return datetime(y, m, d, hh, mm, tzinfo=KST)


@cache
def _password_hash(password: str) -> str:
    # Hashing is deliberately slow; one hash per password serves every user of the run.
    return generate_password_hash(password)


def make_user(
    session,
    role: str = "parent",
    facilities=(),
    locked: bool = False,
    email: str | None = None,
    password: str = PASSWORD,
    children=(),
    **columns,
) -> User:
    """A committed user who can log in with `password`; `children` are (name, birth date) pairs."""
    n = next(_n)
    user = User(
        email=email or f"{role}{n}@example.com",
        name=columns.pop("name", f"{role}{n}"),
        role=role,
        is_locked=locked,
        password_hash=_password_hash(password),
        **columns,
    )
    user.facilities = list(facilities)
    session.add(user)
    session.flush()
    for name, born in children:
        session.add(Child(parent_id=user.id, name=name, birth_date=born))
    session.commit()
    return user


def login(client, user: User, password: str = PASSWORD, expect: int | None = 302):
    """Log `user` in through the login page; checks the status is `expect` (None: any) and returns the response."""
    response = client.post("/login", data={"email": user.email, "password": password})
    if expect is not None:
        assert response.status_code == expect, response.status_code
    return response


def bearer(session, user: User) -> dict:
    """Request headers carrying a fresh (committed) API token of `user`."""
    raw, _ = issue_token(session, user, utcnow())
    session.commit()
    return {"Authorization": f"Bearer {raw}"}


def make_child(session, user: User, birth: date = date(2022, 5, 1), name: str | None = None) -> Child:
    """A committed child of `user`."""
    child = Child(parent_id=user.id, name=name or f"아이{next(_n)}", birth_date=birth)
    session.add(child)
    session.commit()
    return child


def add_facility(session, **columns) -> Facility:
    """A committed facility (a kids café at 서울시청 unless `columns` say otherwise)."""
    n = next(_n)
    values = dict(
        kind="kids_cafe",
        source="test",
        source_id=f"t{n}",
        source_hash="x",
        name=f"시설 {n}",
        address="서울특별시 중구 세종대로 110",
        lat=37.5663,
        lon=126.9779,
        district_code="11140",
        open_days=WEEKDAYS_ALL,
        details={},
    )
    values.update(columns)
    facility = Facility(**values)
    session.add(facility)
    session.commit()
    return facility


def make_slot(session, facility, starts_at: datetime, capacity: int = 10, minutes: int = 120, **columns) -> Slot:
    """A committed, empty slot of `facility`."""
    slot = Slot(
        facility_id=facility.id,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=minutes),
        capacity=capacity,
        booked=0,
        **columns,
    )
    session.add(slot)
    session.commit()
    return slot


def hourly_slots(session, facility, day: date, count: int = 6, capacity: int = 10) -> list[Slot]:
    """`count` one-hour slots from 09:00 on `day`."""
    return [make_slot(session, facility, kst(day.year, day.month, day.day, 9 + i), capacity, 60) for i in range(count)]


def set_policy(session, facility, **values) -> BookingPolicy:
    """Store the kind's defaults for `facility` (or its stored policy), overridden by `values`."""
    policy = session.get(BookingPolicy, facility.id)
    if policy is None:
        policy = default_policy(facility.kind, facility.id)
        session.add(policy)
    for key, value in values.items():
        setattr(policy, key, value)
    session.commit()
    return policy


def _booking_code(n: int) -> str:
    """A unique code of the real shape (4 + 4 characters) however many bookings a run makes: TS00-0042."""
    return f"TS{n // 10_000 % 100:02d}-{n % 10_000:04d}"


def place_booking(session, parent: User, slot: Slot, status: str = "confirmed", created_at: datetime | None = None):
    """A booking written directly (as the engine would), for all the parent's children."""
    kids = list(parent.children)
    booking = Booking(
        code=_booking_code(next(_n)),
        user_id=parent.id,
        slot_id=slot.id,
        facility_id=slot.facility_id,
        status=status,
        guardians=1,
        hours=1,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        created_at=created_at or slot.starts_at - timedelta(days=3),
    )
    booking.places = [BookingChild(slot_id=slot.id, child_id=c.id, active=status != "cancelled") for c in kids]
    if status != "cancelled":
        slot.booked += len(kids)
    session.add(booking)
    session.commit()
    return booking
