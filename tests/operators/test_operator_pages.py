"""Operator pages via the test client (real clock, slots placed with wide margins): roster, actions, CSV,
settings, closure confirmation, utilisation, and who may see what."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta

import pytest

from app.bookings.models import Booking, Closure, Slot
from app.bookings.policy import city_policy
from app.masking import mask_name
from app.timeutil import KST, utcnow
from tests.factories import login, make_slot, make_user, place_booking
from tests.support import audits


@pytest.fixture
def world(db, operated):
    now, cafe = utcnow(), operated["cafe"]
    started = make_slot(db.session, cafe, now - timedelta(minutes=40), capacity=4)  # under way: no-show allowed
    future = make_slot(db.session, cafe, now + timedelta(days=2), capacity=4)
    parent = make_user(db.session, children=(("하늘", date(2021, 5, 5)),))
    second = make_user(db.session, children=(("=바다", date(2022, 3, 1)),))
    return dict(
        operated,
        started=started,
        future=future,
        parent=parent,
        b1=place_booking(db.session, parent, started),
        b2=place_booking(db.session, second, started),
        day=started.starts_at.astimezone(KST).date(),
    )


def test_roster_shows_children_codes_and_escapes(client, world):
    login(client, world["operator"])
    page = client.get(f"/operator/facilities/{world['cafe'].id}/roster?date={world['day']}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert world["b1"].code in html and "하늘" in html and mask_name(world["parent"].name) in html
    assert world["parent"].name not in html  # masked (tests/privacy covers every operator surface)
    assert "&lt;b&gt;시청점&lt;/b&gt;" in html and "<b>시청점</b>" not in html
    index = client.get("/operator/").get_data(as_text=True)
    assert index.count(">오늘 명단</a>") == 1 and "다른 시설" not in index  # only the assigned facility


def test_empty_roster_links_the_next_day_with_sessions(client, world):
    login(client, world["operator"])
    future_day = world["future"].starts_at.astimezone(KST).date()
    empty_day = world["day"] + timedelta(days=1)
    assert empty_day < future_day
    html = client.get(f"/operator/facilities/{world['cafe'].id}/roster?date={empty_day}").get_data(as_text=True)
    assert "이 날에는 회차가 없습니다" in html
    assert f'roster?date={future_day.isoformat()}" data-next-open' in html
    after = client.get(f"/operator/facilities/{world['cafe'].id}/roster?date={future_day}").get_data(as_text=True)
    assert "data-next-open" not in after  # a day with sessions shows them instead


def test_check_in_and_no_show_from_the_roster(client, db, world):
    login(client, world["operator"])
    assert client.post(f"/operator/bookings/{world['b1'].id}/check-in").status_code == 303
    # Without the confirmation it only leads to the confirmation page.
    asked = client.post(f"/operator/bookings/{world['b2'].id}/no-show")
    assert asked.status_code == 303 and asked.location.endswith(f"/operator/bookings/{world['b2'].id}/no-show")
    assert db.session.get(Booking, world["b2"].id).status == "confirmed"
    assert client.post(f"/operator/bookings/{world['b2'].id}/no-show", data={"confirm": "1"}).status_code == 303
    html = client.get(f"/operator/facilities/{world['cafe'].id}/roster?date={world['day']}").get_data(as_text=True)
    assert "입장" in html and "노쇼" in html
    assert db.session.get(Booking, world["b1"].id).status == "checked_in"
    assert db.session.get(Booking, world["b2"].id).status == "no_show"
    # Again: refused with the reason shown once on the roster (Post/Redirect/Get), nothing changed.
    again = client.post(f"/operator/bookings/{world['b1'].id}/check-in", follow_redirects=True)
    assert again.request.path.endswith("/roster") and again.get_data(as_text=True).count("확정 상태인 예약만") == 1
    assert len(audits(db.session, "booking.check_in")) == 1 and len(audits(db.session, "booking.no_show")) == 1


def test_no_show_ban_is_shown_to_the_parent_on_booking(client, db, world):
    login(client, world["operator"])
    client.post(f"/operator/bookings/{world['b1'].id}/no-show", data={"confirm": "1"})
    client.post("/logout")
    login(client, world["parent"])
    kid = world["parent"].children[0].id
    api = client.post("/api/bookings", json={"slot_id": world["future"].id, "child_ids": [kid]})
    until = (datetime.now(KST) + timedelta(days=30)).date()
    assert api.status_code == 422 and api.get_json()["error"] == "banned"
    assert f"{until:%Y년 %m월 %d일}" in api.get_json()["message"]
    page = client.post(f"/bookings/new?slot={world['future'].id}", data={"child": kid, "guardians": 1})
    assert page.status_code == 422 and "노쇼로" in page.get_data(as_text=True)


def test_capacity_walk_in_and_block_pages(client, db, world):
    login(client, world["operator"])
    slot = world["started"]
    low = client.post(f"/operator/slots/{slot.id}/capacity", data={"capacity": "1"}, follow_redirects=True)
    assert low.request.path.endswith("/roster") and low.history[0].location.endswith(f"#slot-{slot.id}")
    text = low.get_data(as_text=True)
    assert text.count("이미 예약된 인원보다 정원을 줄일 수 없습니다") == 1 and text.count("예약 2명") == 1
    assert client.post(f"/operator/slots/{slot.id}/capacity", data={"capacity": "3"}).status_code == 303
    walk = client.post(
        f"/operator/slots/{slot.id}/walk-in", data={"child_name": "현장이", "birth_year": "2022", "guardians": "1"}
    )
    assert walk.status_code == 303 and db.session.get(Slot, slot.id).booked == 3
    full = client.post(
        f"/operator/slots/{slot.id}/walk-in",
        data={"child_name": "또", "birth_year": "2022", "guardians": "1"},
        follow_redirects=True,
    )
    assert full.request.path.endswith("/roster") and "남은 자리가 없습니다" in full.get_data(as_text=True)
    assert client.post(f"/operator/slots/{world['future'].id}/block", data={"blocked": "1"}).status_code == 303
    assert db.session.get(Slot, world["future"].id).blocked is True
    client.post(f"/operator/slots/{world['future'].id}/block", data={"blocked": "0"})
    assert db.session.get(Slot, world["future"].id).blocked is False


def test_roster_csv_opens_in_korean_excel(client, world):
    login(client, world["operator"])
    response = client.get(f"/operator/facilities/{world['cafe'].id}/roster.csv?date={world['day']}")
    body = response.data
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert body.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8 Hangul
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:4] == ["회차", "예약번호", "상태", "아이"]
    assert [r[1] for r in rows[1:]] == [world["b1"].code, world["b2"].code]
    assert rows[1][3:5] == ["하늘", f"{world['day'].year - 2021}세"]
    assert rows[2][3] == "'=바다"  # never a formula in Excel
    assert b"\r\n" in body


def test_closure_over_bookings_asks_then_cancels(client, db, world):
    login(client, world["operator"])
    target = world["future"]
    booking = place_booking(db.session, world["parent"], target)
    day = target.starts_at.astimezone(KST).date().isoformat()
    url = f"/operator/facilities/{world['cafe'].id}/closures"
    first = client.post(url, data={"starts_on": day, "ends_on": day, "reason": "점검"}, follow_redirects=True)
    html = first.get_data(as_text=True)
    assert first.request.path.endswith("/settings")  # the confirmation is a page (GET), not the POST's answer
    assert first.status_code == 200 and booking.code in html and "취소하고 휴관 등록" in html
    assert db.session.query(Closure).count() == 0 and db.session.get(Booking, booking.id).status == "confirmed"
    second = client.post(url, data={"starts_on": day, "ends_on": day, "reason": "점검", "confirm": "1"})
    assert second.status_code == 303 and db.session.query(Closure).count() == 1
    assert db.session.get(Booking, booking.id).status == "cancelled"
    [entry] = audits(db.session, "closure.add")
    assert [b["code"] for b in entry.after["cancelled_bookings"]] == [booking.code]
    assert entry.actor_id == world["operator"].id


LOTTERY_CYCLE = dict(
    lottery_opens="MON 09:00", lottery_closes="TUE 23:59", lottery_draw="WED 10:00", lottery_claim_by="THU 12:00"
)


def test_settings_policy_and_templates(client, db, world):
    login(client, world["operator"])
    fid = world["cafe"].id
    assert client.get(f"/operator/facilities/{fid}/settings").status_code == 200
    saved = client.post(
        f"/operator/facilities/{fid}/policy",
        data={
            "opening_mode": "weekly",
            "days_ahead": "7",
            "open_weekday": "1",
            "open_time": "09:00",
            "cancel_deadline_minutes": "60",
            "no_show_after_minutes": "45",
            "no_show_ban_days": "365",
            "allocation": "lottery_weekends",
            **LOTTERY_CYCLE,
        },
    )
    assert saved.status_code == 303
    [entry] = audits(db.session, "policy.update")
    assert entry.before["cancel_deadline_minutes"] == 30 and entry.after == {
        "opening_mode": "weekly",
        "days_ahead": 7,
        "open_weekday": 1,
        "open_time": "09:00",
        "cancel_deadline_minutes": 60,
        "no_show_after_minutes": 45,
        "allocation": "lottery_weekends",
        **LOTTERY_CYCLE,
    }
    # The ban's length is the city's: an operator's 365 changes nothing.
    assert city_policy(db.session).no_show_ban_days == 30 and not audits(db.session, "city_policy.update")
    bad = client.post(
        f"/operator/facilities/{fid}/policy", data={"opening_mode": "weekly", "open_time": "9시"}, follow_redirects=True
    )
    assert bad.request.path.endswith("/settings") and len(audits(db.session, "policy.update")) == 1
    assert bad.get_data(as_text=True).count("숫자를 입력해 주세요") == 1  # the refusal, once
    # The weekly grid: one save adds a Sunday evening session.
    added = client.post(
        f"/operator/facilities/{fid}/settings",
        data={"starts-new": "19:00", "ends-new": "20:30", "on-new-6": "1", "cap-new-6": "12", "grp-new-6": "0"},
    )
    assert added.status_code == 303 and audits(db.session, "template.add")[0].after["starts"] == "19:00"
    assert "19:00" in client.get(f"/operator/facilities/{fid}/settings").get_data(as_text=True)


def test_utilisation_page_table_and_chart(client, db, world):
    login(client, world["operator"])
    client.post(f"/operator/bookings/{world['b1'].id}/check-in")
    day = world["day"]
    html = client.get(f"/operator/facilities/{world['cafe'].id}/utilisation?start={day}&days=1").get_data(as_text=True)
    assert "<svg viewBox" in html and 'role="img"' in html and "<title" in html
    row = html.split(f'data-date="{day.isoformat()}"')[1].split("</tr>")[0]
    assert '<td data-k="booked">2</td>' in row and '<td data-k="attended">1</td>' in row
    assert '<td data-k="empty">2</td>' in row


@pytest.mark.parametrize(
    "who, expected", [("anonymous", 302), ("parent", 403), ("stranger", 403), ("operator", 200), ("admin", 200)]
)
def test_page_access(client, db, world, who, expected):
    if who == "admin":
        login(client, make_user(db.session, "admin"))
    elif who == "parent":
        login(client, world["parent"])
    elif who != "anonymous":
        login(client, world[who])
    fid = world["cafe"].id
    for url in (
        f"/operator/facilities/{fid}/roster",
        f"/operator/facilities/{fid}/settings",
        f"/operator/facilities/{fid}/utilisation",
        f"/operator/facilities/{fid}/roster.csv",
    ):
        assert client.get(url).status_code == expected, url
    posted = client.post(f"/operator/bookings/{world['b1'].id}/check-in")
    assert posted.status_code == (303 if expected == 200 else expected)
    assert db.session.get(Booking, world["b1"].id).status == ("checked_in" if expected == 200 else "confirmed")
