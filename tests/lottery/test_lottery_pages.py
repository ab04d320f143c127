"""The lottery's pages through the test client: the facility page's lottery cells, the basket and entering,
내 예약's stages and actions, the public draw page. The clock is moved with time-machine around the fixtures' weekend
(2027-01-09: entries Tue 01-05 09:00 – Wed 01-06 23:59, draw Thu 01-07 10:00, claims by Fri 01-08 12:00)."""

from __future__ import annotations

import re

import pytest
import time_machine

from app.lottery.models import LotteryEntry
from app.lottery.runner import run_lottery
from tests.factories import kst, login, make_child, make_slot, make_user
from tests.lottery.conftest import DRAW, OPEN, SATURDAY

CLOSED = kst(2027, 1, 7, 9)  # after the close, before the draw


@pytest.fixture
def parent(db, client, household):
    """The household's parent, logged in on `client`."""
    user, kids = household
    login(client, user)
    return user, kids


def _add(client, slot_id, follow=True):
    return client.post("/lottery/basket/add", data={"slot": slot_id}, follow_redirects=follow)


def _basket(client) -> list[int]:
    html = client.get("/lottery/basket").get_data(as_text=True)
    return [int(i) for i in re.findall(r'class="basket-item" data-slot="(\d+)"', html)]


def _enter(client, kids, guardians=1, follow=False):
    return client.post(
        "/lottery/basket/enter", data={"child": [str(k) for k in kids], "guardians": guardians}, follow_redirects=follow
    )


def _current_stage(html: str, entry_id: int) -> str:
    block = html.split(f'id="entry-{entry_id}"', 1)[1]
    current = re.search(r'aria-current="step">\s*<span class="visually-hidden">[^<]*</span>([^<]+)</li>', block)
    return current.group(1).strip()


def test_facility_page_shows_lottery_sessions_with_the_cycle_and_a_basket_button(app, client, sessions, lottery_cafe):
    with time_machine.travel(OPEN, tick=False):
        html = client.get(f"/facilities/{lottery_cafe.id}").get_data(as_text=True)
        fragment = client.get(f"/facilities/{lottery_cafe.id}/week?week=2027-01-05").get_data(as_text=True)
    for page in (html, fragment):  # the week swapped in by bookings.js says the same
        for name in ("sat10", "sat14", "sun10"):
            cell = page.split(f'data-slot="{sessions[name]}" data-state="lottery"', 1)[1].split("</div>", 1)[0]
            assert "추첨" in cell and "추첨 바구니에 담기" in cell and f'value="{sessions[name]}"' in cell
            assert f"/bookings/new?slot={sessions[name]}" not in page
        assert f"/bookings/new?slot={sessions['fri10']}" in page  # weekdays stay first-come
        assert page.count("신청 1/5 (화) 09:00–1/6 (수) 23:59 · 추첨 1/7 (목) 10:00 · 확정 1/8 (금) 12:00까지") == 1
    assert "추첨 바구니 (0/3)" in html


def test_before_the_opening_and_after_the_close_the_cell_says_when(client, sessions, lottery_cafe):
    with time_machine.travel(kst(2027, 1, 4, 12), tick=False):
        before = client.get(f"/facilities/{lottery_cafe.id}").get_data(as_text=True)
    with time_machine.travel(CLOSED, tick=False):
        closed = client.get(f"/facilities/{lottery_cafe.id}").get_data(as_text=True)
    assert "1/5 (화) 09:00 신청 시작" in before and "추첨 바구니에 담기" not in before
    assert "1/7 (목) 10:00 추첨" in closed and "추첨 바구니에 담기" not in closed


def test_a_first_come_facility_shows_no_lottery(client, db, cafe):
    slot = make_slot(db.session, cafe, kst(2027, 1, 9, 10))
    db.session.commit()
    with time_machine.travel(OPEN, tick=False):
        html = client.get(f"/facilities/{cafe.id}").get_data(as_text=True)
    week = html.split('id="slots"', 1)[1].split("</section>", 1)[0]
    assert f"/bookings/new?slot={slot.id}" in week and "추첨" not in week


