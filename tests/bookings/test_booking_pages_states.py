"""Booking pages for #10: session states, the form that cannot succeed, children, confirmations and 내 예약's sections.

Slots sit relative to the real clock (the pages read it) with wide margins; policies ignore public holidays.
"""

import re
from datetime import date, datetime, timedelta

import time_machine

from app.auth.models import Child
from app.bookings.models import Booking, Closure
from app.bookings.routes import with_object_particle
from app.timeutil import KST, utcnow
from tests.factories import NOW, kst, login, make_slot, make_user, place_booking, set_policy


def _in_days(days: int, hour: int = 10) -> datetime:
    day = utcnow().astimezone(KST).date() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=KST)


def _cafe(db, make_facility, **policy):
    cafe = make_facility(kind="kids_cafe", name="키즈카페 시청점", age_min=3, age_max=9)
    set_policy(db.session, cafe, closed_on_holidays=False, **policy)
    return cafe


def _submit_button(html: str) -> str:
    return re.search(r"<button type=\"submit\" class=\"button primary\"[^>]*>", html).group(0)


def test_a_full_session_is_not_offered_and_links_the_next_free_one(client, db, make_facility):
    cafe = _cafe(db, make_facility)
    full = make_slot(db.session, cafe, _in_days(2), capacity=1)
    full.booked = 1
    also_full = make_slot(db.session, cafe, _in_days(2, 14), capacity=1)
    also_full.booked = 1
    free = make_slot(db.session, cafe, _in_days(3))
    db.session.commit()
    login(client, make_user(db.session, children=(("하늘", date(2021, 5, 5)),)))
    html = client.get(f"/bookings/new?slot={full.id}").get_data(as_text=True)
    assert "마감" in html and "남은 자리가 없습니다" in html
    assert "disabled" in _submit_button(html)
    assert f'id="next-slot" href="/bookings/new?slot={free.id}"' in html
    open_form = client.get(f"/bookings/new?slot={free.id}").get_data(as_text=True)
    assert "disabled" not in _submit_button(open_form) and "next-slot" not in open_form


def test_the_form_says_when_booking_opens_and_about_closures(client, db, make_facility):
    cafe = _cafe(db, make_facility, days_ahead=3, open_time="09:00")
    later = make_slot(db.session, cafe, _in_days(10))
    db.session.add(
        Closure(facility_id=cafe.id, starts_on=_in_days(2).date(), ends_on=_in_days(2).date(), reason="소독")
    )
    closed = make_slot(db.session, cafe, _in_days(2))
    db.session.commit()
    login(client, make_user(db.session, children=(("하늘", date(2021, 5, 5)),)))
    opens = _in_days(7).date()
    html = client.get(f"/bookings/new?slot={later.id}").get_data(as_text=True)
    assert f"{opens.month}/{opens.day} 09:00 오픈" in html and "disabled" in _submit_button(html)
    html = client.get(f"/bookings/new?slot={closed.id}").get_data(as_text=True)
    assert "휴관 (소독)" in html and "disabled" in _submit_button(html)


def test_week_view_shows_states_and_closed_days(client, db, make_facility):
    cafe = _cafe(db, make_facility, same_day=False)
    today = make_slot(db.session, cafe, kst(2026, 11, 23, 15))
    full = make_slot(db.session, cafe, kst(2026, 11, 24), capacity=1)
    full.booked = 1
    db.session.add(
        Closure(facility_id=cafe.id, starts_on=date(2026, 11, 25), ends_on=date(2026, 11, 25), reason="내부 공사")
    )
    db.session.commit()
    with time_machine.travel(NOW, tick=False):
        html = client.get(f"/facilities/{cafe.id}/week").get_data(as_text=True)
    assert re.search(
        rf'data-slot="{today.id}" data-state="same_day">\s*<span class="time">[^<]*</span>'
        r'<span class="left">당일 예약 불가',
        html,
    )
    assert re.search(rf'data-slot="{full.id}" data-state="full">', html) and "마감" in html
    assert "휴관 (내부 공사)" in html


def test_daycare_week_is_a_grid_of_hours(client, db, make_facility):
    daycare = make_facility(kind="hourly_daycare", name="시간제 어린이집")
    set_policy(db.session, daycare, closed_on_holidays=False)
    for days in (2, 3):
        for hour in range(9, 13):
            make_slot(db.session, daycare, _in_days(days, hour), capacity=3, minutes=60)
    html = client.get(f"/facilities/{daycare.id}/week").get_data(as_text=True)
    assert 'class="week week-grid"' in html and "<table>" in html
    assert html.count('<th scope="row">') == 4  # one row per hour, not one button per slot and day
    assert html.count('class="cell open"') == 8 and ">3</a>" in html


def test_ineligible_children_are_greyed_with_age_and_why(client, db, make_facility):
    cafe = _cafe(db, make_facility)  # 연나이 3~9
    slot = make_slot(db.session, cafe, _in_days(2))
    year = slot.starts_at.astimezone(KST).year  # 연나이 is the visit's year's (next year's, on 30 December)
    parent = make_user(db.session, children=(("하늘", date(year - 5, 5, 5)), ("아기", date(year - 1, 1, 1))))
    login(client, parent)
    html = client.get(f"/bookings/new?slot={slot.id}").get_data(as_text=True)
    baby = parent.children[1]
    label = re.search(rf'<label class="ineligible" data-child="{baby.id}">.*?</label>', html, re.S).group(0)
    assert "disabled" in label and "연나이 1세" in label and "이용 연령은 연나이 3~9세입니다" in label
    sky = re.search(rf'<label data-child="{parent.children[0].id}">.*?</label>', html, re.S).group(0)
    assert "연나이 5세" in sky and "checked" in sky  # the only eligible child is preselected
    # A child who already visits that day is greyed too (one visit a day), before submitting.
    place_booking(db.session, parent, make_slot(db.session, cafe, _in_days(2, 14)))
    html = client.get(f"/bookings/new?slot={slot.id}").get_data(as_text=True)
    assert "하루에 한 번만" in html and 'id="no-eligible"' in html and "disabled" in _submit_button(html)


