"""The console as a front desk uses it: where each role lands after login and what its menu offers, the roster
opening at the current or next session, finding a booking by its code, finished sessions greyed."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine

from app.timeutil import KST, utcnow
from tests.factories import ONE_CHILD, login, make_slot, make_user, place_booking


@pytest.mark.parametrize(
    "role, landing, shown, hidden",
    [
        ("parent", "/", ["내 예약", "아이 등록"], ["운영자 콘솔", "내 시설·명단"]),
        ("operator", "/operator/", ["내 시설·명단"], ["내 예약", "아이 등록", ">관리자<"]),
        ("admin", "/admin/", [">관리자<", "운영자 콘솔"], ["내 예약", "아이 등록"]),
    ],
)
def test_login_lands_on_the_roles_console_with_its_menu(client, db, cafe, role, landing, shown, hidden):
    user = make_user(db.session, role, [cafe] if role == "operator" else [])
    # The header's login link carries the page it was on; the finder's front page does not hold staff there.
    response = client.post("/login?next=/", data={"email": user.email, "password": "sunny-day-1"})
    assert response.status_code == 302 and response.location == landing
    page = client.get(landing).get_data(as_text=True)
    menu = page.split('aria-label="주 메뉴"')[1].split("</nav>")[0]
    assert all(s in menu for s in shown) and not any(s in menu for s in hidden), menu


def test_login_keeps_a_next_page_that_is_not_the_front_page(client, db, cafe):
    user = make_user(db.session, "operator", [cafe])
    target = f"/operator/facilities/{cafe.id}/settings"
    assert (
        client.post(f"/login?next={target}", data={"email": user.email, "password": "sunny-day-1"}).location == target
    )


@pytest.mark.parametrize(
    "clock",
    [
        datetime(2026, 12, 9, 15, 0, tzinfo=KST),
        # 00:20: the running session began at 23:40 the day before and keeps the roster on its own day.
        datetime(2026, 12, 10, 0, 20, tzinfo=KST),
    ],
    ids=["afternoon", "after-midnight"],
)
def test_roster_opens_at_the_current_session_and_greys_finished_ones(client, db, cafe, clock):
    with time_machine.travel(clock, tick=False):
        now = utcnow()
        done = make_slot(db.session, cafe, now - timedelta(hours=3), minutes=60)
        running = make_slot(db.session, cafe, now - timedelta(minutes=40))
        place_booking(db.session, make_user(db.session, children=ONE_CHILD), done)
        login(client, make_user(db.session, "operator", [cafe]))
        html = client.get(f"/operator/facilities/{cafe.id}/roster").get_data(as_text=True)
    finished = html.split(f'id="slot-{done.id}"')[1].split("</section>")[0]
    assert "op-ended" in html.split(f'id="slot-{done.id}"')[0][-80:] and "끝난 회차" in finished
    assert 'aria-label="하늘 입장 처리" disabled' in finished and " disabled>정원 변경</button>" in finished
    current = html.split(f'id="slot-{running.id}"')[1].split(">")[0]
    assert "data-current" in current


def test_roster_without_sessions_left_today_opens_the_next_day(client, db, cafe):
    now = utcnow()
    ahead = make_slot(db.session, cafe, now + timedelta(days=3))
    login(client, make_user(db.session, "operator", [cafe]))
    html = client.get(f"/operator/facilities/{cafe.id}/roster").get_data(as_text=True)
    assert f'id="slot-{ahead.id}"' in html and "data-current" in html


def test_roster_finds_a_booking_by_its_code(client, db, cafe, make_facility):
    slot = make_slot(db.session, cafe, utcnow() + timedelta(days=2))
    booking = place_booking(db.session, make_user(db.session, children=ONE_CHILD), slot)
    elsewhere = place_booking(
        db.session,
        make_user(db.session, children=ONE_CHILD),
        make_slot(db.session, make_facility(kind="kids_cafe"), utcnow() + timedelta(days=2)),
    )
    login(client, make_user(db.session, "operator", [cafe]))
    url = f"/operator/facilities/{cafe.id}/roster"
    typed = booking.code.replace("-", "").lower()  # as read out over the counter
    found = client.get(url, query_string={"code": typed})
    day = slot.starts_at.astimezone(KST).date().isoformat()
    assert found.status_code == 303 and found.location.endswith(f"roster?date={day}#booking-{booking.id}")
    missing = client.get(url, query_string={"code": elsewhere.code}).get_data(as_text=True)  # another facility's
    assert missing.count("찾지 못했습니다") == 1 and elsewhere.code in missing


def test_weekly_grid_one_save_asks_before_removals(client, db, cafe):
    from app.bookings.models import SessionTemplate
    from tests.support import audits

    for weekday in (1, 2):
        db.session.add(
            SessionTemplate(
                facility_id=cafe.id,
                weekday=weekday,
                starts="09:30",
                ends="11:30",
                capacity_individual=20,
                capacity_group=0,
            )
        )
    db.session.commit()
    login(client, make_user(db.session, "operator", [cafe]))
    url = f"/operator/facilities/{cafe.id}/settings"
    page = client.get(url).get_data(as_text=True)
    assert 'name="on-0-1" value="1" checked' in page and 'name="on-0-2" value="1" checked' in page
    # Untick Wednesday, raise Tuesday to 25, add Saturday 14:00: the removal is asked about first, nothing written.
    form = {
        "starts-0": "09:30",
        "ends-0": "11:30",
        "on-0-1": "1",
        "cap-0-1": "25",
        "grp-0-1": "0",
        "cap-0-2": "20",
        "starts-new": "14:00",
        "ends-new": "16:00",
        "on-new-5": "1",
        "cap-new-5": "30",
    }
    asked = client.post(url, data=form)
    html = asked.get_data(as_text=True)
    assert asked.status_code == 409 and asked.request.path == url and "회차 1개를 삭제할까요?" in html
    assert "수 09:30–11:30" in html and 'value="14:00"' in html  # what was typed is kept
    assert db.session.query(SessionTemplate).count() == 2 and not audits(db.session, "template.update")
    saved = client.post(url, data={**form, "confirm": "1"})
    assert saved.status_code == 303
    rows = {(t.weekday, t.starts): t.capacity_individual for t in db.session.query(SessionTemplate)}
    assert rows == {(1, "09:30"): 25, (5, "14:00"): 30}
    # A bad value is refused on the same address, said once, with the grid as typed.
    bad = client.post(url, data={**form, "cap-0-1": "abc"})
    text = bad.get_data(as_text=True)
    assert bad.status_code == 422 and bad.request.path == url and text.count("숫자를 입력해 주세요") == 1
