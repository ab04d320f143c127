"""Every route × every role: the server answers with the allowed status.

Each rule in app.url_map must have an expectation (exact rule first, then the longest prefix), so a
new route fails this test until someone classifies it. Outcomes: ok (2xx), login (redirect to the
login page or 401), denied (403, or 404 for another person's record), away (redirect elsewhere,
e.g. /login when already logged in). GET routes get the whole matrix; unsafe routes under the
admin and operator areas are checked for refusal of everyone who may not use them.
"""

from __future__ import annotations

import pytest

from tests.admin.route_access import ROLES, expectation, get_urls, outcome, rule_url, site_rules


def test_every_route_has_an_expectation(app):
    missing = [r.rule for r in site_rules(app) if expectation(r.rule) is None]
    assert missing == [], f"classify these routes in tests/admin/route_access.py: {missing}"


@pytest.mark.parametrize("role", ROLES)
def test_get_routes_answer_as_expected(app, world, role, role_client):
    wrong, checked = [], 0
    for rule, url in get_urls(app, world[1]):
        checked += 1
        response = role_client.get(url)
        got = outcome(response)
        response.close()  # static and vendor files are streamed from open files
        want = expectation(rule.rule)[role]
        if got != want:
            wrong.append(f"GET {url}: {got}, expected {want}")
    assert not wrong, "\n".join(wrong)
    assert checked >= 35  # the walk really covered the site (38 GET routes when written)


@pytest.mark.parametrize("role", ROLES)
def test_unsafe_admin_and_operator_routes_refuse_outsiders(app, world, role, role_client):
    ids = world[1]
    wrong, checked = [], 0
    for rule in site_rules(app):
        expected = expectation(rule.rule)
        if not rule.rule.startswith(("/admin", "/api/admin", "/operator", "/api/operator")) or expected[role] == "ok":
            continue
        for method in sorted(rule.methods & {"POST", "PATCH", "PUT", "DELETE"}):
            checked += 1
            got = outcome(role_client.open(rule_url(rule, ids), method=method, data={}))
            if got != expected[role]:
                wrong.append(f"{method} {rule.rule}: {got}, expected {expected[role]}")
    assert not wrong, "\n".join(wrong)
    assert checked > 0 or role == "admin"
