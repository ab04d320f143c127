"""Every route × every role: the server answers with the allowed status.

Each rule in app.url_map must have an expectation (exact rule first, then the longest prefix), so a
new route fails this test until someone classifies it. Outcomes: ok (2xx), login (redirect to the
login page or 401), denied (403, or 404 for another person's record), away (redirect elsewhere,
e.g. /login when already logged in). GET routes get the whole matrix; unsafe routes under the
admin and operator areas are checked for refusal of everyone who may not use them.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from app.auth.models import Child
from app.bookings.models import Booking, BookingChild, Closure, DaycareClass, SessionTemplate, Slot
from app.facilities.models import FacilityFlag
from app.timeutil import KST

from admin_fixtures import login, make_user

ROLES = ("anonymous", "parent", "operator", "other_operator", "admin")
ADMIN_ONLY = dict(anonymous="login", parent="denied", operator="denied", other_operator="denied", admin="ok")
STAFF = dict(anonymous="login", parent="denied", operator="ok", other_operator="denied", admin="ok")
LOGGED_IN = dict(anonymous="login", parent="ok", operator="ok", other_operator="ok", admin="ok")
OWNER = dict(anonymous="login", parent="ok", operator="denied", other_operator="denied", admin="denied")
EVERYONE = {role: "ok" for role in ROLES}
GUESTS = dict(anonymous="ok", parent="away", operator="away", other_operator="away", admin="away")

PREFIXES = {
    "/admin": ADMIN_ONLY,
    "/api/admin": ADMIN_ONLY,
    "/operator": STAFF,
    "/api/operator": STAFF,
    "/bookings": LOGGED_IN,
    "/children": LOGGED_IN,
    "/api/bookings": LOGGED_IN,
    "/api/children": LOGGED_IN,
    "/api/facilities": EVERYONE,
    "/api/districts": EVERYONE,
    "/api/places": EVERYONE,
    "/api/openapi.json": EVERYONE,
    "/facilities": EVERYONE,
    "/static": EVERYONE,
    "/vendor": EVERYONE,
}
EXACT = {
    "/": EVERYONE,
    "/login": GUESTS,
    "/register": GUESTS,
    # Every operator has a console home listing their own facilities.
    "/operator/": dict(STAFF, other_operator="ok"),
    # A parent's own records: nobody else sees them, not even staff.
    "/bookings/<id:booking_id>": OWNER,
    "/bookings/<id:booking_id>.ics": OWNER,
    "/api/bookings/<id:booking_id>": OWNER,
    "/api/bookings/<id:booking_id>.ics": OWNER,
    "/api/children/<id:child_id>": OWNER,
    # Only changes are POSTed; the logout form is open to everyone (CSRF-protected).
    "/logout": EVERYONE,
    "/api/auth/register": EVERYONE,
    "/api/auth/token": EVERYONE,  # POST is open; DELETE revokes the bearer token sent (test_auth_api.py)
    "/healthz": EVERYONE,  # the load balancer's health check (app/serving.py)
}
QUERY = {"/api/districts/at": "?lat=37.5665&lon=126.978", "/bookings/new": "?slot={slot_id}",
         "/api/facilities": "?lat=37.5665&lon=126.978", "/api/places": "?q=중구",
         "/api/facilities/<id:facility_id>/slots": "?date=2030-01-07"}
STATIC_ARGS = {"filename": "css/app.css"}
VENDOR_ARGS = {"package": "leaflet", "filename": "dist/leaflet.css"}


def expectation(rule: str) -> dict | None:
    """The expectation for a rule: exact entry, else the longest matching prefix, else None."""
    if rule in EXACT:
        return EXACT[rule]
    matches = [p for p in PREFIXES if rule == p or rule.startswith(p + "/") or rule.startswith(p + ".")]
    return PREFIXES[max(matches, key=len)] if matches else None


@pytest.fixture
def world(db, make_facility):
    mine = make_facility(kind="hourly_daycare", name="내 시설")
    theirs = make_facility(kind="kids_cafe", name="다른 시설")
    users = {
        "parent": make_user(db.session, "parent"),
        "operator": make_user(db.session, "operator", facilities=[mine]),
        "other_operator": make_user(db.session, "operator", facilities=[theirs]),
        "admin": make_user(db.session, "admin"),
    }
    parent = users["parent"]
    child = Child(parent_id=parent.id, name="하늘", birth_date=date(2022, 5, 1))
    starts = datetime.now(KST).replace(hour=10, minute=0, second=0, microsecond=0) + timedelta(days=2)
    slot = Slot(facility_id=mine.id, starts_at=starts, ends_at=starts + timedelta(hours=1), capacity=5, booked=1)
    db.session.add_all([child, slot])
    db.session.flush()
    booking = Booking(code="MATRIX-0001", user_id=parent.id, slot_id=slot.id, facility_id=mine.id, guardians=1,
                      hours=1, starts_at=slot.starts_at, ends_at=slot.ends_at, created_at=starts - timedelta(days=3))
    booking.places = [BookingChild(slot_id=slot.id, child_id=child.id)]
    template = SessionTemplate(facility_id=mine.id, weekday=0, starts="10:00", ends="11:00", capacity_individual=5)
    klass = DaycareClass(facility_id=mine.id, name="햇님반", age_years=2, teachers=1)
    closure = Closure(facility_id=mine.id, starts_on=date(2030, 1, 1), ends_on=date(2030, 1, 2), reason="점검")
    flag = FacilityFlag(facility_id=mine.id, reason="district_mismatch", detail="test")
    db.session.add_all([booking, template, klass, closure, flag])
    db.session.commit()
    ids = {"facility_id": mine.id, "booking_id": booking.id, "child_id": child.id, "slot_id": slot.id,
           "template_id": template.id, "class_id": klass.id, "closure_id": closure.id, "flag_id": flag.id,
           "user_id": parent.id, **STATIC_ARGS}
    return users, ids


def _url(rule, ids: dict) -> str:
    args = dict(VENDOR_ARGS) if rule.endpoint == "maps.vendor" else {a: ids[a] for a in rule.arguments}
    path = rule.rule
    for name, value in args.items():
        converter = next(part for part in path.split("<")[1:] if part.split(">")[0].split(":")[-1] == name)
        path = path.replace("<" + converter.split(">")[0] + ">", str(value))
    return path + QUERY.get(rule.rule, "").format(**ids)


def outcome(response) -> str:
    """The response's status as one of ok / login / denied / away / error-NNN."""
    code = response.status_code
    if 200 <= code < 300:
        return "ok"
    if code == 401:
        return "login"
    if code in (301, 302, 303):
        return "login" if "/login" in response.headers.get("Location", "") else "away"
    if code in (403, 404):
        return "denied"
    return f"error-{code}"