def test_the_basket_holds_three_ranked_sessions_and_refuses_a_fourth(client, db, sessions, lottery_cafe):
    fourth = make_slot(db.session, lottery_cafe, kst(2027, 1, 10, 14)).id
    db.session.commit()
    with time_machine.travel(OPEN, tick=False):
        for name in ("sat10", "sat14", "sun10"):
            assert "순위로 담았습니다" in _add(client, sessions[name]).get_data(as_text=True)
        refused = _add(client, fourth).get_data(as_text=True)
        assert "희망 회차는 1개에서 3개까지 고를 수 있습니다" in refused  # the entry's own message
        assert _basket(client) == [sessions["sat10"], sessions["sat14"], sessions["sun10"]]


@pytest.mark.parametrize(
    ("other", "message"),
    [
        ("next_sat", "한 번의 신청에는 같은 주말의 회차만 고를 수 있습니다"),
        ("fri10", "추첨으로 배정하는 회차가 아닙니다"),
    ],
)
def test_the_basket_refuses_what_the_entry_would_with_its_message(client, sessions, other, message):
    with time_machine.travel(OPEN, tick=False):
        _add(client, sessions["sat10"])
        assert message in _add(client, sessions[other]).get_data(as_text=True)
        assert _basket(client) == [sessions["sat10"]]


def test_the_basket_reorders_and_removes_and_goes_back_to_the_page_it_came_from(client, sessions, lottery_cafe):
    with time_machine.travel(OPEN, tick=False):
        back = f"/facilities/{lottery_cafe.id}#slots"
        added = client.post("/lottery/basket/add", data={"slot": sessions["sat10"], "next": back})
        assert (added.status_code, added.headers["Location"]) == (303, back)
        away = client.post("/lottery/basket/add", data={"slot": sessions["sat14"], "next": "//evil.example/"})
        assert away.headers["Location"] == "/lottery/basket"
        _add(client, sessions["sun10"])
        client.post(f"/lottery/basket/{sessions['sun10']}/up")
        assert _basket(client) == [sessions["sat10"], sessions["sun10"], sessions["sat14"]]
        client.post(f"/lottery/basket/{sessions['sat10']}/down")
        assert _basket(client) == [sessions["sun10"], sessions["sat10"], sessions["sat14"]]
        client.post(f"/lottery/basket/{sessions['sat10']}/remove")
        assert _basket(client) == [sessions["sun10"], sessions["sat14"]]
        page = client.get(f"/facilities/{lottery_cafe.id}").get_data(as_text=True)
    assert "바구니 1순위" in page and "바구니 2순위" in page and "추첨 바구니 (2/3)" in page


def test_entering_from_the_basket_with_children_and_guardians(client, db, sessions, parent, lottery_cafe):
    user, kids = parent
    with time_machine.travel(OPEN, tick=False):
        _add(client, sessions["sun10"])
        _add(client, sessions["sat10"])
        form = client.get("/lottery/basket").get_data(as_text=True)
        assert 'name="child"' in form and "추첨 신청" in form and "1/8 (금) 12:00까지" in form
        done = _enter(client, kids, guardians=2)
        assert (done.status_code, done.headers["Location"]) == (303, "/bookings#lottery-title")
        entry = db.session.scalar(db.select(LotteryEntry))
        assert (entry.slot_ids, sorted(entry.child_ids), entry.guardians) == (
            [sessions["sun10"], sessions["sat10"]],
            sorted(kids),
            2,
        )
        assert _basket(client) == []
        mine = client.get("/bookings").get_data(as_text=True)
    assert entry.ref in mine and _current_stage(mine, entry.id) == "신청"
    assert "1/7 (목) 10:00 추첨" in mine and "신청 취소" in mine
    with time_machine.travel(OPEN, tick=False):  # one entry a weekend: the cells no longer offer the basket
        page = client.get(f"/facilities/{lottery_cafe.id}").get_data(as_text=True)
    assert "이 주말 신청 완료" in page and "추첨 바구니에 담기" not in page


