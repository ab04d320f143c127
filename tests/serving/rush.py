"""Data for the serving tests: a kids café with bookable slots, parents with a child and an API token each."""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, insert, select

from app.auth.models import ApiToken, Child, User
from app.bookings.models import Booking, BookingChild, Slot
from app.timeutil import KST, utcnow
from tests.factories import add_facility, set_policy
from tests.support import database_url

_batch = itertools.count(1)


@dataclass
class RushData:
    facility_id: int
    slot_ids: list[int]
    parents: list[tuple[str, int]]  # (raw bearer token, child id)


def make_rush_data(session, parents: int, capacities: list[int], days_from_now: int = 3) -> RushData:
    """A café open every day with one slot per capacity (on one day), and `parents` parents with tokens."""
    batch = next(_batch)
    cafe = add_facility(
        session, source="serving-test", source_id=f"rush{batch}", name=f"인기 키즈카페 {batch}", age_min=0, age_max=10
    )
    set_policy(session, cafe, closed_on_holidays=False, days_ahead=30)
    day = (utcnow() + timedelta(days=days_from_now)).astimezone(KST).date()
    slots = []
    for i, capacity in enumerate(capacities):
        start = datetime(day.year, day.month, day.day, 9 + 2 * i, 0, tzinfo=KST)
        slots.append(
            Slot(facility_id=cafe.id, starts_at=start, ends_at=start + timedelta(hours=2), capacity=capacity, booked=0)
        )
    session.add_all(slots)
    if not parents:  # an empty insert() would write one row of defaults
        session.flush()
        return RushData(cafe.id, [s.id for s in slots], [])
    now = utcnow()
    emails = [f"serving{batch}-{i}@example.com" for i in range(parents)]
    session.execute(
        insert(User),
        [
            dict(email=e, password_hash="x", name=f"부모{i}", role="parent", is_locked=False, created_at=now)
            for i, e in enumerate(emails)
        ],
    )
    user_ids = session.scalars(select(User.id).where(User.email.in_(emails)).order_by(User.id)).all()
    session.execute(
        insert(Child),
        [dict(parent_id=u, name=f"아이{u}", birth_date=date(2021, 5, 1), created_at=now) for u in user_ids],
    )
    child_of = dict(session.execute(select(Child.parent_id, Child.id).where(Child.parent_id.in_(user_ids))).all())
    raw = {u: f"serving-token-{batch}-{u}" for u in user_ids}
    session.execute(
        insert(ApiToken),
        [
            dict(
                user_id=u,
                token_hash=hashlib.sha256(raw[u].encode()).hexdigest(),
                created_at=now,
                expires_at=now + timedelta(days=1),
            )
            for u in user_ids
        ],
    )
    session.flush()
    return RushData(cafe.id, [s.id for s in slots], [(raw[u], child_of[u]) for u in user_ids])


def slot_audit(session, slot_ids: list[int]) -> list[tuple[int, int, int, int]]:
    """(slot id, capacity, booked counter, active booking rows) for each slot, counted from the rows."""
    active = (
        select(BookingChild.slot_id, func.count().label("n"))
        .where(BookingChild.active)
        .group_by(BookingChild.slot_id)
        .subquery()
    )
    rows = session.execute(
        select(Slot.id, Slot.capacity, Slot.booked, func.coalesce(active.c.n, 0))
        .outerjoin(active, active.c.slot_id == Slot.id)
        .where(Slot.id.in_(slot_ids))
        .order_by(Slot.id)
    ).all()
    return [tuple(r) for r in rows]


def confirmed_bookings(session, booking_ids: list[int]) -> dict[int, tuple[str, str, int]]:
    """{booking id: (code, status, slot id)} for the given ids that exist."""
    rows = session.execute(
        select(Booking.id, Booking.code, Booking.status, Booking.slot_id).where(Booking.id.in_(booking_ids))
    ).all()
    return {r.id: (r.code, r.status, r.slot_id) for r in rows}


def pass_database_url(tmp_path) -> str:
    """This run's database as something several processes can share: PostgreSQL, or an SQLite file (WAL)."""
    url = database_url()
    return url if url.startswith("postgresql") else f"sqlite:///{tmp_path / 'nadeuri.sqlite3'}"
