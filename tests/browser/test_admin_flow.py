"""A city admin in Chromium (phone and desktop): preview a partial upload, apply it, and nothing is flagged."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.facilities.models import Facility, FacilityFlag
from tests.browser.browser_helpers import browser_page, log_in, serving
from tests.factories import make_user
from tests.imports import synth
from tests.support import make_app

pytestmark = pytest.mark.browser
PASSWORD = "admin-pass-1"
CAFES = [
    synth.kids_cafe(n, point, gu) for n, point, gu in [(1, synth.CITY_HALL, "중구"), (2, synth.MAPO_OFFICE, "마포구")]
]


@pytest.fixture
def live(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'admin.sqlite3'}")
    app.config["ADMIN_UPLOAD_DIR"] = str(tmp_path / "staging")
    with app.app_context():
        make_user(db.session, "admin", email="admin@example.com", password=PASSWORD)
    synth.write_csv(tmp_path / "all.csv", synth.KIDS_CAFE_COLUMNS, CAFES)
    # A later file that only corrects one café: not a claim that the other closed.
    synth.write_csv(tmp_path / "one.csv", synth.KIDS_CAFE_COLUMNS, [dict(CAFES[0], name="새 이름 키즈카페")])
    with serving(app) as base:
        yield app, base, tmp_path


def _preview_and_apply(page, base, path, problems):
    from playwright.sync_api import expect

    page.goto(f"{base}/admin/import")
    page.set_input_files("#files", str(path))
    expect(page.locator("#complete")).not_to_be_checked()
    page.get_by_role("button", name="미리보기").click()
    expect(page.get_by_role("heading", name="미리보기")).to_be_visible()
    assert "/admin/import/" in page.url
    return page


@pytest.mark.parametrize("phone", [True, False], ids=["phone", "desktop"])
def test_admin_previews_a_partial_upload_applies_it_and_nothing_is_flagged(live, chromium_path, phone):
    from playwright.sync_api import expect

    app, base, folder = live
    problems: list[str] = []
    with browser_page(chromium_path, problems, phone=phone) as page:
        page.on("response", lambda r: r.status >= 500 and problems.append(f"{r.status}: {r.url}"))
        log_in(page, base, "admin@example.com", PASSWORD)
        page.wait_for_load_state("load")
        _preview_and_apply(page, base, folder / "all.csv", problems)
        page.get_by_role("button", name="적용하기").click()
        expect(page.locator(".flash-success")).to_contain_text("새로 2곳")

        _preview_and_apply(page, base, folder / "one.csv", problems)
        file_card = page.locator(".preview-file").first
        expect(file_card).to_contain_text("one.csv")
        expect(file_card.locator(".counts")).to_contain_text("갱신1")
        expect(file_card).to_contain_text("(표시 안 함)")
        expect(page.locator("main")).to_contain_text("일부 목록으로 올렸습니다")
        apply = page.get_by_role("button", name="적용하기")
        apply.scroll_into_view_if_needed()
        box = apply.bounding_box()
        assert box and box["width"] >= 44 and box["x"] + box["width"] <= page.viewport_size["width"]
        with app.app_context():
            assert db.session.scalar(select(Facility.name).where(Facility.source_id == "kc_001")) != "새 이름 키즈카페"
        apply.click()
        expect(page.locator(".flash-success")).to_contain_text("갱신 1곳")

        page.goto(f"{base}/admin/flags?status=")
        expect(page.locator("main")).to_contain_text("조건에 맞는 행이 없습니다")
        with app.app_context():
            assert db.session.scalar(select(func.count()).select_from(FacilityFlag)) == 0
            assert db.session.scalar(select(Facility.name).where(Facility.source_id == "kc_001")) == "새 이름 키즈카페"
            assert db.session.scalar(select(func.count()).select_from(Facility)) == 2
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= page.viewport_size["width"], f"page scrolls sideways: {width}px"
    assert not problems, "\n".join(problems)
