"""Login rate limit, session cookie flags, locked accounts."""

from app.auth.tokens import issue_token
from tests.factories import NOW, PASSWORD, login, make_user


def test_login_page_is_rate_limited_per_ip_and_email(client, db):
    user = make_user(db.session, "parent")
    for _ in range(10):
        assert login(client, user, "wrong-password-1", expect=None).status_code != 429
    response = login(client, user, expect=429)  # 11th try within the minute, even with the right password
    assert "로그인 시도가 너무 많습니다" in response.get_data(as_text=True)
    other = make_user(db.session, "parent")
    login(client, other)  # another e-mail is not blocked: 302


def test_login_failures_before_the_limit_are_not_429(client, db):
    user = make_user(db.session, "parent")
    codes = {login(client, user, "wrong-password-1", expect=None).status_code for _ in range(10)}
    assert 429 not in codes


def test_token_endpoint_is_rate_limited_with_json(client, db):
    user = make_user(db.session, "parent")
    for _ in range(10):
        assert client.post("/api/auth/token", json={"email": user.email, "password": "nope-nope-1"}).status_code == 401
    response = client.post("/api/auth/token", json={"email": user.email, "password": PASSWORD})
    assert response.status_code == 429
    assert response.get_json()["message"].startswith("로그인 시도가 너무 많습니다")


def test_rate_limit_reads_its_setting(app, db):
    app.config["LOGIN_RATE_LIMIT"] = "2/minute"
    client = app.test_client()
    user = make_user(db.session, "parent")
    assert [login(client, user, "wrong-password-1", expect=None).status_code for _ in range(3)][-1] == 429


def test_session_cookie_is_httponly_and_samesite(client, db):
    user = make_user(db.session, "parent")
    response = login(client, user)
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    flags = [part.strip().lower() for part in cookie.split(";")]
    assert "httponly" in flags and "samesite=lax" in flags


def test_admin_lock_blocks_login_and_tokens(client, db):
    admin = make_user(db.session, "admin")
    parent = make_user(db.session, "parent")
    raw, _ = issue_token(db.session, parent, NOW.replace(year=2099))
    db.session.commit()
    assert client.get("/api/children", headers={"Authorization": f"Bearer {raw}"}).status_code == 200
    login(client, admin)
    assert client.post(f"/admin/users/{parent.id}/lock", data={"locked": "1"}).status_code == 302
    db.session.refresh(parent)
    assert parent.is_locked
    assert client.get("/api/children", headers={"Authorization": f"Bearer {raw}"}).status_code == 401
    client.post("/logout")
    assert login(client, parent, expect=None).status_code != 302
    login(client, admin)
    client.post(f"/admin/users/{parent.id}/lock", data={"locked": "0"})
    client.post("/logout")
    login(client, parent)
