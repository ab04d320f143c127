"""A parent books and cancels a kids-café session in headless Chromium, against a live server.

The app runs in a thread on a free port with a SQLite file in tmp_path. Slots sit two days ahead
(bookable whatever the hour) and the facility's policy ignores public holidays.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest

from app.bookings.models import Booking, Slot
from app.extensions import db
from app.timeutil import KST, utcnow
from tests.browser.browser_helpers import serving, signed_in_page
from tests.factories import PASSWORD, add_facility, make_slot, make_user, set_policy

pytestmark = pytest.mark.browser


@pytest.fixture
def live(browser_app):
    """A running server with one kids café, one 3-place session and a parent with a child."""
    with browser_app.app_context():
        facility = add_facility(db.session, name="서울형 키즈카페 <b>시청점</b>", age_min=0, age_max=12)
        set_policy(db.session, facility, closed_on_holidays=False)
        day = utcnow().astimezone(KST).date() + timedelta(days=2)
        slot = make_slot(db.session, facility, datetime(day.year, day.month, day.day, 10, 0, tzinfo=KST), capacity=3)
        make_user(db.session, email="browser@example.com", children=[("하늘", date(2021, 5, 5))])
        ids = {"facility": facility.id, "slot": slot.id}
    with serving(browser_app) as base:
        yield browser_app, base, ids


def test_book_see_cancel_and_place_returns(live, chromium_path, problems):
    from playwright.sync_api import expect

    app, base, ids = live
    with signed_in_page(chromium_path, problems, base, "browser@example.com", PASSWORD) as page:
        expect(page.get_by_role("button", name="로그아웃")).to_be_visible()

        page.goto(f"{base}/facilities/{ids['facility']}")
        slot_link = page.locator(f"#slots a[data-slot='{ids['slot']}']")
        expect(slot_link).to_contain_text("3자리 남음")
        # The week navigation runs in JS (fetch the server-drawn week, swap it in):
        # next week has no slot, back again shows it.
        page.evaluate("window.stillSamePage = true")
        page.locator(".week-nav a", has_text="다음 주").click()
        expect(slot_link).to_have_count(0)
        expect(page).to_have_url(re.compile(r"week="))
        page.locator(".week-nav a", has_text="이전 주").click()
        expect(slot_link).to_contain_text("3자리 남음")
        assert page.evaluate("window.stillSamePage === true")  # updated in place, no page load

        slot_link.click()
        expect(page.get_by_role("heading", name="예약하기")).to_be_visible()
        expect(page.get_by_label("하늘")).to_be_checked()  # the only child is preselected
        page.get_by_role("button", name="예약 확정").click()
        expect(page.get_by_role("heading", name="예약이 확정되었습니다")).to_be_visible()
        code = page.locator("[data-code]").inner_text().strip()
        assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}", code)

        page.get_by_role("link", name="내 예약", exact=True).first.click()
        row = page.locator("#upcoming .booking", has_text=code)
        expect(row).to_contain_text("예약 확정")
        page.goto(f"{base}/facilities/{ids['facility']}")
        expect(slot_link).to_contain_text("2자리 남음")

        page.goto(f"{base}/bookings")
        row.locator("details.confirm summary").click()  # cancelling asks first (test_booking_flow.py)
        row.get_by_role("button", name="네, 취소합니다").click()
        expect(page.locator("#cancelled .booking", has_text=code)).to_contain_text("취소됨")
        page.goto(f"{base}/facilities/{ids['facility']}")
        expect(slot_link).to_contain_text("3자리 남음")
        expect(page.locator("h1")).to_contain_text("<b>시청점</b>")  # facility text shown, not parsed
    assert problems == []
    with app.app_context():
        booking = db.session.query(Booking).one()
        assert (booking.code, booking.status) == (code, "cancelled")
        assert db.session.get(Slot, ids["slot"]).booked == 0
