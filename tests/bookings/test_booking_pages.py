"""Booking pages via the test client: week view, form, confirmation, 내 예약, cancel, .ics, ownership.

Slots are placed relative to the real clock (the pages ask for the time themselves) with wide margins,
and the facility's policy ignores public holidays, so the outcome does not depend on the day the suite runs.
"""

from datetime import date, datetime, timedelta

from flask import render_template, request

from app import extensions
from app.auth.models import Child
from app.bookings.models import Booking, Slot
from app.bookings.week import booking_week
from app.timeutil import KST, utcnow
from tests.factories import ONE_CHILD, PASSWORD, login, make_slot, make_user, set_policy


def _facility(db, make_facility, kind="kids_cafe", **policy):
    facility = make_facility(kind=kind, name="<i>서울형 키즈카페</i> 중구점", age_min=0, age_max=12)
    set_policy(db.session, facility, closed_on_holidays=False, **policy)
    db.session.commit()
    return facility


def _slot(db, facility, starts_at, capacity=5, minutes=120):
    slot = make_slot(db.session, facility, starts_at, capacity=capacity, minutes=minutes)
    db.session.commit()  # the pages read it in their own requests
    return slot


def _day_after_tomorrow_at_10():
    day = utcnow().astimezone(KST).date() + timedelta(days=2)
    return datetime(day.year, day.month, day.day, 10, 0, tzinfo=KST)


def _week_html(app, facility, query=""):
    with app.test_request_context(f"/facilities/{facility.id}{query}"):
        week = (
            booking_week(extensions.db.session, facility.id, request.args.get("week"), utcnow())
            if facility.bookable
            else None
        )
        return render_template("bookings/_slots.html", facility=facility, week=week)


def test_week_view_lists_seven_days_with_places_and_links(app, db, make_facility):
    facility = _facility(db, make_facility)
    slot = _slot(db, facility, _day_after_tomorrow_at_10(), capacity=7)
    html = _week_html(app, facility)
    assert html.count('class="day') == 7
    assert f"/bookings/new?slot={slot.id}" in html and "7자리 남음" in html and "10:00–12:00" in html
    assert "이전 주" not in html and "다음 주" in html
    later = (utcnow().astimezone(KST).date() + timedelta(days=7)).isoformat()
    next_week = _week_html(app, facility, f"?week={later}")
    assert f"slot={slot.id}" not in next_week and "이전 주" in next_week
    assert _week_html(app, make_facility(kind="kids_ok_zone"), "").strip() == ""


def test_full_slot_shows_no_link(app, db, make_facility):
    facility = _facility(db, make_facility)
    slot = _slot(db, facility, _day_after_tomorrow_at_10(), capacity=1)
    slot.booked = 1
    db.session.commit()
    html = _week_html(app, facility)
    assert "마감" in html and f"slot={slot.id}" not in html


def test_book_confirm_list_cancel_and_place_returns(app, client, db, make_facility):
    facility = _facility(db, make_facility)
    slot = _slot(db, facility, _day_after_tomorrow_at_10(), capacity=5)
    parent = make_user(db.session, children=(("하늘", date(2021, 5, 5)), ("바다", date(2023, 1, 1))))
    kid_ids = [c.id for c in parent.children]
    assert client.get(f"/bookings/new?slot={slot.id}").status_code == 302  # login first
    login(client, parent)
    form = client.get(f"/bookings/new?slot={slot.id}").get_data(as_text=True)
    assert "하늘" in form and "바다" in form and 'name="guardians"' in form and 'name="hours"' not in form
    assert "&lt;i&gt;서울형 키즈카페&lt;/i&gt;" in form

    r = client.post(f"/bookings/new?slot={slot.id}", data={"child": kid_ids, "guardians": "2"})
    assert r.status_code == 303
    booking = db.session.query(Booking).one()
    assert r.headers["Location"].endswith(f"/bookings/{booking.id}?new=1")
    confirmation = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "예약이 확정되었습니다" in confirmation and booking.code in confirmation
    assert db.session.get(Slot, slot.id).remaining == 3
    assert "3자리 남음" in _week_html(app, facility)

    mine = client.get("/bookings").get_data(as_text=True)
    upcoming = mine.split('id="upcoming"')[1].split("지난 예약")[0]
    assert booking.code in upcoming and "예약 확정" in upcoming and "예약 취소" in upcoming

    ics = client.get(f"/bookings/{booking.id}.ics")
    assert ics.status_code == 200 and ics.mimetype == "text/calendar"
    assert "BEGIN:VEVENT" in ics.get_data(as_text=True) and booking.code in ics.get_data(as_text=True)

    r = client.post(f"/bookings/{booking.id}/cancel")
    assert r.status_code == 303
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status == "cancelled"
    assert db.session.get(Slot, slot.id).remaining == 5
    assert "5자리 남음" in _week_html(app, facility)
    after = client.get("/bookings").get_data(as_text=True)
    assert "취소됨" in after and "했습니다" in after