def test_entering_refused_shows_the_server_message(client, db, sessions, parent):
    user, kids = parent
    with time_machine.travel(OPEN, tick=False):
        _add(client, sessions["sat10"])
        none = _enter(client, [])
        assert none.status_code == 422 and "신청할 아이를 한 명 이상 선택해 주세요" in none.get_data(as_text=True)
        _enter(client, kids)
        _add(client, sessions["sun10"])
        twice = _enter(client, kids)
        assert twice.status_code == 409 and "이미 추첨 신청을 했습니다" in twice.get_data(as_text=True)
    with time_machine.travel(CLOSED, tick=False):
        late = client.get("/lottery/basket").get_data(as_text=True)
        assert "이 주말의 신청은 마감되었습니다" in late and 'id="enter-form"' not in late
        refused = _enter(client, kids)
        assert refused.status_code == 409 and "추첨 신청 기간이 아닙니다" in refused.get_data(as_text=True)


def test_an_ineligible_child_is_shown_with_the_reason(client, db, sessions, parent, lottery_cafe):
    from tests.factories import set_policy

    set_policy(db.session, lottery_cafe, age_min=4)  # the younger child (연나이 3) may not come
    with time_machine.travel(OPEN, tick=False):
        _add(client, sessions["sat10"])
        form = client.get("/lottery/basket").get_data(as_text=True)
    assert form.count('class="ineligible"') == 1 and "disabled" in form


def test_anonymous_basket_asks_to_log_in_and_entering_needs_login(client, sessions):
    with time_machine.travel(OPEN, tick=False):
        _add(client, sessions["sat10"])
        page = client.get("/lottery/basket").get_data(as_text=True)
        assert "로그인하고 신청하기" in page
        assert "/login" in client.post("/lottery/basket/enter", data={"guardians": 1}).headers["Location"]


def test_withdrawing_from_my_bookings_and_another_parents_entry_is_404(app, client, db, sessions, parent):
    user, kids = parent
    with time_machine.travel(OPEN, tick=False):
        _add(client, sessions["sat10"])
        _enter(client, kids)
        entry = db.session.scalar(db.select(LotteryEntry))
        client.post("/logout")  # one client: the app context the test holds keeps the logged-in user
        login(client, make_user(db.session))
        assert client.post(f"/lottery/entries/{entry.id}/withdraw").status_code == 404
        assert entry.ref not in client.get("/bookings").get_data(as_text=True)
        client.post("/logout")
        login(client, user)
        gone = client.post(f"/lottery/entries/{entry.id}/withdraw")
        assert (gone.status_code, gone.headers["Location"]) == (303, f"/bookings#entry-{entry.id}")
        db.session.refresh(entry)
        assert entry.status == "withdrawn"
        mine = client.get("/bookings").get_data(as_text=True)
        assert "추첨 신청을 취소했습니다." in mine and "신청을 취소했습니다." in mine
        again = client.post(f"/lottery/entries/{entry.id}/withdraw", follow_redirects=True)
        assert "이미 취소했거나 추첨이 끝난 신청입니다" in again.get_data(as_text=True)


@pytest.mark.parametrize(
    ("status", "changes", "stage", "shows", "buttons"),
    [
        ("entered", {}, "신청", "1/7 (목) 10:00 추첨", ("신청 취소",)),
        ("won", {"claim_by": kst(2027, 1, 8, 12)}, "당첨", "2027년 1월 8일 (금) 12:00", ("확정하기", "포기하기")),
        ("reserve", {"reserve": {"SAT": 3}}, "예비 3번", "예비 3번", ()),
        (
            "offered",
            {"claim_by": kst(2027, 1, 8, 20), "reserve": 2},
            "예비 3번 → 자리 제안",
            "제안 유지",
            ("확정하기", "포기하기"),
        ),
        ("lost", {}, "미당첨", "당첨되지 않았고", ()),
        ("declined", {}, "당첨 (포기)", "당첨된 자리를 포기했습니다.", ()),
        ("lapsed", {}, "당첨 (기한 지남)", "확정 기한이 지나", ()),
        ("claimed", {}, "확정", "확정", ()),
    ],
)
def test_my_bookings_shows_each_status_as_stages(client, db, sessions, parent, status, changes, stage, shows, buttons):
    user, kids = parent
    entry = LotteryEntry(
        ref="00c0ffee",
        user_id=user.id,
        weekend=SATURDAY,
        slot_ids=[sessions["sat10"], sessions["sun10"]],
        child_ids=kids,
        places=2,
        status=status,
    )
    if status in ("won", "offered", "claimed", "declined", "lapsed"):
        entry.won_slot_id = sessions["sat10"]
    for key, value in changes.items():
        setattr(entry, key, {str(sessions["sat10"]): 3} if key == "reserve" else value)
    db.session.add(entry)
    db.session.commit()
    with time_machine.travel(kst(2027, 1, 6, 12) if status == "entered" else DRAW, tick=False):
        html = client.get("/bookings").get_data(as_text=True)
    block = html.split('id="entry-', 1)[1]
    assert _current_stage(html, entry.id) == stage
    assert block.count('aria-current="step"') == 1 and shows in block
    for word in ("확정하기", "포기하기", "신청 취소"):
        assert (word in block) == (word in buttons), word
    if "claim_by" in changes:
        iso = changes["claim_by"].isoformat()
        assert f'<time datetime="{iso}">' in block and f'data-countdown="{iso}"' in block and "남음)" in block


