"""An operator's no-show in headless Chromium, on a phone and a desktop: refused before 30 minutes after the start,
confirmed on a page that lists what it will cancel (another facility's booking by name and time only), then undone
from the roster, which gives the cancelled booking back."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine

from app.auth.models import User
from app.bookings.models import Booking
from app.bookings.schedule import at_kst
from app.extensions import db
from app.timeutil import KST, utcnow
from tests.browser.browser_helpers import browser_page, log_in, serving
from tests.factories import add_facility, make_slot, make_user, place_booking, set_policy
from tests.support import make_app

pytestmark = pytest.mark.browser
PASSWORD = "browser-op-pass-2"


@pytest.fixture
def live(tmp_path):
    # Both sessions started today in Seoul whatever the hour the suite runs: at 00:30 KST the one that started 40
    # minutes ago was yesterday's, on another day's roster. Tomorrow at noon KST, ahead of the browser's own clock
    # so that no cookie the server sets has expired for it.
    tomorrow = utcnow().astimezone(KST).date() + timedelta(days=1)
    with time_machine.travel(at_kst(tomorrow, "12:00"), tick=True):
        yield from _live(tmp_path)


def _live(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'operator-flow.sqlite3'}")
    with app.app_context():
        cafe = add_facility(db.session, name="시청점", age_min=0, age_max=12)
        other = add_facility(db.session, name="망원 키즈카페", age_min=0, age_max=12)
        for f in (cafe, other):
            set_policy(db.session, f, closed_on_holidays=False)
        now = utcnow()
        late = make_slot(db.session, cafe, now - timedelta(minutes=40), capacity=5)
        early = make_slot(db.session, cafe, now - timedelta(minutes=10), capacity=5)
        make_user(db.session, "operator", [cafe], email="op@example.com", password=PASSWORD)
        parent = make_user(db.session, email="p@example.com", children=[("바다", date(2021, 5, 5))], name="김보호")
        other_parent = make_user(db.session, email="q@example.com", children=[("하늘", date(2021, 5, 5))])
        ids = {
            "facility": cafe.id,
            "day": late.starts_at.astimezone(KST).date().isoformat(),
            "late": place_booking(db.session, parent, late).id,
            "early": place_booking(db.session, other_parent, early).id,
            "away": place_booking(db.session, parent, make_slot(db.session, other, now + timedelta(days=2))).id,
            "parent": parent.id,
        }
    with serving(app) as base:
        yield app, base, ids


@pytest.mark.parametrize("phone", [True, False], ids=["phone", "desktop"])
def test_no_show_refused_early_confirmed_then_undone(live, chromium_path, phone):
    from playwright.sync_api import expect

    app, base, ids = live
    problems: list[str] = []
    with browser_page(chromium_path, problems, phone=phone) as page:
        log_in(page, base, "op@example.com", PASSWORD)
        expect(page.get_by_role("heading", name="내 시설")).to_be_visible()  # the console, not the finder
        expect(page.get_by_role("navigation", name="주 메뉴")).not_to_contain_text("내 예약")
        page.goto(f"{base}/operator/facilities/{ids['facility']}/roster?date={ids['day']}")
        # Ten minutes in: the family may still be coming, so the confirmation page refuses.
        page.locator(f"#booking-{ids['early']}").get_by_role("link", name="하늘 노쇼 처리").click()
        expect(page.locator("#ns-too-early")).to_contain_text("아직 노쇼로 처리할 수 없습니다")
        expect(page.get_by_role("button", name="노쇼 처리")).to_have_count(0)
        page.get_by_role("link", name="명단으로 돌아가기").click()
        # Forty minutes in: the confirmation lists the other facility's booking by name and time.
        row = page.locator(f"#booking-{ids['late']}")
        row.get_by_role("link", name="바다 노쇼 처리").click()
        expect(page.locator("#ns-cancels")).to_contain_text("망원 키즈카페 · ")
        page.get_by_role("button", name="노쇼 처리하고 예약 1건 취소").click()
        expect(page).to_have_url(
            f"{base}/operator/facilities/{ids['facility']}/roster?date={ids['day']}#booking-{ids['late']}"
        )
        expect(row.locator("[data-status]")).to_have_text("노쇼")
        expect(page.get_by_role("alert").first).to_contain_text("24시간 안에 되돌릴 수 있습니다")
        row.get_by_role("button", name="바다 노쇼 되돌리기").click()
        expect(row.locator("[data-status]")).to_have_text("예약 확정")
        expect(page.get_by_role("alert").first).to_contain_text("취소됐던 예약 1건을 되살렸습니다")
    assert problems == []
    with app.app_context():
        assert db.session.get(Booking, ids["late"]).status == "confirmed"
        assert db.session.get(Booking, ids["away"]).status == "confirmed"
        assert db.session.get(User, ids["parent"]).banned_until is None
