"""#12 weekend lottery in headless Chromium: a parent fills the basket from two facility pages, enters, the draw
runs, the parent claims the win; another winner declines and the first reserve sees the offer on 내 예약.

The app runs in a thread of this process, so time-machine moves its clock: to the Tuesday of a weekend four weeks
ahead while entries are open, then to the draw. The cafés ignore public holidays and allocate weekends by lottery.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
import time_machine

from app.auth.models import User
from app.extensions import db
from app.lottery.models import LotteryEntry
from app.lottery.runner import run_lottery
from app.lottery.services import enter
from app.timeutil import KST, utcnow
from tests.browser.browser_helpers import axe_violations, serving, signed_in_page
from tests.factories import add_facility, make_slot, make_user, set_policy

expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = pytest.mark.browser
PASSWORD = "browser-pass-1"


def _weekend() -> date:
    """A Saturday four weeks ahead of the real day (the pages' 8-week horizon holds it)."""
    today = utcnow().astimezone(KST).date()
    return today + timedelta(days=(5 - today.weekday()) % 7 + 28)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=KST)


def _world(session, saturday: date) -> dict:
    """Two lottery cafés; the parent's third choice has room for everyone; two rivals want one place."""
    sunday = saturday + timedelta(days=1)
    year = saturday.year
    cafes = []
    for name in ("추첨 키즈카페 가", "추첨 키즈카페 나"):
        cafe = add_facility(session, kind="kids_cafe", name=name, age_min=0, age_max=12)
        set_policy(session, cafe, closed_on_holidays=False, allocation="lottery_weekends")
        cafes.append(cafe)
    kid = [("하늘", date(year - 5, 5, 5))]
    users = {
        who: make_user(session, email=f"{who}@example.com", password=PASSWORD, children=kid)
        for who in ("parent", "rival1", "rival2")
    }
    slots = {
        "a_sat": make_slot(session, cafes[0], _at(saturday, 10), capacity=1),
        "b_sat": make_slot(session, cafes[1], _at(saturday, 10), capacity=1),
        "b_sun": make_slot(session, cafes[1], _at(sunday, 14), capacity=10),
        "contested": make_slot(session, cafes[0], _at(sunday, 10), capacity=1),
    }
    session.commit()
    return {
        "cafes": [c.id for c in cafes],
        "users": {who: u.id for who, u in users.items()},
        "emails": {u.id: u.email for u in users.values()},
        "slots": {k: s.id for k, s in slots.items()},
    }


@pytest.fixture
def lottery(browser_app):
    saturday = _weekend()
    tuesday = saturday - timedelta(days=4)
    with time_machine.travel(_at(tuesday, 12), tick=True) as clock:
        with browser_app.app_context():
            world = _world(db.session, saturday)
            run_lottery(db.session, utcnow())  # the weekend's draw opens with its commitment
        with serving(browser_app) as base:
            yield browser_app, base, world, clock, saturday


def _add_from_facility_page(page, base, cafe_id: int, slot_id: int) -> None:
    page.goto(f"{base}/facilities/{cafe_id}")
    cell = page.locator(f"#slots [data-slot='{slot_id}']")
    expect(cell).to_contain_text("추첨")
    cell.get_by_role("button", name="추첨 바구니에 담기").click()
    expect(page.locator(".flash-success")).to_contain_text("추첨 바구니에")
    expect(page.locator(f"#slots [data-slot='{slot_id}']")).to_contain_text("바구니")


