"""Adding a child needs the guardian's consent, stored with its time and the privacy policy version."""

from __future__ import annotations

from datetime import date

from app.auth.models import Child
from tests.factories import bearer, login, make_child, make_user

CHILD = {"name": "하늘", "birth_date": "2021-05-05"}


def test_api_refuses_without_consent_and_stores_it_with_the_version(app, client, db):
    parent = make_user(db.session)
    headers = bearer(db.session, parent)
    for body in (CHILD, {**CHILD, "consent": False}, {**CHILD, "consent": "true"}, {**CHILD, "consent": 1}):
        r = client.post("/api/children", json=body, headers=headers)
        assert r.status_code == 422 and r.get_json()["error"] == "consent_required", body
        assert "동의" in r.get_json()["message"]
    assert db.session.query(Child).count() == 0
    app.config["PRIVACY_POLICY_VERSION"] = "2026-test"
    r = client.post("/api/children", json={**CHILD, "consent": True}, headers=headers)
    assert r.status_code == 201
    child = db.session.get(Child, r.get_json()["id"])
    assert child.consent_version == "2026-test" and child.consent_at is not None


def test_page_needs_the_checkbox_and_links_the_policy(app, client, db):
    parent = make_user(db.session)
    login(client, parent)
    page = client.get("/children").get_data(as_text=True)
    assert 'name="consent"' in page and 'href="/privacy"' in page
    refused = client.post("/children", data=CHILD)
    assert refused.status_code == 422 and "보호자로서 동의해 주세요" in refused.get_data(as_text=True)
    assert db.session.query(Child).count() == 0
    assert client.post("/children", data={**CHILD, "consent": "y"}).status_code == 302
    assert db.session.query(Child).one().consent_version == app.config["PRIVACY_POLICY_VERSION"]


def test_children_from_before_consent_keep_working(client, db):
    parent = make_user(db.session)
    old = make_child(db.session, parent, date(2021, 5, 5), "바다")  # registered before consent was asked
    assert old.consent_at is None and old.consent_version is None
    login(client, parent)
    assert "바다" in client.get("/children").get_data(as_text=True)
    assert client.get("/api/children").get_json()["items"][0]["name"] == "바다"
    export = client.get("/api/me/export").get_json()
    assert export["children"][0]["consent_at"] is None


def test_privacy_page_states_the_retention_settings(app, client):
    app.config.update(BOOKING_RETENTION_MONTHS=7, DELETED_ACCOUNT_ERASE_DAYS=11, ACCESS_LOG_RETENTION_MONTHS=36)
    page = client.get("/privacy").get_data(as_text=True)
    assert "7개월" in page and "11일" in page and "36개월" in page and "3년" in page
    assert 'href="/privacy"' in client.get("/").get_data(as_text=True)  # the footer links it on every page
