"""The role matrix's expectations: who may reach which route, and how to walk the site as each role.

Used by test_role_matrix.py and test_security_headers.py; a new route fails the matrix until it is classified here.
"""

from __future__ import annotations

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
    "/api/me": LOGGED_IN,  # a person's own data: export (any role), delete (parents; staff get 403 parents_only)
    "/account": LOGGED_IN,
    "/api/facilities": EVERYONE,
    "/api/districts": EVERYONE,
    "/api/availability": EVERYONE,
    "/api/places": EVERYONE,
    "/api/openapi.json": EVERYONE,
    "/facilities": EVERYONE,
    "/maps": EVERYONE,  # the district outlines the maps draw
    "/lottery": EVERYONE,
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
    "/children/<id:child_id>/edit": OWNER,
    "/children/<id:child_id>/delete": OWNER,
    # Only changes are POSTed; the logout form is open to everyone (CSRF-protected).
    "/logout": EVERYONE,
    "/api/auth/register": EVERYONE,
    "/api/auth/token": EVERYONE,  # POST is open; DELETE revokes the bearer token sent (test_auth_api.py)
    "/healthz": EVERYONE,  # the load balancer's health check (app/serving.py)
    "/privacy": EVERYONE,  # the privacy policy (처리방침), linked from every page's footer
    # Notifications (#11): each user's own settings and messages; the reset pages answer anyone the same way
    # (a made-up token shows "expired" to everyone).
    "/settings/notifications": LOGGED_IN,
    "/api/me/notifications": LOGGED_IN,
    "/api/me/notification-settings": LOGGED_IN,
    "/password/forgot": EVERYONE,
    "/password/reset/<token>": EVERYONE,
    # An upload preview is its admin's own: the world's made-up token is unknown, so 404 even for an admin
    # (tests/admin/test_admin_uploads.py walks a real one).
    "/admin/import/<token>": dict(ADMIN_ONLY, admin="denied"),
    # Weekend lottery (#12): the policy of a facility its operators (and admins) manage; a household's own entries
    # (another's → 404); each weekend's draw record is public (404 until the weekend's entries open).
    "/api/operator/facilities/<id:facility_id>/policy": STAFF,
    "/api/lottery/entries": LOGGED_IN,
    "/api/lottery/entries/<id:entry_id>": OWNER,
    "/api/lottery/entries/<id:entry_id>/claim": OWNER,
    "/api/lottery/entries/<id:entry_id>/decline": OWNER,
    "/api/draws": EVERYONE,
    # The lottery's pages: the basket (kept in the session, login only to enter), a household's own entry actions
    # (POST; another's → 404), the public draw page, the current weekend's (a redirect) and the verify script.
    "/lottery/draws": {role: "away" for role in ROLES},
    "/lottery/entries/<id:entry_id>/withdraw": OWNER,
    "/lottery/entries/<id:entry_id>/claim": OWNER,
    "/lottery/entries/<id:entry_id>/decline": OWNER,
}
QUERY = {
    "/api/districts/at": "?lat=37.5665&lon=126.978",
    "/bookings/new": "?slot={slot_id}",
    "/api/facilities": "?lat=37.5665&lon=126.978",
    "/api/places": "?q=중구",
    "/api/availability": "?facility_ids=1,2",
    "/api/facilities/<id:facility_id>/slots": "?date=2030-01-07",
    "/api/draws": "?weekend={draw_weekend}",
}
STATIC_ARGS = {"filename": "css/app.css"}
VENDOR_ARGS = {"package": "leaflet", "filename": "dist/leaflet.css"}


def expectation(rule: str) -> dict | None:
    """The expectation for a rule: exact entry, else the longest matching prefix, else None."""
    if rule in EXACT:
        return EXACT[rule]
    matches = [p for p in PREFIXES if rule == p or rule.startswith(p + "/") or rule.startswith(p + ".")]
    return PREFIXES[max(matches, key=len)] if matches else None


def rule_url(rule, ids: dict) -> str:
    """The path for `rule` with the `world` fixture's ids (and a query where the route needs one)."""
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


def site_rules(app):
    """Every URL rule of `app`, sorted."""
    return sorted(app.url_map.iter_rules(), key=lambda r: r.rule)


def get_urls(app, ids: dict):
    """(rule, URL) for every GET route that has an expectation, with the `world` fixture's ids."""
    for rule in site_rules(app):
        if "GET" in rule.methods and expectation(rule.rule) is not None:
            yield rule, rule_url(rule, ids)
