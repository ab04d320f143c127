"""#10 booking flow in headless Chromium (phone and desktop): a full session, cancel confirmation, ineligible child.

The app runs in a thread on a free port with a SQLite file in tmp_path; sessions sit two and three days ahead
(bookable whatever the hour) and the café ignores public holidays.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import date, datetime, timedelta

import pytest

from app.bookings.models import Booking, Slot
from app.extensions import db
from app.timeutil import KST, utcnow
from tests.browser.browser_helpers import browser_page, log_in, serving
from tests.factories import add_facility, make_slot, make_user, place_booking, set_policy
from tests.support import make_app

expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = pytest.mark.browser
PASSWORD = "browser-pass-1"


def _at(days: int, hour: int) -> datetime:
    day = utcnow().astimezone(KST).date() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=KST)


def _world(session) -> dict:
    """A café (연나이 3~9) with a session that one more booking fills, a later free one, and a parent of two."""
    cafe = add_facility(session, name="키즈카페 흐름점", age_min=3, age_max=9)
    set_policy(session, cafe, closed_on_holidays=False)
    year = _at(3, 13).year  # 연나이 on the page is the "later" session's year's (next year's, from 29 December)
    kids = [("하늘", date(year - 5, 5, 5)), ("아기", date(year - 1, 1, 1))]
    parent = make_user(session, email="flow@example.com", password=PASSWORD, children=kids)
    booked = place_booking(session, parent, make_slot(session, cafe, _at(4, 10), capacity=5))
    return {
        "cafe": cafe.id,
        "last": make_slot(session, cafe, _at(2, 10), capacity=1).id,
        "later": make_slot(session, cafe, _at(3, 13), capacity=5).id,
        "booking": booked.id,
        "code": booked.code,
    }


@pytest.fixture
def live(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'flow.sqlite3'}")
    with app.app_context():
        ids = _world(db.session)
    with serving(app) as base:
        yield app, base, ids


@contextmanager
def parent_page(live, chromium_path, phone: bool, path: str):
    """The parent logged in, on `path`, phone-sized or desktop; the test fails on any page error or CSP violation."""
    app, base, ids = live
    problems: list[str] = []
    with browser_page(chromium_path, problems, phone=phone) as page:
        log_in(page, base, "flow@example.com", PASSWORD)
        page.goto(base + path.format(**ids))
        yield page
    assert problems == []


@pytest.mark.parametrize("phone", [True, False], ids=["phone", "desktop"])
def test_full_session_shows_closed_form_and_next_link(live, chromium_path, phone):
    app, base, ids = live
    with parent_page(live, chromium_path, phone, "/facilities/{cafe}") as page:
        cell = page.locator(f"#slots [data-slot='{ids['last']}']")
        expect(cell).to_contain_text("1자리 남음")
        with app.app_context():  # another family takes the last place while this page is open
            slot = db.session.get(Slot, ids["last"])
            slot.booked = 1
            db.session.commit()
        cell.click()
        expect(page.get_by_role("heading", name="예약하기")).to_be_visible()
        expect(page.locator("#slot-state")).to_have_text("마감")
        expect(page.locator("#unavailable")).to_contain_text("남은 자리가 없습니다")
        expect(page.get_by_role("button", name="예약 확정")).to_be_disabled()
        page.locator("#next-slot").click()
        expect(page).to_have_url(re.compile(rf"slot={ids['later']}$"))
        expect(page.get_by_role("button", name="예약 확정")).to_be_enabled()
        page.goto(f"{base}/facilities/{ids['cafe']}")
        expect(page.locator(f"#slots [data-slot='{ids['last']}']")).to_contain_text("마감")
        expect(page.locator(f"#slots a[data-slot='{ids['last']}']")).to_have_count(0)  # not offered as a link


@pytest.mark.parametrize("phone", [True, False], ids=["phone", "desktop"])
def test_ineligible_child_is_greyed_before_submitting(live, chromium_path, phone):
    with parent_page(live, chromium_path, phone, "/bookings/new?slot={later}") as page:
        baby = page.locator("label.ineligible", has_text="아기")
        expect(baby).to_contain_text("연나이 1세")
        expect(baby).to_contain_text("이용 연령은 연나이 3~9세입니다")
        expect(baby.locator("input")).to_be_disabled()
        assert baby.evaluate("el => getComputedStyle(el).color") != "rgb(34, 34, 34)"  # greyed, not body text
        expect(page.get_by_label(re.compile("하늘"))).to_be_checked()  # the one eligible child is preselected
        page.get_by_role("button", name="예약 확정").click()
        expect(page.get_by_role("heading", name="예약이 확정되었습니다")).to_be_visible()


@pytest.mark.parametrize("phone", [True, False], ids=["phone", "desktop"])
def test_cancel_needs_confirmation(live, chromium_path, phone):
    app, base, ids = live
    with parent_page(live, chromium_path, phone, "/bookings/{booking}") as page:
        ask = page.locator("details.confirm summary", has_text="예약 취소")
        yes = page.get_by_role("button", name="네, 취소합니다")
        expect(yes).to_be_hidden()
        ask.click()  # the first press only asks
        expect(page.locator(".confirm-box")).to_contain_text("취소할까요?")
        with app.app_context():
            assert db.session.get(Booking, ids["booking"]).status == "confirmed"
        page.get_by_role("button", name="아니요, 그대로 둘게요").click()
        expect(yes).to_be_hidden()
        expect(ask).to_be_focused()
        ask.click()
        yes.click()
        expect(page.locator(".flash")).to_contain_text(re.compile(rf"예약 {ids['code']}[을를] 취소했습니다"))
        row = page.locator("#cancelled .booking", has_text=ids["code"])
        expect(row).to_contain_text("취소 사유: 보호자 취소")
        expect(row.locator("a", has_text=".ics")).to_have_count(0)
    with app.app_context():
        assert db.session.get(Booking, ids["booking"]).status == "cancelled"
