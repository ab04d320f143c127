"""An operator opens the day's roster in headless Chromium, checks in one child and marks another a no-show.

The app runs in a thread on a free port with a SQLite file in tmp_path; the session started
40 minutes ago, so a no-show may be recorded, and the roster is opened for that session's day.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.auth.models import User
from app.bookings.models import Booking, BookingChild, Slot
from app.bookings.policy import default_policy
from app.extensions import db
from app.facilities.models import WEEKDAYS_ALL, Facility
from app.timeutil import KST, utcnow
from tests.browser.browser_helpers import browser_page, log_in, serving
from tests.factories import make_user
from tests.support import make_app

pytestmark = pytest.mark.browser
PASSWORD = "browser-op-pass-1"


@pytest.fixture
def live(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'operator.sqlite3'}")
    with app.app_context():
        facility = Facility(
            kind="kids_cafe",
            source="test",
            source_id="op1",
            source_hash="x",
            name="시청점",
            address="서울특별시 중구 세종대로 110",
            lat=37.5663,
            lon=126.9779,
            district_code="11140",
            open_days=WEEKDAYS_ALL,
            age_min=0,
            age_max=12,
            details={},
        )
        db.session.add(facility)
        db.session.flush()
        db.session.add(default_policy("kids_cafe", facility.id))
        starts = utcnow() - timedelta(minutes=40)
        slot = Slot(
            facility_id=facility.id, starts_at=starts, ends_at=starts + timedelta(hours=2), capacity=5, booked=2
        )
        db.session.add(slot)
        make_user(db.session, "operator", [facility], email="op@example.com", password=PASSWORD)
        codes = {}
        for n, kid in enumerate(("하늘", "바다")):
            parent = make_user(db.session, email=f"p{n}@example.com", children=[(kid, date(2021, 5, 5))])
            child = parent.children[0]
            booking = Booking(
                code=f"AAAA-BBB{n + 2}",
                user_id=parent.id,
                slot_id=slot.id,
                facility_id=facility.id,
                status="confirmed",
                starts_at=slot.starts_at,
                ends_at=slot.ends_at,
                created_at=starts - timedelta(days=1),
            )
            booking.places = [BookingChild(slot_id=slot.id, child_id=child.id, active=True)]
            db.session.add(booking)
            db.session.flush()
            codes[kid] = booking.id
        db.session.commit()
        ids = {"facility": facility.id, "day": starts.astimezone(KST).date().isoformat(), **codes}
    with serving(app) as base:
        yield app, base, ids


def test_operator_checks_in_and_marks_no_show(live, chromium_path):
    from playwright.sync_api import expect

    app, base, ids = live
    problems: list[str] = []
    with browser_page(chromium_path, problems) as page:
        log_in(page, base, "op@example.com", PASSWORD)
        page.get_by_role("link", name="운영자").click()
        expect(page.get_by_role("heading", name="내 시설")).to_be_visible()
        page.goto(f"{base}/operator/facilities/{ids['facility']}/roster?date={ids['day']}")
        sky = page.locator(f"tr[data-booking='{ids['하늘']}']")
        sea = page.locator(f"tr[data-booking='{ids['바다']}']")
        expect(sky.locator("[data-status]")).to_have_text("예약 확정")
        sky.get_by_role("button", name="하늘 입장 처리").click()
        expect(sky.locator("[data-status]")).to_have_text("입장")
        sea.get_by_role("button", name="바다 노쇼 처리").click()
        expect(sea.locator("[data-status]")).to_have_text("노쇼")
        expect(page.get_by_role("alert").first).to_contain_text("노쇼 처리했습니다")
        expect(sky.get_by_role("button")).to_have_count(0)  # no further actions once settled
    assert problems == []
    with app.app_context():
        assert db.session.get(Booking, ids["하늘"]).status == "checked_in"
        no_show = db.session.get(Booking, ids["바다"])
        assert no_show.status == "no_show" and db.session.get(User, no_show.user_id).banned_until is not None
