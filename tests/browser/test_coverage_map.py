"""The admin coverage map in headless Chromium, with hostile district and 행정동 names: the tooltips show the
names as text, the legend draws, and no script from the data runs (no dialog, no page error)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from app.extensions import db
from app.facilities.models import District
from tests.browser.browser_helpers import serving, signed_in_page
from tests.factories import PASSWORD, add_facility, make_user

pytestmark = pytest.mark.browser
EVIL_DISTRICT = "<img src=x onerror=alert(1)>"[:20]
EVIL_DONG = "{{7*7}}<img/src=x/onerror=alert(2)>"


@pytest.fixture
def live(tmp_path, browser_app):
    dongs = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"adm_cd2": "1114000001", "sgg": "11140", "adm_nm": f"서울특별시 중구 {EVIL_DONG}"},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [
                        [[126.99, 37.56], [127.0, 37.56], [127.0, 37.565], [126.99, 37.565], [126.99, 37.56]]
                    ],
                },
            }
        ],
    }
    (tmp_path / "seoul_hangjeongdong_20210401.geojson").write_text(json.dumps(dongs), encoding="utf-8")
    browser_app.config["NADEURI_DATA_DIR"] = str(tmp_path)
    with browser_app.app_context():
        db.session.get(District, "11140").name = EVIL_DISTRICT
        add_facility(db.session, name="카페", lat=37.5665)
        make_user(db.session, "admin", email="admin@example.com")
        assert db.session.scalar(select(District.name).where(District.code == "11140")) == EVIL_DISTRICT
    with serving(browser_app) as base:
        yield base


def test_coverage_tooltips_show_names_as_text(live, chromium_path, problems):
    from playwright.sync_api import expect

    with signed_in_page(chromium_path, problems, live, "admin@example.com", PASSWORD, phone=False) as page:
        page.wait_for_load_state("load")
        page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
        page.on("response", lambda r: r.status >= 400 and problems.append(f"{r.status}: {r.url}"))
        page.goto(f"{live}/admin/coverage/map")
        expect(page.locator(".nd-coverage-legend")).to_contain_text("면적 커버율")
        district = page.locator("path.leaflet-interactive").first
        expect(district).to_be_attached()
        # Hover every district until 중구's tooltip shows: it must hold the name as text, not an element.
        # Every district is labelled with its name, as text (the labels are permanent tooltips of their own).
        expect(page.locator(".leaflet-tooltip.nd-district-label", has_text=EVIL_DISTRICT)).to_have_count(1)
        expect(page.locator(".leaflet-tooltip.nd-district-label")).to_have_count(25)
        shown = []
        for i in range(page.locator("path.leaflet-interactive").count()):
            page.locator("path.leaflet-interactive").nth(i).hover(force=True)
            # Moving between shapes can leave earlier tooltips open: look at every open one, not the first.
            tips = page.locator(".leaflet-tooltip:not(.nd-district-label)").all_inner_texts()
            shown = [t for t in tips if EVIL_DISTRICT in t]
            if shown:
                break
        assert shown and "면적 커버율" in shown[0], shown
        gap = page.locator("path.leaflet-interactive").last  # the gap marker is drawn last
        gap.hover(force=True)
        expect(page.locator(".leaflet-tooltip", has_text=EVIL_DONG)).to_have_count(1)
        assert page.locator(".leaflet-tooltip img").count() == 0
        assert page.evaluate("document.querySelectorAll('img[src=x]').length") == 0
    assert problems == []