def test_cancel_is_confirmed_in_page_and_reads_naturally(client, db, make_facility):
    cafe = _cafe(db, make_facility)
    parent = make_user(db.session, children=(("하늘", date(2021, 5, 5)),))
    booking = place_booking(db.session, parent, make_slot(db.session, cafe, _in_days(2)))
    login(client, parent)
    for url in ("/bookings", f"/bookings/{booking.id}"):
        html = client.get(url).get_data(as_text=True)
        box = re.search(r'<details class="confirm">.*?</details>', html, re.S).group(0)
        assert "취소할까요?" in box and f'action="/bookings/{booking.id}/cancel"' in box and "네, 취소합니다" in box
    r = client.post(f"/bookings/{booking.id}/cancel")
    assert r.status_code == 303
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert f"예약 {with_object_particle(booking.code)} 취소했습니다" in page and "을(를)" not in page
    assert with_object_particle("RA3F-HJBB") == "RA3F-HJBB를" and with_object_particle("K7QD-3MZM") == "K7QD-3MZM을"
    assert with_object_particle("예약") == "예약을" and with_object_particle("아이") == "아이를"


def test_mine_has_sections_with_reasons_and_no_ics_for_cancelled(client, db, make_facility):
    cafe = _cafe(db, make_facility)
    parent = make_user(db.session, children=(("하늘", date(2021, 5, 5)),))
    upcoming = place_booking(db.session, parent, make_slot(db.session, cafe, _in_days(2)))
    past = place_booking(db.session, parent, make_slot(db.session, cafe, _in_days(-3)), status="checked_in")
    by_parent = place_booking(db.session, parent, make_slot(db.session, cafe, _in_days(4)), status="cancelled")
    by_parent.cancel_reason = "보호자 취소"
    closure = place_booking(db.session, parent, make_slot(db.session, cafe, _in_days(5)), status="cancelled")
    closure.cancel_reason = "휴관: 성탄절"
    no_show = place_booking(db.session, parent, make_slot(db.session, cafe, _in_days(-2)), status="no_show")
    parent.banned_until = utcnow() + timedelta(days=28)
    db.session.commit()
    login(client, parent)
    html = client.get("/bookings").get_data(as_text=True)

    def section(key):
        return html.split(f'id="{key}-title"')[1].split("</section>")[0]

    assert upcoming.code in section("upcoming") and past.code in section("past")
    cancelled = section("cancelled")
    assert by_parent.code in cancelled and "보호자 취소" in cancelled and "휴관: 성탄절" in cancelled
    assert ".ics" not in cancelled and "예약 취소" not in cancelled
    assert no_show.code in section("no_show") and "노쇼" in section("no_show") and "까지 예약할 수 없습니다" in html
    assert f"/bookings/{upcoming.id}.ics" in section("upcoming")
    refused = client.get(f"/bookings/{by_parent.id}.ics")
    assert refused.status_code == 409 and "취소된 예약은 캘린더에 넣을 수 없습니다" in refused.get_data(as_text=True)
    show = client.get(f"/bookings/{by_parent.id}").get_data(as_text=True)
    assert "보호자 취소" in show and ".ics" not in show and "예약 취소</summary>" not in show


def test_children_page_duplicate_edit_and_remove(client, db, make_facility):
    parent = make_user(db.session, children=(("하늘", date(2021, 5, 5)),))
    kid = parent.children[0]
    login(client, parent)
    again = client.post("/children", data={"name": "하늘", "birth_date": "2021-05-05", "consent": "y"})
    assert again.status_code == 409 and "이미 등록되어 있습니다" in again.get_data(as_text=True)
    form = client.get(f"/children/{kid.id}/edit").get_data(as_text=True)
    assert 'value="하늘"' in form and 'value="2021-05-05"' in form
    r = client.post(f"/children/{kid.id}/edit", data={"name": "하늘이", "birth_date": "2021-05-06"})
    assert r.status_code == 303
    db.session.expire_all()
    assert (db.session.get(Child, kid.id).name, db.session.get(Child, kid.id).birth_date) == (
        "하늘이",
        date(2021, 5, 6),
    )

    cafe = _cafe(db, make_facility)
    booking = place_booking(db.session, parent, make_slot(db.session, cafe, _in_days(2)))
    refused = client.post(f"/children/{kid.id}/delete")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 409 and booking.code in page and "먼저 취소" in page
    booking.status = "cancelled"
    db.session.commit()
    assert client.post(f"/children/{kid.id}/delete").status_code == 303
    assert db.session.query(Child).count() == 0 and db.session.query(Booking).count() == 1

    other = make_user(db.session, children=(("바다", date(2022, 1, 1)),))
    theirs = other.children[0].id
    assert client.get(f"/children/{theirs}/edit").status_code == 404
    assert client.post(f"/children/{theirs}/delete").status_code == 404
