"""Factories for the operator tests: staff accounts, a facility with bookings, login and audit helpers."""
from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta

from sqlalchemy import select

from app.audit.models import AuditEntry
from app.auth.models import Child, User
from app.bookings.models import Booking, BookingChild, Slot
from app.bookings.policy import default_policy

PASSWORD = "operator-pass-1"
_n = itertools.count(1)


def make_staff(db, role: str = "operator", facilities=()) -> User:
    n = next(_n)
    user = User(email=f"{role}{n}@example.com", name=f"{role} {n}", role=role)
    user.set_password(PASSWORD)
    user.facilities = list(facilities)
    db.session.add(user)
    db.session.commit()
    return user


def make_parent(db, kids=(("하늘", date(2021, 5, 5)),)) -> User:
    n = next(_n)
    user = User(email=f"parent-op{n}@example.com", name=f"보호자 {n}", role="parent")
    user.set_password(PASSWORD)
    db.session.add(user)
    db.session.flush()
    for name, born in kids:
        db.session.add(Child(parent_id=user.id, name=name, birth_date=born))
    db.session.commit()
    return user


def open_policy(db, facility, **values):
    """The kind's defaults, ignoring public holidays so the outcome does not depend on the run date."""
    policy = default_policy(facility.kind, facility.id)
    policy.closed_on_holidays = False
    for key, value in values.items():
        setattr(policy, key, value)
    db.session.add(policy)
    db.session.commit()
    return policy


def make_slot(db, facility, starts_at: datetime, capacity: int = 5, minutes: int = 120) -> Slot:
    slot = Slot(facility_id=facility.id, starts_at=starts_at, ends_at=starts_at + timedelta(minutes=minutes),
                capacity=capacity, booked=0)
    db.session.add(slot)
    db.session.commit()
    return slot


def place_booking(db, parent: User, slot: Slot, status: str = "confirmed", created_at: datetime | None = None):
    """A booking written directly (as the engine would), for all the parent's children."""
    kids = list(parent.children)
    booking = Booking(code=f"T{next(_n):03d}-TEST", user_id=parent.id, slot_id=slot.id,
                      facility_id=slot.facility_id, status=status, guardians=1, hours=1, starts_at=slot.starts_at,
                      ends_at=slot.ends_at, created_at=created_at or slot.starts_at - timedelta(days=3))
    booking.places = [BookingChild(slot_id=slot.id, child_id=c.id, active=status != "cancelled") for c in kids]
    if status != "cancelled":
        slot.booked += len(kids)
    db.session.add(booking)
    db.session.commit()
    return booking


def login(client, user: User):
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.status_code


def audits(db, action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))
