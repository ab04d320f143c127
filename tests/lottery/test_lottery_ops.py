"""The operators' roster of a lottery session (#12): entries by choice before the draw, results and open offers
after it, as counts only, and only for the operator's own facilities."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine

from app.bookings.models import Slot
from app.bookings.policy import get_policy
from app.lottery.models import LotteryEntry
from app.lottery.runner import run_lottery
from app.lottery.services import enter
from app.lottery.stats import roster_lottery
from tests.factories import kst, login, make_child, make_user
from tests.lottery.conftest import DRAW, OPEN

DAY = "2027-01-09"


@pytest.fixture
def operators(db, lottery_cafe, make_facility):
    """The lottery café's operator, and another facility's."""
    other = make_facility(kind="kids_cafe", name="다른 시설")
    return make_user(db.session, "operator", [lottery_cafe]), make_user(db.session, "operator", [other])


@pytest.fixture
def entries(db, sessions) -> list[LotteryEntry]:
    """Seven households with one child each: 4 want only sat10 (capacity 2), the others rank it 1st or 2nd."""
    choices = [["sat10"], ["sat10", "sat14"], ["sat10"], ["sat14", "sat10"], ["sun10", "sat10", "sat14"]]
    choices += [["sat10"], ["sat10"]]
    made = []
    with time_machine.travel(OPEN, tick=False):
        for n, names in enumerate(choices):
            parent = make_user(db.session, name=f"보호자{n}", email=f"lottery-parent{n}@example.com")
            child = make_child(db.session, parent, name=f"아이{n}")
            made.append(enter(db.session, parent, [sessions[name] for name in names], [child.id], 1, OPEN))
        db.session.commit()
    return made


def _section(html: str, slot_id: int) -> str:
    """The lottery block of one session on the roster page."""
    session = html.split(f'id="slot-{slot_id}"', 1)[1].split("</section>", 1)[0]
    match = re.search(r'<div class="op-lottery" data-lottery>(.*?)</div>', session, re.S)
    assert match, session[:1500]
    return re.sub(r"\s+", " ", match.group(1))


def _roster(client, cafe_id: int, status: int = 200) -> str:
    r = client.get(f"/operator/facilities/{cafe_id}/roster", query_string={"date": DAY})
    assert r.status_code == status
    return r.get_data(as_text=True)


def test_roster_counts_entries_by_choice_before_the_draw(client, db, lottery_cafe, sessions, entries, operators):
    login(client, operators[0])
    with time_machine.travel(OPEN, tick=False):
        html = _roster(client, lottery_cafe.id)
    sat10, sat14 = _section(html, sessions["sat10"]), _section(html, sessions["sat14"])
    assert "신청 <strong data-entries>7</strong>건" in sat10 and "1지망 5 · 2지망 2 · 3지망 0" in sat10
    assert "신청 <strong data-entries>3</strong>건" in sat14 and "1지망 1 · 2지망 1 · 3지망 1" in sat14
    assert "추첨 01/07 10:00" in sat10 and "당첨" not in sat10
    for n in range(7):  # counts only: nobody's name, e-mail or ref
        assert f"보호자{n}" not in html and f"lottery-parent{n}" not in html and entries[n].ref not in html


def test_roster_shows_results_claims_offers_and_lapses_after_the_draw(client, db, lottery_cafe, sessions, entries):
    run_lottery(db.session, DRAW)
    db.session.expire_all()
    sat10 = sessions["sat10"]
    won = [e for e in entries if e.won_slot_id == sat10]
    reserve = [e for e in entries if e.status == "reserve" and str(sat10) in e.reserve]
    assert len(won) == 2 and len(reserve) >= 2  # capacity 2, one child each, 4 households want only sat10
    # What lottery-core's claim / decline / offers leave behind: a claimed win, a declined one, an open offer of the
    # freed place to the first reserve (won_slot_id the session, claim_by the offer's expiry) and a lapsed offer.
    won[0].status = "claimed"
    won[1].status = "declined"
    first, second = sorted(reserve, key=lambda e: e.reserve[str(sat10)])[:2]
    expires = kst(2027, 1, 8, 22)
    first.status, first.won_slot_id, first.claim_by = "offered", sat10, expires
    second.status, second.won_slot_id = "lapsed", sat10
    db.session.commit()

    now = kst(2027, 1, 8, 10)
    figures = roster_lottery(db.session, get_policy(db.session, lottery_cafe), [db.session.get(Slot, sat10)], now)
    assert figures[sat10] | {"offers": None} == {
        "choices": [5, 2, 0],
        "draw_at": DRAW,
        "claim_by": kst(2027, 1, 8, 12),
        "first_come": False,
        "drawn": True,
        "won": 2,
        "won_places": 2,
        "claimed": 1,
        "claimed_places": 1,
        "waiting": 0,
        "reserve": len(reserve),
        "offers": None,
        "declined": 1,
        "lapsed": 1,
    }
    assert figures[sat10]["offers"] == [expires]

    operator = make_user(db.session, "operator", [lottery_cafe])
    login(client, operator)
    with time_machine.travel(now, tick=False):
        block = _section(_roster(client, lottery_cafe.id), sat10)
    assert "당첨 <strong>2</strong>가구 (2명)" in block and "확정 <strong>1</strong>가구 (1명)" in block
    assert f"예비 {len(reserve)}가구" in block and "포기 1" in block and "기한 만료 1" in block
    assert "빈자리 제안 1건 응답 대기: ~01/08 22:00" in block
    with time_machine.travel(kst(2027, 1, 9, 8), tick=False):  # 2 h before: what is left is first-come
        assert "남은 자리는 선착순" in _section(_roster(client, lottery_cafe.id), sat10)


def test_winners_still_to_claim_show_with_the_deadline(client, db, lottery_cafe, sessions, entries, operators):
    run_lottery(db.session, DRAW)
    login(client, operators[0])
    with time_machine.travel(DRAW + timedelta(minutes=5), tick=False):
        block = _section(_roster(client, lottery_cafe.id), sessions["sat10"])
    assert "확정 <strong>0</strong>가구" in block and "확정 대기 2가구 (~01/08 12:00)" in block


def test_another_operators_roster_is_refused(client, db, lottery_cafe, sessions, entries, operators):
    login(client, operators[1])
    with time_machine.travel(OPEN, tick=False):
        _roster(client, lottery_cafe.id, 403)
        _roster(client, 999_999, 404)


def test_first_come_sessions_have_no_lottery_block(client, db, lottery_cafe, sessions, operators):
    login(client, operators[0])
    with time_machine.travel(OPEN, tick=False):
        r = client.get(f"/operator/facilities/{lottery_cafe.id}/roster", query_string={"date": "2027-01-08"})
    assert r.status_code == 200 and f'id="slot-{sessions["fri10"]}"' in r.get_data(as_text=True)
    assert "data-lottery" not in r.get_data(as_text=True)
