"""A parent books a kids café session and cancels it with the keyboard alone (Tab, Enter, Space), phone and desktop.

Every element that takes focus on the way must show it (tab_to in browser_helpers checks each one). Signing in
uses the login form as the other browser tests do; from the search page on, only those three keys are pressed.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest

from app.bookings.models import Booking
from app.extensions import db
from app.timeutil import KST, utcnow
from tests.browser.browser_helpers import chromium, log_in, serving, tab_to, watched_page
from tests.factories import PASSWORD, add_facility, make_slot, make_user, set_policy
from tests.support import make_app

pytestmark = pytest.mark.browser
CAFE = "키보드 키즈카페"


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    folder = tmp_path_factory.mktemp("keyboard")
    app = make_app(f"sqlite:///{folder / 'keyboard.sqlite3'}")
    with app.app_context():
        cafe = add_facility(db.session, name=CAFE, age_min=3, age_max=9)
        set_policy(db.session, cafe, closed_on_holidays=False)
        day = utcnow().astimezone(KST).date() + timedelta(days=2)  # bookable whatever the hour
        starts = datetime(day.year, day.month, day.day, 10, 0, tzinfo=KST)
        slots = [make_slot(db.session, cafe, starts + timedelta(hours=3 * i)).id for i in range(2)]
        year = day.year
        kids = [("하늘", date(year - 5, 5, 5)), ("바다", date(year - 6, 6, 6))]  # two: nothing is preselected
        make_user(db.session, email="keys@example.com", children=kids)
    with serving(app) as base:
        yield app, base, slots


@pytest.mark.parametrize("phone", [True, False], ids=["phone", "desktop"])
def test_book_and_cancel_with_tab_enter_and_space_only(live, chromium_path, phone):
    from playwright.sync_api import expect

    app, base, slots = live
    slot = slots[0] if phone else slots[1]
    problems: list[str] = []
    unseen: list[str] = []
    with chromium(chromium_path) as browser:
        page = watched_page(browser, problems, phone=phone)
        log_in(page, base, "keys@example.com", PASSWORD)
        page.wait_for_url(lambda url: "/login" not in url)
        page.goto(f"{base}/")

        unseen += tab_to(page, lambda f: f["tag"] == "a" and f["name"].endswith(CAFE))  # the card: "1. <name>"
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", name=CAFE, level=1)).to_be_visible()

        unseen += tab_to(page, lambda f: f["href"].endswith(f"/bookings/new?slot={slot}"))
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", name="예약하기")).to_be_visible()

        unseen += tab_to(page, lambda f: f["type"] == "checkbox")
        page.keyboard.press("Space")
        expect(page.locator("input[name=child]").first).to_be_checked()
        unseen += tab_to(page, lambda f: f["tag"] == "button" and f["name"] == "예약 확정")
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", name="예약이 확정되었습니다")).to_be_visible()
        code = page.locator("[data-code]").inner_text()

        unseen += tab_to(page, lambda f: f["tag"] == "summary")
        page.keyboard.press("Enter")  # only opens the question
        expect(page.locator(".confirm-box")).to_be_visible()
        unseen += tab_to(page, lambda f: f["name"] == "네, 취소합니다")
        page.keyboard.press("Space")
        expect(page.locator(".flash")).to_contain_text(re.compile(rf"예약 {code}[을를] 취소했습니다"))
    with app.app_context():
        assert db.session.scalars(db.select(Booking.status).where(Booking.code == code)).one() == "cancelled"
    assert unseen == [], "focus not visible on:\n" + "\n".join(unseen)
    assert problems == []
