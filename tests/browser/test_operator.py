"""An operator opens the day's roster in headless Chromium, checks in one child and marks another a no-show.

The app runs in a thread on a free port with a SQLite file in tmp_path; the session started
40 minutes ago, so a no-show may be recorded, and the roster is opened for that session's day.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.auth.models import User
from app.bookings.models import Booking
from app.extensions import db
from app.timeutil import KST, utcnow
from tests.browser.browser_helpers import serving, signed_in_page
from tests.factories import PASSWORD, add_facility, make_slot, make_user, place_booking

pytestmark = pytest.mark.browser


@pytest.fixture
def live(browser_app):
    with browser_app.app_context():
        facility = add_facility(db.session, name="시청점", age_min=0, age_max=12)
        slot = make_slot(db.session, facility, utcnow() - timedelta(minutes=40), capacity=5)
        make_user(db.session, "operator", [facility], email="op@example.com")
        codes = {}
        for n, kid in enumerate(("하늘", "바다")):
            parent = make_user(db.session, email=f"p{n}@example.com", children=[(kid, date(2021, 5, 5))])
            codes[kid] = place_booking(db.session, parent, slot, created_at=slot.starts_at - timedelta(days=1)).id
        ids = {"facility": facility.id, "day": slot.starts_at.astimezone(KST).date().isoformat(), **codes}
    with serving(browser_app) as base:
        yield browser_app, base, ids


def test_operator_checks_in_and_marks_no_show(live, chromium_path, problems):
    from playwright.sync_api import expect

    app, base, ids = live
    with signed_in_page(chromium_path, problems, base, "op@example.com", PASSWORD) as page:
        expect(page.get_by_role("heading", name="내 시설")).to_be_visible()  # operators land on their console
        page.goto(f"{base}/operator/facilities/{ids['facility']}/roster?date={ids['day']}")
        sky = page.locator(f"tr[data-booking='{ids['하늘']}']")
        sea = page.locator(f"tr[data-booking='{ids['바다']}']")
        expect(sky.locator("[data-status]")).to_have_text("예약 확정")
        sky.get_by_role("button", name="하늘 입장 처리").click()
        expect(sky.locator("[data-status]")).to_have_text("입장")
        sea.get_by_role("link", name="바다 노쇼 처리").click()
        page.get_by_role("button", name="노쇼 처리").click()  # the confirmation page
        expect(sea.locator("[data-status]")).to_have_text("노쇼")
        expect(page.get_by_role("alert").first).to_contain_text("노쇼 처리했습니다")
        expect(sky.get_by_role("button")).to_have_count(0)  # no further actions once settled
    assert problems == []
    with app.app_context():
        assert db.session.get(Booking, ids["하늘"]).status == "checked_in"
        no_show = db.session.get(Booking, ids["바다"])
        assert no_show.status == "no_show" and db.session.get(User, no_show.user_id).banned_until is not None
