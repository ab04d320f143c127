"""Live places (#12): an open search page shows a booking made elsewhere, in its card and its map popup, without
a reload; the refresh pauses while the tab is hidden.

The browser's clock cannot be moved, so the test calls the page's refresh (window.NadeuriLive.refresh) instead of
waiting out the 30-second interval.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from app.extensions import db
from app.timeutil import KST
from tests.browser.browser_helpers import browser_page, serving
from tests.factories import ONE_CHILD, add_facility, bearer, make_slot, make_user

pytestmark = pytest.mark.browser
SEARCH = "/?lat=37.5663&lon=126.9779&radius_m=1000&kind=kids_cafe&kind=hourly_daycare"


@pytest.fixture
def live(browser_app):
    with browser_app.app_context():
        soon = (datetime.now(KST) + timedelta(days=2)).replace(hour=10, minute=0, second=0, microsecond=0)
        cafe = add_facility(db.session, name="덕수궁 키즈카페", lat=37.5655, lon=126.9740)
        daycare = add_facility(db.session, name="시청 시간제 보육", kind="hourly_daycare", lat=37.5670, lon=126.9790)
        cafe_slot = make_slot(db.session, cafe, soon, capacity=3)
        daycare_slot = make_slot(db.session, daycare, soon + timedelta(hours=4), capacity=1, minutes=60)
        parent = make_user(db.session, children=ONE_CHILD)
        ids = {"cafe": cafe.id, "daycare": daycare.id, "cafe_slot": cafe_slot.id, "daycare_slot": daycare_slot.id}
        ids["headers"] = bearer(db.session, parent)
        ids["child"] = parent.children[0].id
    with serving(browser_app) as base:
        yield base, ids


def book_elsewhere(app, ids: dict, slot: str) -> None:
    """Another parent books through the API, as from another phone."""
    body = {"slot_id": ids[slot], "child_ids": [ids["child"]], "guardians": 1}
    r = app.test_client().post("/api/bookings", json=body, headers=ids["headers"])
    assert r.status_code == 201, r.get_json()


def test_places_change_in_card_and_popup_without_reload(live, browser_app, chromium_path, problems):
    from playwright.sync_api import expect

    base, ids = live
    with browser_page(chromium_path, problems, phone=False) as page:
        asked = []
        page.on("request", lambda r: "/api/availability" in r.url and asked.append(r.url))
        page.goto(base + SEARCH)
        cafe_card = page.locator(f".result-session[data-facility='{ids['cafe']}']")
        daycare_card = page.locator(f".result-session[data-facility='{ids['daycare']}']")
        expect(cafe_card).to_contain_text("잔여 3석")
        expect(daycare_card).to_contain_text("잔여 1석")
        assert page.evaluate("window.NadeuriLive.running()")
        page.evaluate("window.__sameDocument = true")  # gone if the page reloads

        page.locator(f"button.btn-map[data-facility='{ids['cafe']}']").click()
        popup_session = page.locator(".leaflet-popup-content .nd-popup-session")
        expect(popup_session).to_contain_text("잔여 3석")

        book_elsewhere(browser_app, ids, "cafe_slot")
        book_elsewhere(browser_app, ids, "daycare_slot")
        page.evaluate("window.NadeuriLive.refresh()")  # the promise settles once the page is updated

        expect(cafe_card).to_contain_text("잔여 2석")
        expect(popup_session).to_contain_text("잔여 2석")  # the open popup, in place
        expect(daycare_card).to_contain_text("마감")
        expect(daycare_card).to_have_class("result-session is-full")
        assert page.evaluate("window.__sameDocument === true")
        assert len(asked) == 1 and sorted(
            asked[0].split("facility_ids=")[1].split("%2C" if "%2C" in asked[0] else ",")
        ) == sorted([str(ids["cafe"]), str(ids["daycare"])])

        # A popup opened after the refresh is built from the refreshed row.
        page.locator(f"button.btn-map[data-facility='{ids['daycare']}']").click()
        daycare_popup = page.locator(".leaflet-popup-content .nd-popup", has_text="시청 시간제 보육")
        expect(daycare_popup.locator(".nd-popup-session.is-full")).to_contain_text("마감")

        # Hidden tab: the timer stops; back in view it runs again.
        page.evaluate(
            """() => { Object.defineProperty(document, "hidden", { value: true, configurable: true });
                       document.dispatchEvent(new Event("visibilitychange")); }"""
        )
        assert not page.evaluate("window.NadeuriLive.running()")
        page.evaluate(
            """() => { Object.defineProperty(document, "hidden", { value: false, configurable: true });
                       document.dispatchEvent(new Event("visibilitychange")); }"""
        )
        assert page.evaluate("window.NadeuriLive.running()")
    assert not problems, problems
