"""Token API: register, tokens (hashed, expiring), bearer checks."""

import re
from datetime import timedelta

from flask import jsonify

from app.auth.models import ApiToken, User
from app.auth.services import register_parent
from app.auth.tokens import api_login_required, current_api_user, hash_token, issue_token
from app.timeutil import utcnow

REG = {"email": "  Api@Example.com", "password": "bearer-pass-9", "name": "API 부모"}


def _whoami_route(app):
    """A protected test route, so the decorator is tested on its own."""

    @app.route("/api/_test/whoami", methods=["GET", "POST"])
    @api_login_required
    def whoami():
        return jsonify(id=current_api_user().id)


def test_register_201_and_duplicate_409(client, db):
    r = client.post("/api/auth/register", json=REG)
    assert r.status_code == 201
    body = r.get_json()
    assert body["email"] == "api@example.com" and body["name"] == "API 부모"
    assert set(body) == {"id", "email", "name"}
    dup = client.post("/api/auth/register", json={**REG, "email": "API@example.com"})
    assert dup.status_code == 409 and dup.get_json()["error"] == "email_taken"
    assert db.session.query(User).count() == 1


def test_register_validation_400(client):
    for body, code in [
        ({**REG, "password": "123456789"}, "invalid_password"),
        ({**REG, "password": "short"}, "invalid_password"),
        ({**REG, "email": "nope"}, "invalid_email"),
        ({**REG, "name": " "}, "invalid_name"),
        ({**REG, "email": 5}, "invalid_parameter"),
    ]:
        r = client.post("/api/auth/register", json=body)
        assert r.status_code == 400 and r.get_json()["error"] == code, body
        assert r.get_json()["message"]
    assert client.post("/api/auth/register", data="x").get_json()["error"] == "invalid_body"


def test_token_is_random_hashed_and_expires_in_30_days(client, db):
    client.post("/api/auth/register", json=REG)
    r = client.post("/api/auth/token", json={"email": "api@example.com ", "password": REG["password"]})
    assert r.status_code == 200
    body = r.get_json()
    stored = db.session.query(ApiToken).one()
    assert stored.token_hash == hash_token(body["token"]) and body["token"] not in stored.token_hash
    assert len(body["token"]) >= 40
    assert timedelta(days=29) < stored.expires_at - utcnow() <= timedelta(days=30)
    again = client.post("/api/auth/token", json={"email": "api@example.com", "password": REG["password"]})
    assert again.get_json()["token"] != body["token"]


def test_token_refused_for_wrong_password_and_locked_user(client, db):
    user = register_parent(db.session, REG["email"], REG["password"], REG["name"])
    db.session.commit()
    wrong = client.post("/api/auth/token", json={"email": "api@example.com", "password": "nope-nope-1"})
    assert wrong.status_code == 401 and wrong.get_json()["error"] == "unauthorized"
    user.is_locked = True
    db.session.commit()
    locked = client.post("/api/auth/token", json={"email": "api@example.com", "password": REG["password"]})
    assert locked.status_code == 401


def test_bearer_required_invalid_expired_and_locked(app, client, db):
    _whoami_route(app)
    user = register_parent(db.session, REG["email"], REG["password"], REG["name"])
    now = utcnow()
    good, _ = issue_token(db.session, user, now)
    expired, _ = issue_token(db.session, user, now - timedelta(days=31))
    db.session.commit()

    def call(header=None):
        return client.get("/api/_test/whoami", headers={"Authorization": header} if header else {})

    assert call(f"Bearer {good}").get_json() == {"id": user.id}
    for header in (None, "Bearer ", "Bearer not-a-token", f"Bearer {expired}", f"Basic {good}"):
        r = call(header)
        assert r.status_code == 401, header
        assert r.get_json()["error"] == "unauthorized" and r.get_json()["message"]
    user.is_locked = True
    db.session.commit()
    assert call(f"Bearer {good}").status_code == 401


def test_session_login_works_for_same_origin_fetch_with_csrf(app, client, db):
    _whoami_route(app)
    register_parent(db.session, REG["email"], REG["password"], REG["name"])
    db.session.commit()
    client.post("/login", data={"email": "api@example.com", "password": REG["password"]})
    assert client.get("/api/_test/whoami").status_code == 200
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post("/api/_test/whoami").status_code == 400  # unsafe method without X-CSRFToken
    assert client.get("/api/_test/whoami").status_code == 200


def test_bearer_post_needs_no_csrf_token_but_session_post_does(app, client, db):
    app.config["WTF_CSRF_ENABLED"] = True
    user = register_parent(db.session, REG["email"], REG["password"], REG["name"])
    raw, _ = issue_token(db.session, user, utcnow())
    db.session.commit()
    child = {"name": "하늘", "birth_date": "2021-05-05", "consent": True}
    assert client.post("/api/children", json=child, headers={"Authorization": f"Bearer {raw}"}).status_code == 201
    assert (
        client.post("/api/auth/token", json={"email": "api@example.com", "password": REG["password"]}).status_code
        == 200
    )
    app.config["WTF_CSRF_ENABLED"] = False
    client.post("/login", data={"email": "api@example.com", "password": REG["password"]})
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post("/api/children", json=child).status_code == 400  # session cookie alone: CSRF needed
    page = client.get("/children").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    # the same child again would be a 409 duplicate_child
    sibling = {"name": "바다", "birth_date": "2023-01-01", "consent": True}
    assert client.post("/api/children", json=sibling, headers={"X-CSRFToken": token}).status_code == 201


def test_delete_token_logs_the_api_client_out_and_only_that_token(client, db):
    client.post("/api/auth/register", json=REG)
    login = {"email": REG["email"].strip(), "password": REG["password"]}
    phone, laptop = (client.post("/api/auth/token", json=login).get_json()["token"] for _ in range(2))

    def children(token):
        return client.get("/api/children", headers={"Authorization": f"Bearer {token}"}).status_code

    assert children(phone) == 200
    r = client.delete("/api/auth/token", headers={"Authorization": f"Bearer {phone}"})
    assert r.status_code == 204
    assert children(phone) == 401 and children(laptop) == 200  # the other device stays signed in
    assert db.session.query(ApiToken).count() == 1
    again = client.delete("/api/auth/token", headers={"Authorization": f"Bearer {phone}"})
    assert again.status_code == 401
    assert client.delete("/api/auth/token").status_code == 401  # anonymous