def _drawn(db, parent, kids, slot_ids) -> LotteryEntry:
    """The parent entered alone with these choices, and the weekend drawn: the entry has won its first choice."""
    from app.lottery.services import enter

    entry = enter(db.session, parent, slot_ids, kids, 1, OPEN)
    db.session.commit()
    for moment in (CLOSED, DRAW):
        run_lottery(db.session, moment)
    db.session.refresh(entry)
    assert entry.status == "won"
    return entry


def test_claiming_from_my_bookings_makes_the_booking(client, db, sessions, parent):
    user, kids = parent
    entry = _drawn(db, user, kids, [sessions["sat10"]])
    with time_machine.travel(DRAW, tick=False):
        mine = client.get("/bookings").get_data(as_text=True)
        assert "확정하기" in mine and f'/lottery/entries/{entry.id}/claim"' in mine
        done = client.post(f"/lottery/entries/{entry.id}/claim")
        db.session.refresh(entry)
        assert (entry.status, done.status_code) == ("claimed", 303)
        assert done.headers["Location"] == f"/bookings/{entry.booking_id}?new=1"
        assert "예약이 확정되었습니다" in client.get(done.headers["Location"]).get_data(as_text=True)
        mine = client.get("/bookings").get_data(as_text=True)
    assert _current_stage(mine, entry.id) == "확정" and "확정된 예약 보기" in mine and "확정하기" not in mine
    assert '다가오는 예약 <span class="count">1</span>' in mine


def test_declining_from_my_bookings_and_a_late_claim_is_refused_with_the_reason(client, db, sessions, parent):
    user, kids = parent
    entry = _drawn(db, user, kids, [sessions["sat10"]])
    with time_machine.travel(kst(2027, 1, 8, 12), tick=False):  # the claim deadline
        late = client.post(f"/lottery/entries/{entry.id}/claim", follow_redirects=True).get_data(as_text=True)
        assert "확정 기한(01월 08일 12:00)이 지났습니다" in late
    with time_machine.travel(DRAW, tick=False):
        gone = client.post(f"/lottery/entries/{entry.id}/decline")
        assert (gone.status_code, gone.headers["Location"]) == (303, f"/bookings#entry-{entry.id}")
        db.session.refresh(entry)
        mine = client.get("/bookings").get_data(as_text=True)
    assert entry.status == "declined" and "자리를 포기했습니다." in mine and "당첨된 자리를 포기했습니다." in mine


def test_another_parents_win_cannot_be_claimed_or_declined(client, db, sessions, household):
    user, kids = household
    entry = _drawn(db, user, kids, [sessions["sat10"]])
    login(client, make_user(db.session))
    with time_machine.travel(DRAW, tick=False):
        assert client.post(f"/lottery/entries/{entry.id}/claim").status_code == 404
        assert client.post(f"/lottery/entries/{entry.id}/decline").status_code == 404
    db.session.refresh(entry)
    assert entry.status == "won"


def _draw_page(client, ref=""):
    return client.get(f"/lottery/draws/{SATURDAY}" + (f"?ref={ref}" if ref else "")).get_data(as_text=True)


