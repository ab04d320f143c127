"""Proof under faults with real gunicorn processes, on this run's database (SQLite file in WAL, or PostgreSQL).

1. A booking rush; SIGKILL to gunicorn's master and workers in the middle; restart; the rush goes on.
2. Two app servers (two gunicorn instances, two ports) on one database, the rush split across them.
Either way: every booking answered 201 is in the database, no slot is over capacity, and every slot's
booked counter equals its number of active booking rows.
"""

from __future__ import annotations

import json
from collections import Counter

import pytest

from app.extensions import db
from tests.serving.appserver import AppServer, Rush
from tests.serving.rush import confirmed_bookings, make_rush_data, pass_database_url, slot_audit
from tests.support import make_app

PARENTS = 160  # each parent tries once: refusals come from full slots, not from per-child rules
CAPACITIES = [30, 30, 30]  # 90 places for 160 attempts: contention, yet room left after the restart
CLIENTS = 8
RUSH_DEADLINE_S = 60


@pytest.fixture
def prepared(tmp_path):
    """(database url, app for auditing, rush data) on a fresh schema that no test session holds open."""
    url = pass_database_url(tmp_path)
    app = make_app(url)
    with app.app_context():
        data = make_rush_data(db.session, parents=PARENTS, capacities=CAPACITIES)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()  # SQLite: the servers need the write lock; PostgreSQL: no idle sessions of ours
        yield url, app, data
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def servers(tmp_path):
    """A factory of AppServers that are all stopped (and their sockets closed) at the end."""
    made: list[AppServer] = []

    def make(url: str) -> AppServer:
        server = AppServer(url, tmp_path / f"gunicorn-{len(made)}.log")
        made.append(server)
        return server

    yield make
    for server in made:
        server.close()


def assert_three_facts(data, result, logs: str) -> None:
    """201 means stored; no slot over capacity; counters equal active rows."""
    stored = confirmed_bookings(db.session, list(result.confirmed))
    missing = {
        bid: want
        for bid, want in result.confirmed.items()
        if stored.get(bid, (None, None, None))[::2] != (want[0], want[1])
    }
    assert not missing, f"bookings answered 201 but not in the database: {missing}\n{logs}"
    assert all(status == "confirmed" for _, status, _ in stored.values())
    audit = slot_audit(db.session, data.slot_ids)
    assert len(audit) == len(CAPACITIES)
    for slot_id, capacity, booked, active_rows in audit:
        assert active_rows <= capacity and booked <= capacity, f"slot {slot_id} over capacity: {audit}"
        assert booked == active_rows, f"slot {slot_id}: counter {booked} != {active_rows} active rows: {audit}"
    # Every confirmed answer is one active place, and nothing else took a place except answers the kill lost.
    placed = sum(active for *_, active in audit)
    assert len(result.confirmed) <= placed <= len(result.confirmed) + result.outcomes["lost"]


def test_sigkill_in_the_middle_of_a_booking_rush_loses_nothing(prepared, servers):
    url, app, data = prepared
    server = servers(url)
    server.start()
    rush = Rush([server.port], data.parents, data.slot_ids, attempts=PARENTS, clients=CLIENTS)
    rush.start()
    rush.wait_until_done(PARENTS * 2 // 5, RUSH_DEADLINE_S)
    server.kill()  # master and workers, mid-request: the clients still sending get no answer
    rush.next_phase()
    server.start()  # same port: requests sent meanwhile waited in the socket's backlog
    rush.next_phase()
    result = rush.join(RUSH_DEADLINE_S)
    server.stop()

    assert result.done == PARENTS and server.starts == 2
    assert result.answered_by_phase[0] > 0 and result.answered_by_phase[2] > 0, result
    assert set(result.outcomes) <= {"confirmed", "slot_full", "lost"}, result.outcomes
    assert result.outcomes["confirmed"] > 0 and result.outcomes["slot_full"] > 0, result.outcomes
    assert_three_facts(data, result, server.log_tail())


def test_two_app_servers_on_one_database_share_the_rush(prepared, servers):
    url, app, data = prepared
    first, second = servers(url), servers(url)
    first.spawn()
    second.spawn()
    first.wait_ready()
    second.wait_ready()
    rush = Rush([first.port, second.port], data.parents, data.slot_ids, attempts=PARENTS, clients=CLIENTS)
    rush.start()
    result = rush.join(RUSH_DEADLINE_S)
    first.stop()
    second.stop()

    assert result.done == PARENTS and result.outcomes["lost"] == 0, result.outcomes
    assert set(result.outcomes) == {"confirmed", "slot_full"}, result.outcomes
    assert result.outcomes["confirmed"] == sum(CAPACITIES)  # every place taken once, across both servers
    assert_three_facts(data, result, first.log_tail() + second.log_tail())
    # Production logging: exactly one JSON line per booking request, no gunicorn access log, no tokens.
    logs = first.log_path.read_text() + second.log_path.read_text()
    lines = [json.loads(line) for line in logs.splitlines() if line.startswith("{")]
    bookings = [x for x in lines if x.get("route") == "/api/bookings" and x.get("method") == "POST"]
    assert len(bookings) == PARENTS and len({x["request_id"] for x in bookings}) == PARENTS
    assert Counter(x["status"] for x in bookings) == Counter({201: sum(CAPACITIES), 409: PARENTS - sum(CAPACITIES)})
    assert "serving-token" not in logs and "Bearer" not in logs
