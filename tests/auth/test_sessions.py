"""Sessions end on the server: a copied cookie dies with logout or a new password; CSRF rotates at login."""

from __future__ import annotations

import pytest

from app.auth.models import User
from app.auth.services import load_user, register_parent
from app.extensions import db as _db
from tests.support import database_url, make_app

PASSWORD = "sunny-day-1"


@pytest.fixture
def web():
    """An app with no application context held open: each request gets a fresh `g`, as in a real server
    (the shared `app` fixture keeps one context, so Flask-Login's per-request user cache would leak)."""
    app = make_app(database_url())
    yield app
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()


def _parent(db, email="mom@example.com") -> User:
    user = register_parent(db.session, email, PASSWORD, "김엄마")
    db.session.commit()
    return user


def _new_parent(app, email="mom@example.com") -> int:
    with app.app_context():
        user = _parent(_db, email)
        return user.id


def _logged_in(app, client, email="mom@example.com") -> str:
    assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
    assert client.get("/children").status_code == 200
    return client.get_cookie("session").value


def _replay(app, cookie: str):
    """A second browser that only has the copied session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    return thief


def test_copied_cookie_stops_working_after_logout(web):
    app, client = web, web.test_client()
    _new_parent(app)
    stolen = _logged_in(app, client)
    assert _replay(app, stolen).get("/children").status_code == 200  # the copy works while logged in
    assert client.post("/logout").status_code == 302
    thief = _replay(app, stolen)
    page = thief.get("/children")
    assert page.status_code == 302 and "/login" in page.headers["Location"]
    assert thief.get("/api/children").status_code == 401
    # Logging in again gives a new, working session; the stolen one stays dead.
    _logged_in(app, client)
    assert _replay(app, stolen).get("/children").status_code == 302


def test_password_change_ends_sessions_but_api_tokens_are_separate(web):
    app, client = web, web.test_client()
    user_id = _new_parent(app)
    token = client.post("/api/auth/token", json={"email": "mom@example.com", "password": PASSWORD}).get_json()["token"]
    stolen = _logged_in(app, client)
    with app.app_context():
        _db.session.get(User, user_id).set_password("new-sunny-day-2")
        _db.session.commit()
    assert _replay(app, stolen).get("/children").status_code == 302
    assert client.get("/children").status_code == 302
    client.post("/logout")
    bearer = app.test_client().get("/api/children", headers={"Authorization": f"Bearer {token}"})
    assert bearer.status_code == 200


def test_user_loader_refuses_bad_and_stale_ids(db):
    user = _parent(db)
    assert load_user(db.session, f"{user.id}:0") is user
    for raw in (str(user.id), f"{user.id}:1", f"{user.id}:", "x:0", "", f"{2**63}:0", f"-{user.id}:0", "1:2:3"):
        assert load_user(db.session, raw) is None, raw


def test_csrf_token_rotates_at_login(web):
    app = web
    app.config["WTF_CSRF_ENABLED"] = True
    _new_parent(app)
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    with client.session_transaction() as session:
        before = session["csrf_token"]
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    r = client.post("/login", data={"email": "mom@example.com", "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 302
    with client.session_transaction() as session:
        assert session.get("csrf_token") in (None, "") or session["csrf_token"] != before
    client.get("/children")
    with client.session_transaction() as session:
        assert session["csrf_token"] != before
