"""The rush route's transactions: begun at the first write or lock, never for a refusal; SQLite's lock polled."""

import sqlite3

import pytest
import time_machine

from app import database
from app.extensions import db
from tests.bookings import test_booking_race as race
from tests.bookings.rush_worker import attempt_on_demand
from tests.factories import NOW, add_facility, bearer, kst, make_child, make_slot, make_user
from tests.support import app_in_context


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_on_demand_racers_never_overbook(kind, tmp_path, monkeypatch):
    monkeypatch.setattr(race, "attempt", attempt_on_demand)
    race.test_processes_racing_for_one_slot_never_overbook(kind, tmp_path)


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_on_demand_racers_keep_a_childs_monthly_cap(kind, tmp_path, monkeypatch):
    """The rule read after the children's lock stays serialised though the reads before that lock are not."""
    monkeypatch.setattr(race, "attempt", attempt_on_demand)
    race.test_processes_racing_for_a_childs_last_monthly_hours(kind, tmp_path)


def test_a_full_session_is_refused_while_another_connection_holds_the_write_lock(tmp_path, monkeypatch):
    path = tmp_path / "rush.sqlite3"
    with app_in_context(f"sqlite:///{path}") as app:
        user = make_user(db.session)
        child = make_child(db.session, user)
        cafe = add_facility(db.session, age_min=0, age_max=10)
        full = make_slot(db.session, cafe, kst(2026, 11, 25), capacity=1)
        free = make_slot(db.session, cafe, kst(2026, 11, 26), capacity=1)
        full.booked = 1
        db.session.commit()
        headers, ids = bearer(db.session, user), (full.id, free.id, child.id)
        db.session.remove()
        monkeypatch.setattr(database, "SQLITE_BUSY_TIMEOUT_MS", 50)  # waiting for the lock ends in a 503
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            with time_machine.travel(NOW, tick=False):
                client = app.test_client()
                refused = client.post("/api/bookings", json={"slot_id": ids[0], "child_ids": [ids[2]]}, headers=headers)
                waited = client.post("/api/bookings", json={"slot_id": ids[1], "child_ids": [ids[2]]}, headers=headers)
        finally:
            holder.rollback()
            holder.close()
    assert refused.status_code == 409 and refused.get_json()["error"] == "slot_full"
    assert waited.status_code == 503  # a booking that can succeed does take the lock


def test_begin_immediate_polls_until_the_busy_timeout(tmp_path, monkeypatch):
    path = tmp_path / "lock.sqlite3"
    holder = sqlite3.connect(path, isolation_level=None)
    waiter = sqlite3.connect(path, isolation_level=None)
    waiter.execute(f"PRAGMA busy_timeout = {database.SQLITE_BUSY_TIMEOUT_MS}")
    holder.execute("BEGIN IMMEDIATE")
    monkeypatch.setattr(database, "SQLITE_BUSY_TIMEOUT_MS", 30)
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        database.sqlite_begin_immediate(waiter)
    assert waiter.execute("PRAGMA busy_timeout").fetchone()[0] == 30  # set back after polling with it off
    holder.rollback()
    database.sqlite_begin_immediate(waiter)
    assert waiter.in_transaction
    waiter.rollback()
    holder.close()
    waiter.close()