def test_rule_errors_show_the_form_again_and_write_nothing(client, db, make_facility):
    facility = _facility(db, make_facility, max_guardians=2)
    slot = _slot(db, facility, _day_after_tomorrow_at_10(), capacity=1)
    parent = make_user(db.session, children=(("하늘", date(2021, 5, 5)), ("바다", date(2023, 1, 1))))
    login(client, parent)
    none_chosen = client.post(f"/bookings/new?slot={slot.id}", data={"guardians": "1"})
    assert none_chosen.status_code == 422 and "한 명 이상" in none_chosen.get_data(as_text=True)
    too_many = client.post(
        f"/bookings/new?slot={slot.id}", data={"child": [c.id for c in parent.children], "guardians": "1"}
    )
    page = too_many.get_data(as_text=True)
    assert too_many.status_code == 409 and "남은 자리가 없습니다" in page
    assert page.count("checked") == 2  # the choices survive the refusal
    bad = client.post(f"/bookings/new?slot={slot.id}", data={"child": "x", "guardians": "many"})
    assert bad.status_code == 422
    assert db.session.query(Booking).count() == 0 and db.session.get(Slot, slot.id).booked == 0


def test_another_parents_child_cannot_be_booked(client, db, make_facility):
    facility = _facility(db, make_facility)
    slot = _slot(db, facility, _day_after_tomorrow_at_10())
    other = make_user(db.session, children=ONE_CHILD)
    login(client, make_user(db.session, children=ONE_CHILD))
    r = client.post(f"/bookings/new?slot={slot.id}", data={"child": [other.children[0].id], "guardians": "1"})
    assert r.status_code == 422 and db.session.query(Booking).count() == 0


def test_too_late_to_cancel_is_shown(client, db, make_facility):
    facility = _facility(db, make_facility, cancel_deadline_minutes=30)
    slot = _slot(db, facility, utcnow() + timedelta(minutes=20))
    login(client, make_user(db.session, children=ONE_CHILD))
    parent_child = db.session.query(Child).one()
    assert client.post(f"/bookings/new?slot={slot.id}", data={"child": parent_child.id}).status_code == 303
    booking = db.session.query(Booking).one()
    r = client.post(f"/bookings/{booking.id}/cancel")
    assert r.status_code == 409
    assert "취소는 시작 30분 전" in r.get_data(as_text=True)
    assert "예약 취소</button>" not in r.get_data(as_text=True)  # the refused button is not offered again
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status == "confirmed"


def test_pages_check_ownership(client, db, make_facility):
    facility = _facility(db, make_facility)
    slot = _slot(db, facility, _day_after_tomorrow_at_10())
    mom = make_user(db.session, children=ONE_CHILD)
    other = make_user(db.session, children=ONE_CHILD)
    login(client, other)
    client.post(f"/bookings/new?slot={slot.id}", data={"child": other.children[0].id, "guardians": "1"})
    booking = db.session.query(Booking).one()
    client.post("/logout")
    for url in ("/bookings", f"/bookings/{booking.id}", f"/bookings/{booking.id}.ics"):
        assert client.get(url).status_code == 302, url  # anonymous: to the login page
    login(client, mom)
    assert client.get(f"/bookings/{booking.id}").status_code == 404
    assert client.get(f"/bookings/{booking.id}.ics").status_code == 404
    assert client.post(f"/bookings/{booking.id}/cancel").status_code == 404
    assert booking.code not in client.get("/bookings").get_data(as_text=True)
    assert client.get("/bookings/new?slot=999999").status_code == 404
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status == "confirmed"


def test_daycare_form_asks_for_hours_and_books_a_run(client, db, make_facility):
    facility = _facility(db, make_facility, kind="hourly_daycare")
    start = _day_after_tomorrow_at_10()
    slots = [_slot(db, facility, start + timedelta(hours=i), capacity=3, minutes=60) for i in range(3)]
    login(client, make_user(db.session, children=(("별", date.today().replace(year=date.today().year - 2)),)))
    form = client.get(f"/bookings/new?slot={slots[0].id}").get_data(as_text=True)
    assert 'name="hours"' in form and "4시간" in form and 'id="guardians"' not in form
    child = db.session.query(Child).one()
    r = client.post(f"/bookings/new?slot={slots[0].id}", data={"child": child.id, "hours": "2", "guardians": "1"})
    assert r.status_code == 303
    db.session.expire_all()
    assert [db.session.get(Slot, s.id).booked for s in slots] == [1, 1, 0]
    assert "10:00–12:00" in client.get(r.headers["Location"]).get_data(as_text=True)


def test_nav_shows_account_links(client, db):
    parent = make_user(db.session, children=ONE_CHILD)
    assert "로그인" in client.get("/login").get_data(as_text=True)
    login(client, parent)
    page = client.get("/bookings").get_data(as_text=True)
    assert "내 예약" in page and "아이 등록" in page and "로그아웃" in page


def test_login_returns_to_the_booking_form(client, db, make_facility):
    facility = _facility(db, make_facility)
    slot = _slot(db, facility, _day_after_tomorrow_at_10())
    parent = make_user(db.session, children=ONE_CHILD)
    to_login = client.get(f"/bookings/new?slot={slot.id}")
    assert to_login.status_code == 302 and "/login?next=" in to_login.headers["Location"]
    r = client.post(to_login.headers["Location"], data={"email": parent.email, "password": PASSWORD})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/bookings/new?slot={slot.id}")
