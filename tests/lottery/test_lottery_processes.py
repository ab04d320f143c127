"""Four processes run the lottery at the same moments: each step (the draw, lapses, offers, first-come) happens
exactly once, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest

from app.auth.models import User
from app.extensions import db
from app.lottery.models import LotteryDraw, LotteryEntry, LotteryRelease
from app.lottery.services import claim, decline, enter
from tests.factories import add_facility, kst, make_child, make_slot, make_user, set_policy
from tests.lottery.conftest import CLAIM_BY, DRAW, OPEN, assert_counters_match_rows
from tests.lottery.lottery_process_worker import run_steps
from tests.support import make_app, process_database_url, run_processes

PROCESSES = 4


def _lottery_session(starts, capacity: int) -> int:
    """A session at `starts` of a café that allocates weekends by lottery; its id."""
    cafe = add_facility(db.session, name="경쟁 시설", age_min=0, age_max=10)
    set_policy(db.session, cafe, allocation="lottery_weekends")
    slot_id = make_slot(db.session, cafe, starts, capacity=capacity).id
    db.session.commit()
    return slot_id


def _enter_households(slot_id: int, households: int) -> None:
    """`households` new parents enter the session with one child each (while entries are open)."""
    for _ in range(households):
        parent = make_user(db.session)
        enter(db.session, parent, [slot_id], [make_child(db.session, parent).id], 1, OPEN)
        db.session.commit()


def _race(url, moments) -> Counter:
    """What the processes did, together, running every due step at each of `moments` (all at once)."""
    return run_processes(run_steps, [(url, [m.isoformat() for m in moments])] * PROCESSES)


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_each_step_happens_once_with_four_processes(kind, tmp_path):
    url = process_database_url(kind, tmp_path)
    app = make_app(url)
    with app.app_context():
        slot_id = _lottery_session(kst(2027, 1, 9, 10), capacity=3)
        done = _race(url, [kst(2027, 1, 5, 9)])  # the opening: one commitment
        _enter_households(slot_id, 5)
        done += _race(url, [kst(2027, 1, 6, 23, 59), DRAW, DRAW])  # the close, the draw, and the draw again
        assert done == Counter({"opened 2027-01-09": 1, "closed 2027-01-09": 1, "drawn 2027-01-09": 1})
        db.session.expire_all()
        draw = db.session.query(LotteryDraw).one()
        assert draw.status == "drawn" and len(draw.refs) == 5
        assert Counter(e.status for e in db.session.query(LotteryEntry).all()) == Counter(won=3, reserve=2)
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_lapses_offers_and_first_come_happen_once_with_four_processes(kind, tmp_path):
    url = process_database_url(kind, tmp_path)
    app = make_app(url)
    with app.app_context():
        starts = kst(2027, 1, 9, 10)
        slot_id = _lottery_session(starts, capacity=3)
        _enter_households(slot_id, 6)
        done = _race(url, [DRAW])
        entries = db.session.query(LotteryEntry).order_by(LotteryEntry.id).all()
        won = [e for e in entries if e.status == "won"]
        reserve = sorted((e for e in entries if e.status == "reserve"), key=lambda e: e.reserve[str(slot_id)])
        thursday = DRAW + timedelta(hours=1)
        decline(db.session, db.session.get(User, won[0].user_id), won[0].id, thursday)
        claim(db.session, db.session.get(User, won[1].user_id), won[1].id, thursday)
        db.session.commit()
        # The decline's offer; then at the deadline the unclaimed win and that offer lapse and two offers follow;
        # at the cut-off those two lapse and their places go first-come.
        done += _race(url, [thursday, thursday, CLAIM_BY, CLAIM_BY, starts - timedelta(hours=2)])
        first_come = sum(int(step.split()[1]) * n for step, n in done.items() if step.startswith("first-come"))
        steps = Counter({step: n for step, n in done.items() if not step.startswith("first-come")})
        offered = [f"offered slot {slot_id} to entry {e.id}" for e in reserve]
        lapsed = [f"lapsed entry {e.id}" for e in (won[2], *reserve)]
        assert steps == Counter(["closed 2027-01-09", "drawn 2027-01-09", *offered, *lapsed]) and first_come == 2
        releases = db.session.query(LotteryRelease).all()
        assert Counter(r.status for r in releases) == Counter(offered=3, first_come=2)
        assert len({r.entry_id for r in releases if r.status == "offered"}) == 3  # one offer per freed place
        assert_counters_match_rows(db.session, [slot_id])
        db.session.remove()
        db.engine.dispose()