def _api(client) -> dict:
    """GET /api/draws, which must be exactly what the page shows from (app.lottery.public.draw_json)."""
    from app.extensions import db
    from app.lottery.public import draw_json

    answer = client.get(f"/api/draws?weekend={SATURDAY}").get_json()
    assert draw_json(db.session, SATURDAY) == answer
    return answer


def test_the_draw_page_publishes_step_by_step_what_the_api_does(app, client, db, sessions, household):
    parent, kids = household
    before = _draw_page(client)
    assert "이 주말의 추첨은 아직 없습니다" in before and "1/5 (화) 09:00" in before
    with time_machine.travel(OPEN, tick=False):
        run_lottery(db.session, OPEN)
        from app.lottery.services import enter

        ref = enter(db.session, parent, [sessions["sat10"]], kids, 1, OPEN).ref
        db.session.commit()
        opened, record = _draw_page(client, ref), _api(client)
    assert record["commitment"] in opened and 'id="digest"' not in opened and "secret" not in record
    assert "마감(1/6 (수) 23:59) 때 공개합니다" in opened
    run_lottery(db.session, CLOSED)
    closed, record = _draw_page(client, ref), _api(client)
    assert record["digest"] in closed and ref in closed and 'id="seed"' not in closed
    assert "마감 때 공개한 목록에 있습니다" in closed
    assert "목록에 없습니다" in _draw_page(client, "abcdef")
    run_lottery(db.session, DRAW)
    drawn, record = _draw_page(client, ref), _api(client)
    for key in ("commitment", "digest", "secret", "seed"):
        assert f'id="{key}">{record[key]}<' in drawn
    assert "추첨 순서 <strong>1번째</strong>" in drawn and "당첨 회차" in drawn
    assert "· 2027-01-09 (토) 10:00–12:00</strong>" in drawn  # the won session by facility and time, not by id
    command = f"python3 verify_draw.py record.json --commitment {record['commitment']} --digest {record['digest']}"
    assert command in drawn
    assert f'href="/api/draws?weekend={SATURDAY}"' in drawn and 'href="/lottery/verify_draw.py"' in drawn
    assert parent.email not in drawn and parent.name not in drawn


def test_draw_page_addresses(client):
    with time_machine.travel(OPEN, tick=False):
        assert client.get("/lottery/draws").headers["Location"] == f"/lottery/draws/{SATURDAY}"
    assert client.get("/lottery/draws/2027-01-08").status_code == 404  # a Friday
    assert client.get("/lottery/draws/soon").status_code == 404
    script = client.get("/lottery/verify_draw.py")
    assert script.mimetype == "text/plain" and b"def recompute" in script.data
    assert 'href="/lottery/draws"' in client.get("/").get_data(as_text=True)  # the footer's 주말 추첨


def test_forms_carry_csrf_tokens_and_refuse_without_one(app, client, db, sessions, parent, lottery_cafe):
    app.config["WTF_CSRF_ENABLED"] = True
    user, kids = parent
    with time_machine.travel(OPEN, tick=False):
        page = client.get(f"/facilities/{lottery_cafe.id}").get_data(as_text=True)
        form = page.split('class="basket-add"', 1)[1].split("</form>", 1)[0]
        token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
        assert _add(client, sessions["sat10"], follow=False).status_code == 400
        ok = client.post("/lottery/basket/add", data={"slot": sessions["sat10"], "csrf_token": token})
        assert ok.status_code == 303
        basket = client.get("/lottery/basket").get_data(as_text=True)
        assert basket.count('name="csrf_token"') >= 3  # remove, enter, (logout)
        assert _enter(client, kids).status_code == 400
        assert db.session.scalar(db.select(LotteryEntry)) is None


def test_pages_with_several_households(client, db, sessions):
    """Two children of another household do not show up in this parent's basket form."""
    other = make_user(db.session)
    make_child(db.session, other)
    db.session.commit()
    user = make_user(db.session)
    login(client, user)
    with time_machine.travel(OPEN, tick=False):
        _add(client, sessions["sat10"])
        form = client.get("/lottery/basket").get_data(as_text=True)
    assert "먼저 아이를 등록해 주세요" in form
