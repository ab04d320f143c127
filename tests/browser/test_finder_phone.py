"""A parent on a phone (and a desktop) finds by 동 and lands on the results; 목록/지도; popups carry 전화/길찾기.

One live server for the module: the app runs in a thread with a SQLite file and a small 행정동 file.
"""

from __future__ import annotations

import pytest

from app.extensions import db
from tests.browser.browser_helpers import browser_page, serving
from tests.factories import add_facility
from tests.support import make_app, write_dong_file

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    folder = tmp_path_factory.mktemp("finder-phone")
    write_dong_file(folder)
    app = make_app(f"sqlite:///{folder / 'finder.sqlite3'}")
    app.config["NADEURI_DATA_DIR"] = str(folder)
    with app.app_context():
        for i in range(6):  # around 망원동, nearest first by name number
            add_facility(
                db.session,
                name=f"망원 키즈카페 {i}",
                address=f"서울특별시 마포구 망원로 {i + 1}",
                district_code="11440",
                lat=37.5565 + i * 0.001,
                lon=126.9050,
                phone="02-3153-0000",
                age_min=3,
                age_max=9,
            )
    with serving(app) as base:
        yield base


@pytest.mark.parametrize("phone", [True, False], ids=["phone", "desktop"])
def test_dong_search_lands_on_results_with_the_first_visible(live, chromium_path, phone):
    from playwright.sync_api import expect

    problems: list[str] = []
    with browser_page(chromium_path, problems, phone=phone) as page:
        page.goto(f"{live}/")
        page.fill("#q", "망원동")
        suggestion = page.locator("#place-suggestions button").first
        expect(suggestion).to_contain_text("마포구 망원동")
        suggestion.click()
        page.wait_for_url("**#results")
        first = page.locator("ol.result-list > li").first
        expect(first).to_contain_text("망원 키즈카페 0")
        box = first.bounding_box()
        height = page.viewport_size["height"]
        assert box is not None and 0 <= box["y"] and box["y"] + 40 < height, box  # above the fold
        expect(page.locator("#results-title")).to_contain_text("마포구 망원동")
    assert problems == []


def test_list_map_switch_and_popup_actions_on_a_phone(live, chromium_path):
    from playwright.sync_api import expect

    problems: list[str] = []
    with browser_page(chromium_path, problems, phone=True) as page:
        page.goto(f"{live}/?q=%EB%A7%9D%EC%9B%90%EB%8F%99#results")
        switch = page.locator("#view-switch")
        expect(switch).to_be_visible()
        map_box = page.locator(".map-column")
        expect(map_box).to_be_hidden()  # the list first
        switch.get_by_role("button", name="지도").click()
        expect(map_box).to_be_visible()
        expect(page.locator(".result-list")).to_be_hidden()
        # One finger scrolls the page: the map hands panning to two fingers.
        assert page.evaluate("NadeuriMap.maps[0].gestureHandling.enabled()")
        switch.get_by_role("button", name="목록").click()
        expect(page.locator(".result-list")).to_be_visible()
        # 지도에서 보기 switches to the map at street level and opens the popup.
        page.locator(".btn-map").first.click()
        popup = page.locator(".leaflet-popup-content .nd-popup")
        expect(popup).to_be_visible()
        assert page.evaluate("NadeuriMap.maps[0].getZoom()") == 17
        expect(popup.locator("a.nd-action-tel")).to_have_attribute("href", "tel:02-3153-0000")
        expect(popup.locator("a.nd-action-book")).to_have_text("예약")
        routes = popup.locator("a.nd-action-route")
        expect(routes).to_have_count(2)
        assert routes.nth(0).get_attribute("href").startswith("https://map.kakao.com/link/to/")
        assert "map.naver.com" in routes.nth(1).get_attribute("href")
        expect(popup).to_contain_text("이용 3~9세")
    assert problems == []


def test_desktop_shows_list_and_map_together(live, chromium_path):
    from playwright.sync_api import expect

    problems: list[str] = []
    with browser_page(chromium_path, problems, phone=False) as page:
        page.goto(f"{live}/?q=%EB%A7%9D%EC%9B%90%EB%8F%99#results")
        expect(page.locator(".map-column")).to_be_visible()
        expect(page.locator(".result-list")).to_be_visible()
        expect(page.locator("#view-switch")).to_be_hidden()
        assert not page.evaluate("NadeuriMap.maps[0].gestureHandling.enabled()")
    assert problems == []
