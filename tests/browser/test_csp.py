"""The Content-Security-Policy in a real browser: Folium's standalone coverage map runs inside the admin
page's frame with nonces, and the shared helper fails a test on any violation."""

from __future__ import annotations

import pytest

from app.extensions import db
from tests.browser.browser_helpers import browser_page, csp_console_message, serving, signed_in_page
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.browser


@pytest.fixture
def live(browser_app):

    @browser_app.get("/csp-probe")  # a page that breaks the policy: an inline script without the nonce
    def csp_probe():
        return "<!doctype html><title>probe</title><script>document.title = 'ran'</script>"

    with browser_app.app_context():
        make_user(db.session, "admin", email="admin@example.com")
    with serving(browser_app) as base:
        yield base


def test_coverage_map_draws_inside_the_admin_page(live, chromium_path, problems):
    from playwright.sync_api import expect

    base = live
    with signed_in_page(chromium_path, problems, base, "admin@example.com", PASSWORD, phone=False) as page:
        page.goto(f"{base}/admin/coverage")
        frame = page.frame_locator("iframe.map-frame")
        expect(frame.locator(".leaflet-container")).to_be_visible()
        expect(frame.locator("path.leaflet-interactive").first).to_be_attached()  # districts, drawn by script
        expect(frame.locator(".nd-coverage-legend")).to_contain_text("면적 커버율")
    assert problems == []


def test_the_helper_fails_a_test_on_a_violation(live, chromium_path, problems):
    with pytest.raises(AssertionError, match="CSP"):
        with browser_page(chromium_path, problems) as page:
            with page.expect_console_message(lambda m: csp_console_message(m.text)):
                page.goto(f"{live}/csp-probe")
            assert page.title() == "probe"  # the inline script did not run
    assert any("script-src" in p for p in problems)
