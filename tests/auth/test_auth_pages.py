"""Account pages: sign-up, login, logout, locked users, CSRF, children page."""

import re
from datetime import date, timedelta

from app.auth.models import Child, User
from app.auth.services import register_parent


def _parent(db, email="mom@example.com", password="sunny-day-1", name="김엄마", locked=False):
    user = register_parent(db.session, email, password, name)
    user.is_locked = locked
    db.session.commit()
    return user


def _login(client, email="mom@example.com", password="sunny-day-1", **kw):
    return client.post("/login", data={"email": email, "password": password}, **kw)


def test_register_creates_parent_logs_in_and_normalises_email(client, db):
    r = client.post(
        "/register",
        data={"name": " 박아빠 ", "email": "  Dad@Example.COM ", "password": "rainbow-77", "password2": "rainbow-77"},
    )
    assert r.status_code == 302 and r.headers["Location"].endswith("/children")
    user = db.session.query(User).one()
    assert (user.email, user.name, user.role) == ("dad@example.com", "박아빠", "parent")
    assert user.password_hash != "rainbow-77" and user.check_password("rainbow-77")
    page = client.get("/children")
    assert page.status_code == 200 and "로그아웃" in page.get_data(as_text=True)


def test_register_refuses_weak_passwords_and_duplicates(client, db):
    _parent(db)
    cases = [
        ({"password": "short1", "password2": "short1"}, "8자 이상"),
        ({"password": "123456789", "password2": "123456789"}, "두 종류 이상"),
        ({"password": "goodpass-1", "password2": "other-pass-1"}, "서로 다릅니다"),
        ({"email": "MOM@example.com "}, "이미 가입된 이메일"),
        ({"email": "not-an-email"}, "올바른 이메일"),
    ]
    for change, message in cases:
        data = {"name": "이름", "email": "new@example.com", "password": "goodpass-1", "password2": "goodpass-1"}
        data.update(change)
        r = client.post("/register", data=data)
        assert r.status_code in (409, 422), change
        assert message in r.get_data(as_text=True), change
    both = client.post(
        "/register", data={"name": "이름", "email": "x@example.com", "password": "123456789", "password2": "12"}
    ).get_data(as_text=True)
    assert "두 종류 이상" in both and "서로 다릅니다" in both
    assert db.session.query(User).count() == 1


def test_login_logout_and_wrong_password(client, db):
    _parent(db)
    assert client.get("/children").status_code == 302  # login required
    bad = _login(client, password="wrong-pass-1")
    assert bad.status_code == 401 and "맞지 않습니다" in bad.get_data(as_text=True)
    assert client.get("/children").status_code == 302
    good = _login(client, email=" MOM@example.com")
    assert good.status_code == 302
    assert client.get("/children").status_code == 200
    assert client.post("/logout").status_code == 302
    assert client.get("/children").status_code == 302


def test_login_redirects_only_to_local_next(client, db):
    _parent(db)
    r = client.post("/login?next=/children", data={"email": "mom@example.com", "password": "sunny-day-1"})
    assert r.headers["Location"].endswith("/children")
    client.post("/logout")
    r = client.post("/login?next=//evil.example/x", data={"email": "mom@example.com", "password": "sunny-day-1"})
    assert "evil" not in r.headers["Location"]


def test_locked_user_cannot_log_in_and_is_dropped_from_session(client, db):
    user = _parent(db)
    assert _login(client).status_code == 302
    user.is_locked = True
    db.session.commit()
    assert client.get("/children").status_code == 302  # the live session no longer counts
    r = _login(client)
    assert r.status_code == 403 and "잠긴 계정" in r.get_data(as_text=True)


def test_csrf_is_enforced_when_enabled(app, client, db):
    app.config["WTF_CSRF_ENABLED"] = True
    _parent(db)
    assert _login(client).status_code == 400  # no token
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    r = client.post("/login", data={"email": "mom@example.com", "password": "sunny-day-1", "csrf_token": token})
    assert r.status_code == 302
    assert client.post("/logout").status_code == 400  # logout is CSRF-protected too
    nav = client.get("/children").get_data(as_text=True)
    logout_token = re.search(r'name="csrf_token" value="([^"]+)"', nav).group(1)
    assert client.post("/logout", data={"csrf_token": logout_token}).status_code == 302


def test_children_page_adds_and_lists_only_own_children(client, db):
    other = _parent(db, email="other@example.com")
    db.session.add(Child(parent_id=other.id, name="남의아이", birth_date=date(2020, 1, 1)))
    db.session.commit()
    _parent(db)
    _login(client)
    r = client.post("/children", data={"name": "하늘", "birth_date": "2021-05-05", "consent": "y"})
    assert r.status_code == 302
    page = client.get("/children").get_data(as_text=True)
    assert "하늘" in page and "2021-05-05" in page and "남의아이" not in page
    future = (date.today() + timedelta(days=3)).isoformat()
    for data, message in [
        ({"name": "", "birth_date": "2021-05-05"}, "이름"),
        ({"name": "바다", "birth_date": future}, "미래"),
        ({"name": "바다", "birth_date": "2001-01-01"}, "13세"),
        ({"name": "바다", "birth_date": "어제"}, "YYYY-MM-DD"),
        ({"name": "가" * 51, "birth_date": "2021-05-05"}, "50자"),
    ]:
        bad = client.post("/children", data=data)
        assert bad.status_code == 422 and message in bad.get_data(as_text=True), data
    both = client.post("/children", data={"name": "", "birth_date": future}).get_data(as_text=True)
    assert "이름을 입력해" in both and "미래" in both  # every problem at once, not one per try
    assert db.session.query(Child).count() == 2


def test_user_text_is_escaped(client, db):
    _parent(db)
    _login(client)
    client.post("/children", data={"name": "<b>x</b>", "birth_date": "2021-05-05", "consent": "y"})
    page = client.get("/children").get_data(as_text=True)
    assert "&lt;b&gt;x&lt;/b&gt;" in page and "<b>x</b>" not in page