def test_basket_enter_draw_claim_and_a_declined_place_offered(lottery, chromium_path, problems):
    app, base, world, clock, saturday = lottery
    slots, users = world["slots"], world["users"]
    with app.app_context():  # the rivals enter through the service: one place, one of them wins
        for who in ("rival1", "rival2"):
            user = db.session.get(User, users[who])
            kid = [c.id for c in user.children]
            enter(db.session, user, [slots["contested"]], kid, 1, utcnow())
        db.session.commit()

    with signed_in_page(chromium_path, problems, base, "parent@example.com", PASSWORD) as page:
        _add_from_facility_page(page, base, world["cafes"][0], slots["a_sat"])
        _add_from_facility_page(page, base, world["cafes"][1], slots["b_sat"])
        _add_from_facility_page(page, base, world["cafes"][1], slots["b_sun"])
        page.goto(f"{base}/lottery/basket")
        items = page.locator(".basket-item")
        expect(items).to_have_count(3)
        expect(items.first).to_contain_text("추첨 키즈카페 가")
        assert axe_violations(page) == []
        page.get_by_role("button", name="추첨 신청").click()
        expect(page).to_have_url(f"{base}/bookings#lottery-title")
        entry = page.locator(".entry").first
        expect(entry.locator("[aria-current=step]")).to_contain_text("신청")
        assert axe_violations(page) == []

        with app.app_context():  # the close, then the draw
            clock.move_to(_at(saturday - timedelta(days=2), 9))
            run_lottery(db.session, utcnow())
            clock.move_to(_at(saturday - timedelta(days=2), 10, 1))
            run_lottery(db.session, utcnow())
            mine = db.session.scalar(db.select(LotteryEntry).where(LotteryEntry.user_id == users["parent"]))
            assert mine.status == "won"
        page.goto(f"{base}/bookings")
        entry = page.locator(".entry").first
        expect(entry.locator("[aria-current=step]")).to_contain_text("당첨")
        expect(entry.locator("time")).to_be_visible()
        expect(entry.locator("[data-countdown]")).to_contain_text("남음")
        entry.get_by_role("button", name="확정하기").click()
        expect(page.locator("h1")).to_have_text("예약이 확정되었습니다")

    with app.app_context():
        rivals = db.session.scalars(db.select(LotteryEntry).where(LotteryEntry.user_id != users["parent"])).all()
        winner = next(e for e in rivals if e.status == "won")
        reserve = next(e for e in rivals if e.status == "reserve")
    emails = world["emails"]
    with signed_in_page(chromium_path, problems, base, emails[winner.user_id], PASSWORD) as page:
        page.goto(f"{base}/bookings")
        entry = page.locator(f"#entry-{winner.id}")
        entry.locator("details.confirm summary", has_text="포기하기").click()  # opens the in-page question
        entry.get_by_role("button", name="네, 포기합니다").click()
        expect(page.locator(".flash-success")).to_contain_text("포기했습니다")
    with app.app_context():
        run_lottery(db.session, utcnow())  # the freed place goes to the first reserve
    with signed_in_page(chromium_path, problems, base, emails[reserve.user_id], PASSWORD) as page:
        page.goto(f"{base}/bookings")
        entry = page.locator(f"#entry-{reserve.id}")
        expect(entry.locator("[aria-current=step]")).to_contain_text("자리 제안")
        expect(entry.get_by_role("button", name="확정하기")).to_be_visible()
    assert problems == []


@pytest.mark.parametrize("phone", [True, False], ids=["phone", "desktop"])
def test_the_draw_page_before_and_after_the_draw(lottery, chromium_path, problems, phone):
    app, base, world, clock, saturday = lottery
    with app.app_context():
        user = db.session.get(User, world["users"]["parent"])
        ref = enter(db.session, user, [world["slots"]["b_sun"]], [c.id for c in user.children], 1, utcnow()).ref
        db.session.commit()
    with signed_in_page(chromium_path, problems, base, "parent@example.com", PASSWORD, phone=phone) as page:
        page.goto(f"{base}/lottery/draws")
        expect(page.locator("#commitment")).to_be_visible()
        expect(page.locator("#no-draw")).to_have_count(0)
        assert axe_violations(page) == []
        with app.app_context():
            for day, hour, minute in ((2, 9, 0), (2, 10, 1)):
                clock.move_to(_at(saturday - timedelta(days=day), hour, minute))
                run_lottery(db.session, utcnow())
        page.goto(f"{base}/lottery/draws/{saturday}")
        page.fill("#ref", ref)
        page.get_by_role("button", name="찾기").click()
        expect(page.locator("#found")).to_contain_text("추첨 순서 1번째")
        for summary in page.locator("details summary").all():
            summary.click()
        expect(page.locator("table.results")).to_contain_text(ref)
        assert axe_violations(page) == []
    assert problems == []
