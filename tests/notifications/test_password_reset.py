"""Password reset by e-mail: one use, 30 minutes (the boundary), one answer for any address, rate-limited."""

from __future__ import annotations

import re
from datetime import timedelta

import time_machine

from app.auth.models import User
from app.auth.reset import make_token, user_for_token
from app.timeutil import utcnow
from tests.factories import PASSWORD, login, make_user

NEW_PASSWORD = "bright-morning-7"


def _ask(client, email: str):
    return client.post("/password/forgot", data={"email": email}, follow_redirects=True)


def test_the_link_works_once(app, db, client, drain, mailbox):
    mailbox.use_for(app)
    user = make_user(db.session, email="dad@example.com")
    assert "비밀번호를 잊으셨나요?" in client.get("/login").get_data(as_text=True)
    _ask(client, "  Dad@Example.com ")
    assert mailbox.messages == []  # nothing is sent inside the request
    drain()
    assert drain() == 0
    (mail,) = mailbox.messages
    assert mail["To"] == "dad@example.com"
    link = re.search(r"http://\S+/password/reset/(\S+)", mailbox.bodies()[0])
    path = f"/password/reset/{link.group(1)}"
    assert "새 비밀번호 확인" in client.get(path).get_data(as_text=True)
    response = client.post(path, data={"password": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    login(client, db.session.get(User, user.id), NEW_PASSWORD)
    client.post("/logout")
    again = client.get(path).get_data(as_text=True)
    assert "만료되었거나 이미 사용되었습니다" in again and "새 비밀번호 확인" not in again
    assert client.post(path, data={"password": "other-pass-99", "password2": "other-pass-99"}).status_code == 200
    login(client, db.session.get(User, user.id), NEW_PASSWORD)


def test_the_link_expires_after_30_minutes(app, db):
    user = make_user(db.session)
    start = utcnow()
    with time_machine.travel(start, tick=False) as clock:
        token = make_token(user)
        clock.shift(timedelta(minutes=30))
        assert user_for_token(db.session, token) == user
        clock.shift(timedelta(seconds=1))
        assert user_for_token(db.session, token) is None
    assert user_for_token(db.session, token[:-2] + "xx") is None
    assert user_for_token(db.session, "not-a-token") is None


def test_an_unknown_address_gets_the_same_answer_and_the_same_work(app, db, client, jobs, drain, mailbox):
    mailbox.use_for(app)
    make_user(db.session, email="known@example.com")
    answers = []
    for email in ("known@example.com", "nobody@example.com"):
        response = _ask(client, email)
        answers.append((response.status_code, response.get_data(as_text=True)))
        assert jobs.huey.pending_count() == 1  # one job either way: the worker looks the account up
        drain()
    strip = [(status, re.sub(r'name="csrf_token"[^>]*|nonce="[^"]*"', "", page)) for status, page in answers]
    assert strip[0] == strip[1] and "재설정 링크를 보냈습니다" in strip[0][1]
    assert [m["To"] for m in mailbox.messages] == ["known@example.com"]


def test_requests_are_rate_limited(app, client):
    app.config["PASSWORD_RESET_RATE_LIMIT"] = "2/minute"
    statuses = [_ask(client, f"a{i}@example.com").status_code for i in range(3)]
    assert statuses == [200, 200, 429]


def test_old_password_no_longer_works_after_reset(app, db, client):
    user = make_user(db.session)
    path = f"/password/reset/{make_token(user)}"
    client.post(path, data={"password": NEW_PASSWORD, "password2": NEW_PASSWORD})
    login(client, db.session.get(User, user.id), PASSWORD, expect=401)
    fresh = f"/password/reset/{make_token(db.session.get(User, user.id))}"
    weak = client.post(fresh, data={"password": "a", "password2": "a"})
    assert weak.status_code == 422 and "비밀번호는" in weak.get_data(as_text=True)
