"""Four processes run the lottery at the same moments: each step happens exactly once, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter

import pytest

from app.extensions import db
from app.lottery.models import LotteryDraw, LotteryEntry
from app.lottery.services import enter
from tests.factories import add_facility, kst, make_child, make_slot, make_user, set_policy
from tests.lottery.conftest import DRAW, OPEN
from tests.lottery.lottery_process_worker import run_steps
from tests.support import make_app, process_database_url, run_processes

PROCESSES = 4


def _race(url, moments) -> Counter:
    """What the processes did, together, running every due step at each of `moments` (all at once)."""
    return run_processes(run_steps, [(url, [m.isoformat() for m in moments])] * PROCESSES)


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_each_step_happens_once_with_four_processes(kind, tmp_path):
    url = process_database_url(kind, tmp_path)
    app = make_app(url)
    with app.app_context():
        cafe = add_facility(db.session, name="경쟁 시설", age_min=0, age_max=10)
        set_policy(db.session, cafe, allocation="lottery_weekends")
        slot_id = make_slot(db.session, cafe, kst(2027, 1, 9, 10), capacity=3).id
        db.session.commit()
        done = _race(url, [kst(2027, 1, 5, 9)])  # the opening: one commitment
        for _ in range(5):
            parent = make_user(db.session)
            enter(db.session, parent, [slot_id], [make_child(db.session, parent).id], 1, OPEN)
            db.session.commit()
        done += _race(url, [kst(2027, 1, 6, 23, 59), DRAW, DRAW])  # the close, the draw, and the draw again
        assert done == Counter({"opened 2027-01-09": 1, "closed 2027-01-09": 1, "drawn 2027-01-09": 1})
        db.session.expire_all()
        draw = db.session.query(LotteryDraw).one()
        assert draw.status == "drawn" and len(draw.refs) == 5
        assert Counter(e.status for e in db.session.query(LotteryEntry).all()) == Counter(won=3, reserve=2)
        db.session.remove()
        db.engine.dispose()