def _rules(app):
    return sorted(app.url_map.iter_rules(), key=lambda r: r.rule)


def test_every_route_has_an_expectation(app):
    missing = [r.rule for r in _rules(app) if expectation(r.rule) is None]
    assert missing == [], f"classify these routes in tests/admin/test_role_matrix.py: {missing}"


def _client_for(app, users, role):
    client = app.test_client()
    if role != "anonymous":
        assert login(client, users[role]).status_code == 302
    return client


@pytest.mark.parametrize("role", ROLES)
def test_get_routes_answer_as_expected(app, world, role):
    users, ids = world
    client = _client_for(app, users, role)
    wrong, checked = [], 0
    for rule in _rules(app):
        if "GET" not in rule.methods or expectation(rule.rule) is None:
            continue
        checked += 1
        url = _url(rule, ids)
        response = client.get(url)
        got = outcome(response)
        response.close()  # static and vendor files are streamed from open files
        want = expectation(rule.rule)[role]
        if got != want:
            wrong.append(f"GET {url}: {got}, expected {want}")
    assert not wrong, "\n".join(wrong)
    assert checked >= 35  # the walk really covered the site (38 GET routes when written)


@pytest.mark.parametrize("role", ROLES)
def test_unsafe_admin_and_operator_routes_refuse_outsiders(app, world, role):
    users, ids = world
    client = _client_for(app, users, role)
    wrong, checked = [], 0
    for rule in _rules(app):
        expected = expectation(rule.rule)
        if not rule.rule.startswith(("/admin", "/api/admin", "/operator", "/api/operator")) or expected[role] == "ok":
            continue
        for method in sorted(rule.methods & {"POST", "PATCH", "PUT", "DELETE"}):
            checked += 1
            got = outcome(client.open(_url(rule, ids), method=method, data={}))
            if got != expected[role]:
                wrong.append(f"{method} {rule.rule}: {got}, expected {expected[role]}")
    assert not wrong, "\n".join(wrong)
    assert checked > 0 or role == "admin"
