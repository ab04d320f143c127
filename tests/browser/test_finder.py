"""A parent finds facilities near City Hall in headless Chromium: markers, list, popup, keyboard.

The app runs in a thread on a free port with a SQLite file in tmp_path and no tile server, so
every request the page makes must go to the app itself.
"""

from __future__ import annotations

import pytest

from app.extensions import db
from app.facilities.models import WEEKDAYS_ALL, Facility
from tests.browser.browser_helpers import browser_page, serving

pytestmark = pytest.mark.browser
EVIL = "<img src=x onerror=alert(1)>"
PLACES = [  # name, kind, lat, lon
    ("시청 가족화장실", "family_restroom", 37.5665, 126.9779),
    ("덕수궁 키즈카페", "kids_cafe", 37.5655, 126.9740),
    ("을지로 오케이존 식당", "kids_ok_zone", 37.5660, 126.9830),
    (EVIL, "kids_cafe", 37.5700, 126.9760),
    ("먼 어린이집", "hourly_daycare", 37.6100, 126.9300),  # outside the 1 km radius
]


@pytest.fixture
def live(browser_app):
    with browser_app.app_context():
        for i, (name, kind, lat, lon) in enumerate(PLACES):
            db.session.add(
                Facility(
                    kind=kind,
                    source="test",
                    source_id=f"f{i}",
                    source_hash="x",
                    name=name,
                    address="서울특별시 중구 세종대로 110",
                    lat=lat,
                    lon=lon,
                    district_code="11140",
                    open_days=WEEKDAYS_ALL,
                    opens_at="09:00",
                    closes_at="18:00",
                    details={},
                )
            )
        db.session.commit()
        ids = {f.name: f.id for f in db.session.query(Facility)}
    with serving(browser_app) as base:
        yield base, ids


def test_markers_list_popup_and_keyboard(live, chromium_path, problems):
    from playwright.sync_api import expect

    base, ids = live
    with browser_page(chromium_path, problems, phone=False) as page:
        page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
        page.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))
        page.on("request", lambda r: r.url.startswith((base, "data:")) or problems.append(f"off-machine: {r.url}"))
        kinds = "&kind=kids_cafe&kind=kids_ok_zone&kind=hourly_daycare&kind=family_restroom"  # restrooms on too
        page.goto(f"{base}/?lat=37.5663&lon=126.9779&radius_m=1000{kinds}")
        markers = page.locator(".folium-map .leaflet-marker-icon")
        expect(markers.first).to_be_visible()
        assert markers.count() >= 3
        expect(page.locator(".folium-map path.leaflet-interactive, .folium-map svg path").first).to_be_attached()
        items = page.locator("ol.result-list > li")
        expect(items).to_have_count(4)
        expect(items.first).to_contain_text("시청 가족화장실")

        # The popup shows facility text as text: no <img> is created, no alert fires.
        page.locator(f"button.btn-map[data-facility='{ids[EVIL]}']").click()
        popup = page.locator(".leaflet-popup-content .nd-popup")
        expect(popup).to_be_visible()
        expect(popup.locator(".nd-popup-name")).to_have_text(EVIL)
        assert popup.locator("img").count() == 0
        expect(popup).to_contain_text("오늘 09:00–18:00")

        # Keyboard: focus a list item's link and press Enter; the facility page opens.
        link = page.locator("a.result-link").nth(1)
        name = link.locator(".result-name").inner_text().strip()
        link.focus()
        page.keyboard.press("Enter")
        expect(page).to_have_url(f"{base}/facilities/{ids[name]}")
        expect(page.locator("h1")).to_have_text(name)
        expect(page.locator(".folium-map .leaflet-marker-icon").first).to_be_visible()
    assert problems == []
