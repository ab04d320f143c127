"""next_sessions (the finder's cards, GET /api/availability) against a plain reading of every session.

SQLite binds the ids one by one and PostgreSQL as one array walked by LATERAL look-ups (#12): both must give what
reading every session of each facility in order gives, for full, blocked, started, far and duplicate cases.
"""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import event, select

from app.bookings.models import Slot
from app.bookings.upcoming import HORIZON_DAYS, next_sessions, session_text, when_text
from app.timeutil import KST
from tests.factories import NOW, make_slot


def reference(slots: list[Slot], facility_ids: list[int]) -> dict[int, dict]:
    """Each facility's sessions in the horizon in order: the first, and the first with places when it is full."""
    out = {}
    for facility_id in set(facility_ids):
        mine = sorted((s for s in slots if s.facility_id == facility_id and not s.blocked), key=lambda s: s.starts_at)
        mine = [s for s in mine if NOW < s.starts_at < NOW + timedelta(days=HORIZON_DAYS)]
        if not mine:
            continue
        first = mine[0]
        entry = {
            "next": {"starts_at": first.starts_at.astimezone(KST).isoformat(), "left": first.remaining},
            "text": session_text(first.starts_at, first.remaining),
        }
        free = next((s for s in mine if s.remaining), None)
        if not first.remaining and free is not None:
            entry["free"] = {"starts_at": free.starts_at.astimezone(KST).isoformat(), "left": free.remaining}
            entry["text"] += f" · 다음 빈 회차 {when_text(free.starts_at)} 잔여 {free.remaining}석"
        out[facility_id] = entry
    return out


def test_next_sessions_equal_reading_every_session_in_one_statement(app, db, make_facility):
    rnd = random.Random(5)
    facilities = [make_facility() for _ in range(12)]
    hours = [-30, -1, 1, 2, 26, 50, 51, 200, 24 * HORIZON_DAYS + 1]  # started, soon, later, beyond the horizon
    for facility in facilities[:-1]:  # the last one has no session at all
        for hour in rnd.sample(hours, rnd.randint(1, len(hours))):
            capacity = rnd.choice([1, 3, 20])
            make_slot(
                db.session,
                facility,
                NOW + timedelta(hours=hour),
                capacity=capacity,
                minutes=30,
                held=rnd.choice([0, capacity, capacity, capacity // 2]),  # most full: the next free is further
                blocked=rnd.random() < 0.15,
            )
    ids = [f.id for f in facilities] + [facilities[0].id, 10**6]  # a duplicate and an unknown id
    slots = list(db.session.scalars(select(Slot)))
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    engine = db.session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        found = next_sessions(db.session, ids, NOW)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    expected = reference(slots, ids)
    assert found == expected
    assert len(statements) == 1
    assert any("free" in e for e in expected.values()) and any("free" not in e for e in expected.values())
    assert any(e["next"]["left"] == 0 and "free" not in e for e in expected.values())  # full in the horizon
    assert next_sessions(db.session, [], NOW) == {}
