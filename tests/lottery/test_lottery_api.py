"""The lottery API and `flask run-lottery`: entries, the public draw record recomputed by scripts/verify_draw.py."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import time_machine

from app.lottery.models import LotteryDraw, LotteryEntry
from tests.factories import bearer, kst, make_child, make_user
from tests.lottery.conftest import DRAW, OPEN, SATURDAY

VERIFY = Path(__file__).resolve().parents[2] / "scripts" / "verify_draw.py"


def _run(app, moment) -> str:
    with time_machine.travel(moment, tick=False):
        return app.test_cli_runner().invoke(args=["run-lottery"]).output


def _draw(client) -> dict:
    return client.get(f"/api/draws?weekend={SATURDAY}").get_json()


def test_enter_list_and_withdraw_through_the_api(app, client, db, sessions, household):
    parent, kids = household
    with time_machine.travel(OPEN, tick=False):
        headers = bearer(db.session, parent)
        made = client.post(
            "/api/lottery/entries", json={"slot_ids": [sessions["sat10"]], "child_ids": kids}, headers=headers
        )
        assert made.status_code == 201
        body = made.get_json()
        assert (body["status"], body["slot_ids"], body["won_slot_id"]) == ("entered", [sessions["sat10"]], None)
        again = client.post(
            "/api/lottery/entries", json={"slot_ids": [sessions["sun10"]], "child_ids": kids}, headers=headers
        )
        assert (again.status_code, again.get_json()["error"]) == (409, "duplicate_entry")
        four = client.post("/api/lottery/entries", json={"slot_ids": [1, 2, 3, 4], "child_ids": kids}, headers=headers)
        assert (four.status_code, four.get_json()["error"]) == (422, "too_many_choices")
        listed = client.get("/api/lottery/entries", headers=headers).get_json()["items"]
        assert [e["ref"] for e in listed] == [body["ref"]]
        stranger = bearer(db.session, make_user(db.session))
        assert client.delete(f"/api/lottery/entries/{body['id']}", headers=stranger).status_code == 404
        gone = client.delete(f"/api/lottery/entries/{body['id']}", headers=headers)
        assert (gone.status_code, gone.get_json()["status"]) == (200, "withdrawn")


def test_run_lottery_publishes_closes_draws_once_and_the_record_verifies(app, client, db, sessions):
    assert "할 일이 없습니다" in _run(app, kst(2027, 1, 5, 8, 59))  # before the opening: nothing
    assert "opened 2027-01-09" in _run(app, kst(2027, 1, 5, 9))
    before = _draw(client)
    assert set(before) == {"weekend", "status", "commitment", "opens_at", "closes_at", "draw_at"}
    refs = []
    for n in range(6):  # 6 households for 3 sessions of 2 places: winners, reserves, perhaps losers
        parent = make_user(db.session)
        kids = [make_child(db.session, parent).id for _ in range(1 + n % 2)]
        with time_machine.travel(OPEN, tick=False):
            choices = [sessions["sat10"], sessions["sun10"]][: 1 + n % 2]
            answer = client.post(
                "/api/lottery/entries",
                json={"slot_ids": choices, "child_ids": kids},
                headers=bearer(db.session, parent),
            )
        refs.append(answer.get_json()["ref"])
    assert "closed 2027-01-09" in _run(app, kst(2027, 1, 6, 23, 59))
    closed = _draw(client)
    assert sorted(closed["refs"]) == sorted(refs) and "secret" not in closed
    assert "drawn 2027-01-09" in _run(app, DRAW)
    assert "할 일이 없습니다" in _run(app, DRAW)  # a second run changes nothing
    record = _draw(client)
    assert record["commitment"] == before["commitment"] and record["digest"] == closed["digest"]
    assert "user" not in json.dumps(record) and "child" not in json.dumps(record)
    checked = subprocess.run(
        [sys.executable, "-I", str(VERIFY), "-", "--commitment", before["commitment"], "--digest", closed["digest"]],
        input=json.dumps(record),
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    db.session.expire_all()
    stored = {e.ref: e for e in db.session.query(LotteryEntry).all()}
    for result in record["results"]:
        entry = stored[result["ref"]]
        assert entry.won_slot_id == result["won_slot_id"]
        assert entry.status == ("won" if result["won_slot_id"] else "reserve" if result["reserve"] else "lost")
        assert (entry.claim_by is not None) == (entry.status == "won")
    assert db.session.query(LotteryDraw).one().status == "drawn"


def test_a_tampered_record_fails_verification(app, client, db, sessions, household):
    parent, kids = household
    _run(app, kst(2027, 1, 5, 9))
    with time_machine.travel(OPEN, tick=False):
        client.post(
            "/api/lottery/entries",
            json={"slot_ids": [sessions["sat10"]], "child_ids": kids},
            headers=bearer(db.session, parent),
        )
    _run(app, kst(2027, 1, 6, 23, 59))
    _run(app, DRAW)
    record = _draw(client)
    record["results"][0]["won_slot_id"] = None
    checked = subprocess.run(
        [sys.executable, "-I", str(VERIFY), "-"], input=json.dumps(record), capture_output=True, text=True
    )
    assert checked.returncode == 1


def test_draws_parameter_and_unknown_weekend(client, db):
    assert client.get("/api/draws?weekend=2027-01-08").status_code == 400  # a Friday
    assert client.get("/api/draws?weekend=2027-01-09").status_code == 404
