"""axe-core on every page for every role (phone and desktop): no serious or critical violation.

The pages come from the app's routes (tests/admin/route_access.py says who may open each): a page added later is
checked for every role that may open it, and a GET route that answers something other than a page fails until
NOT_PAGES says why it is left out. PAGE_STATES adds what a route alone does not show (search results, each kind of
facility, each kind of booking form, an error page). One Chromium for the module, one page per role.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from app.bookings.models import Closure, DaycareClass, SessionTemplate
from app.extensions import db
from app.facilities.models import FacilityFlag
from app.timeutil import KST, utcnow
from tests.admin.route_access import expectation, rule_url, site_rules
from tests.admin.uploading import toilets, token_of, upload
from tests.browser.browser_helpers import axe_violations, chromium, log_in, serving, watched_page
from tests.factories import PASSWORD, add_facility, hourly_slots, login, make_slot, make_user, place_booking, set_policy
from tests.support import make_app

pytestmark = pytest.mark.browser
ROLES = ("anonymous", "parent", "operator", "admin")
NOT_PAGES = {  # GET routes that answer something other than a page, and where what they show is checked instead
    "/healthz": "the load balancer's JSON health check",
    "/static/<path:filename>": "the app's own CSS, JavaScript and icons",
    "/vendor/<package>/<path:filename>": "Leaflet's files",
    "/admin/facilities/search": "JSON for the operator picker on /admin/users",
    "/admin/coverage.csv": "a CSV download",
    "/operator/facilities/<id:facility_id>/roster.csv": "a CSV download",
    "/bookings/<id:booking_id>.ics": "a calendar file",
    "/facilities/<id:facility_id>/week": "the week part bookings.js swaps into the facility page (checked there)",
    "/facilities/<id:facility_id>/card": "JSON for a map popup (the popup is checked as an opened state)",
    "/maps/outlines.json": "the district outlines the maps draw",
    "/lottery/verify_draw.py": "the draw verifier as plain text (linked from the draw page)",
}
# Routes whose world URL the role matrix cannot open but this module can: an upload preview is its admin's own.
OWN_PAGES = {"/admin/import/<token>": ("admin",)}
PAGE_STATES = {  # role: extra URLs (with the world's ids) for states a bare route does not show
    "anonymous": [
        "/?q=%EC%A4%91%EA%B5%AC#results",  # 중구: results list and map with markers of every kind
        "/facilities/{cafe_id}",
        "/facilities/{ok_zone_id}",
        "/facilities/{restroom_id}",
        "/no-such-page",
    ],
    "parent": ["/bookings/new?slot={cafe_slot_id}", "/facilities/{cafe_id}", "/bookings/{cafe_booking_id}"],
    "operator": [
        "/operator/facilities/{cafe_id}/roster",
        "/operator/facilities/{cafe_id}/settings",
        "/operator/facilities/{cafe_id}/utilisation",
    ],
    "admin": ["/admin/flags?status="],
}


def _at(days: int, hour: int) -> datetime:
    day = utcnow().astimezone(KST).date() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=KST)


def _world(session) -> tuple[dict, dict]:
    """A facility of each kind, bookable sessions and hours, a parent with bookings, an operator and an admin."""
    year = utcnow().astimezone(KST).year
    daycare = add_facility(session, kind="hourly_daycare", name="햇살 어린이집", age_min=0, age_max=5)
    cafe = add_facility(session, kind="kids_cafe", name="중구 키즈카페", age_min=3, age_max=9, phone="02-120-0000")
    ok_zone = add_facility(session, kind="kids_ok_zone", name="오케이 식당", lat=37.5655, lon=126.9790)
    restroom = add_facility(session, kind="family_restroom", name="시청 가족화장실", lat=37.5670, lon=126.9770)
    for facility in (cafe, daycare):
        set_policy(session, facility, closed_on_holidays=False)
    kids = [("하늘", date(year - 3, 5, 5)), ("바다", date(year - 2, 1, 1))]
    users = {
        "parent": make_user(session, "parent", email="parent@example.com", children=kids),
        "operator": make_user(session, "operator", email="operator@example.com", facilities=[daycare, cafe]),
        "admin": make_user(session, "admin", email="admin@example.com"),
    }
    parent = users["parent"]
    hours = hourly_slots(session, daycare, _at(3, 9).date())
    closed_day = _at(4, 9).date()  # in this week's view every day: the grid's closed cells are checked too
    hourly_slots(session, daycare, closed_day)
    cafe_slot = make_slot(session, cafe, _at(2, 10), capacity=10)
    make_slot(session, cafe, _at(0, 0), capacity=10)  # begun at midnight: the week's past state is checked too
    daycare_booking = place_booking(session, parent, make_slot(session, daycare, _at(2, 15), capacity=5, minutes=60))
    cafe_booking = place_booking(session, parent, make_slot(session, cafe, _at(4, 13), capacity=10))
    place_booking(session, parent, make_slot(session, cafe, _at(5, 13)), status="cancelled")
    session.add_all(
        [
            SessionTemplate(facility_id=cafe.id, weekday=0, starts="10:00", ends="12:00", capacity_individual=10),
            DaycareClass(facility_id=daycare.id, name="햇님반", age_years=2, teachers=1),
            Closure(facility_id=daycare.id, starts_on=date(year + 1, 1, 1), ends_on=date(year + 1, 1, 2), reason="휴"),
            Closure(facility_id=daycare.id, starts_on=closed_day, ends_on=closed_day, reason="공사"),
            FacilityFlag(facility_id=daycare.id, reason="district_mismatch", detail="자치구가 주소와 다릅니다"),
        ]
    )
    session.commit()
    ids = {
        "facility_id": daycare.id,
        "booking_id": daycare_booking.id,
        "child_id": parent.children[0].id,
        "slot_id": hours[1].id,
        "cafe_id": cafe.id,
        "ok_zone_id": ok_zone.id,
        "restroom_id": restroom.id,
        "cafe_slot_id": cafe_slot.id,
        "cafe_booking_id": cafe_booking.id,
        "draw_weekend": "2030-01-05",  # a Saturday without a draw: the draw page's explanation alone
    }
    return users, ids


def pages_for(app, role: str, ids: dict) -> list[str]:
    """The URLs `role` may open: every GET route it may reach that is a page, then PAGE_STATES."""
    urls = []
    for rule in site_rules(app):
        expected = expectation(rule.rule)
        if "GET" not in rule.methods or rule.rule.startswith("/api/") or rule.rule in NOT_PAGES or not expected:
            continue
        if expected[role] == "ok" or role in OWN_PAGES.get(rule.rule, ()):
            urls.append(rule_url(rule, ids))
    return urls + [url.format(**ids) for url in PAGE_STATES[role]]


@pytest.fixture(scope="module")
def site(tmp_path_factory, chromium_path):
    """The served app with its world, and one signed-in page per role in one Chromium (made when first asked)."""
    folder = tmp_path_factory.mktemp("a11y")
    app = make_app(f"sqlite:///{folder / 'a11y.sqlite3'}")
    app.config["ADMIN_UPLOAD_DIR"] = str(folder / "staging")
    with app.app_context():
        users, ids = _world(db.session)
        client = app.test_client()
        login(client, users["admin"])
        ids["token"] = token_of(upload(client, ("toilets.csv", toilets())))
    problems: list[str] = []
    pages: dict = {}
    with serving(app) as base, chromium(chromium_path) as browser:

        def page_of(role: str):
            if role not in pages:
                pages[role] = watched_page(browser, problems)
                if role != "anonymous":
                    log_in(pages[role], base, f"{role}@example.com", PASSWORD)
                    pages[role].wait_for_url(lambda url: "/login" not in url)
            return pages[role]

        yield app, base, ids, page_of, problems


@pytest.mark.parametrize("phone", [True, False], ids=["phone", "desktop"])
@pytest.mark.parametrize("role", ROLES)
def test_every_page_has_no_serious_violation(site, role, phone):
    app, base, ids, page_of, problems = site
    page = page_of(role)
    page.set_viewport_size({"width": 390, "height": 844} if phone else {"width": 1280, "height": 800})
    found, wrong = [], []
    urls = pages_for(app, role, ids)
    for url in urls:
        response = page.goto(base + url)
        page.wait_for_load_state("load")
        kind = response.headers.get("content-type", "")
        if not kind.startswith("text/html"):
            wrong.append(f"{url} answers {kind}: add it to NOT_PAGES with the reason")
            continue
        found += axe_violations(page)
    print(f"{role} {'phone' if phone else 'desktop'}: {len(urls)} pages")
    assert not wrong, "\n".join(wrong)
    assert not found, "\n".join(found)
    assert not problems, "\n".join(problems)


def _opened_states(page, base: str, ids: dict, role: str, phone: bool):
    """Drive `role`'s page into the states that only a click or a keystroke shows; yields after each."""
    from playwright.sync_api import expect

    if role == "anonymous":
        page.goto(f"{base}/")
        page.fill("#q", "중구")
        expect(page.locator("#place-suggestions button").first).to_be_visible()
        yield "place suggestions"
        page.goto(f"{base}/?q=%EC%A4%91%EA%B5%AC#results")
        if phone:
            page.locator("#view-switch").get_by_role("button", name="지도").click()
            yield "the map view"
            page.locator("#view-switch").get_by_role("button", name="목록").click()
        page.locator(".btn-map").first.click()
        expect(page.locator(".leaflet-popup-content .nd-popup")).to_be_visible()
        # Leaflet fades the popup in: measure its colours once it is opaque.
        expect(page.locator(".leaflet-popup")).to_have_css("opacity", "1")
        yield "a marker's popup"
        page.goto(f"{base}/login")
        page.fill("#email", "nobody@example.com")
        page.fill("#password", "wrong-password")
        page.locator("main button[type=submit]").click()
        expect(page.locator(".form-error")).to_be_visible()
        yield "a refused login"
        page.goto(f"{base}/register")
        page.locator("main button[type=submit]").click()
        expect(page.locator(".field-error").first).to_be_visible()
        yield "a register form with errors"
    elif role == "parent":
        page.goto(f"{base}/facilities/{ids['facility_id']}")
        page.locator("#slots a[data-week]").last.click()
        expect(page.locator("#slots")).not_to_have_attribute("aria-busy", "true")
        yield "the next week swapped in"
        page.goto(f"{base}/bookings/{ids['cafe_booking_id']}")
        page.locator("details.confirm summary").click()
        expect(page.locator(".confirm-box")).to_be_visible()
        yield "the cancel question"
    elif role == "admin":
        page.goto(f"{base}/admin/users")
        page.locator(".facility-picker input[role=combobox]").first.fill("햇살")
        expect(page.locator("#new-fac-list")).to_be_visible()
        yield "the facility picker's list"


@pytest.mark.parametrize("phone", [True, False], ids=["phone", "desktop"])
@pytest.mark.parametrize("role", ("anonymous", "parent", "admin"))
def test_opened_states_have_no_serious_violation(site, role, phone):
    app, base, ids, page_of, problems = site
    page = page_of(role)
    page.set_viewport_size({"width": 390, "height": 844} if phone else {"width": 1280, "height": 800})
    found = []
    for state in _opened_states(page, base, ids, role, phone):
        found += [f"{state}: {line}" for line in axe_violations(page)]
    assert not found, "\n".join(found)
    assert not problems, "\n".join(problems)
