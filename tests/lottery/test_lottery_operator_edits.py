"""Operators' edits of sessions the lottery holds places in: refused with a message, never a 500 or a broken draw."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.bookings.models import Slot
from app.lottery.models import LotteryDraw
from app.lottery.runner import run_lottery
from app.lottery.services import enter
from app.operators import services
from app.operators.services import OperatorError
from tests.factories import make_child, make_user
from tests.lottery.conftest import DRAW, OPEN


def test_capacity_cannot_drop_below_booked_plus_held(db, sessions, drawn):
    drawn(["sat10"], households=2)  # capacity 2: both places held for the two winners
    slot = db.session.get(Slot, sessions["sat10"])
    staff = make_user(db.session, role="operator")
    with pytest.raises(OperatorError) as refused:
        services.set_capacity(db.session, staff, slot, 1, DRAW + timedelta(hours=1))
    db.session.rollback()
    assert refused.value.code == "capacity_below_booked"
    assert "추첨 당첨 2명" in refused.value.message
    services.set_capacity(db.session, staff, db.session.get(Slot, sessions["sat10"]), 3, DRAW + timedelta(hours=1))
    db.session.commit()
    assert db.session.get(Slot, sessions["sat10"]).capacity == 3


def test_a_chosen_session_removed_before_the_draw_counts_as_full(db, sessions):
    parent = make_user(db.session)
    child = make_child(db.session, parent).id
    enter(db.session, parent, [sessions["sat10"], sessions["sun10"]], [child], 1, OPEN)
    db.session.commit()
    db.session.delete(db.session.get(Slot, sessions["sat10"]))  # as remove_template does for an unbooked slot
    db.session.commit()
    run_lottery(db.session, DRAW)
    record = db.session.query(LotteryDraw).one().record
    assert record["capacities"][str(sessions["sat10"])] == 0
    assert record["results"][0]["won_slot_id"] == sessions["sun10"]
