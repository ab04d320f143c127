"""Rate limits in one process: password spraying from one address, sign-ups on the page and the API."""

from __future__ import annotations

from app.auth.ratelimit import ADDRESS_MESSAGE, REGISTER_MESSAGE

ATTACKER = {"REMOTE_ADDR": "203.0.113.7"}
NEIGHBOUR = {"REMOTE_ADDR": "203.0.113.8"}


def _login(client, email, environ=ATTACKER):
    return client.post("/login", data={"email": email, "password": "guess-pass-1"}, environ_base=environ)


def test_spraying_many_accounts_from_one_address_meets_429(client, db):
    codes = [_login(client, f"victim{i}@example.com").status_code for i in range(60)]
    assert codes[:30] == [401] * 30  # each account guessed once: the per-account limit never fires
    assert codes[30:] == [429] * 30
    page = _login(client, "victim99@example.com")
    assert page.status_code == 429 and ADDRESS_MESSAGE in page.get_data(as_text=True)
    assert page.headers.get("Retry-After")
    api = client.post("/api/auth/token", json={"email": "v@example.com", "password": "x-1"}, environ_base=ATTACKER)
    assert api.status_code == 429 and api.get_json()["message"] == ADDRESS_MESSAGE
    assert _login(client, "victim0@example.com", NEIGHBOUR).status_code == 401  # other addresses go on


def test_address_limit_reads_its_setting(app, client, db):
    app.config["LOGIN_ADDRESS_RATE_LIMIT"] = "3/minute"
    assert [_login(client, f"v{i}@example.com").status_code for i in range(4)] == [401, 401, 401, 429]


def test_sign_ups_are_limited_on_the_page_and_the_api(app, client, db):
    app.config["REGISTER_RATE_LIMIT"] = "3/minute"
    for i in range(3):
        r = client.post(
            "/api/auth/register",
            json={"email": f"p{i}@example.com", "password": "sunny-day-1", "name": "부모"},
            environ_base=ATTACKER,
        )
        assert r.status_code == 201
    api = client.post(
        "/api/auth/register",
        json={"email": "p9@example.com", "password": "sunny-day-1", "name": "부모"},
        environ_base=ATTACKER,
    )
    assert api.status_code == 429 and api.get_json() == {"error": "http_429", "message": REGISTER_MESSAGE}
    page = client.post(
        "/register",
        data={"email": "q@example.com", "name": "부모", "password": "sunny-day-1", "password2": "sunny-day-1"},
        environ_base=ATTACKER,
    )
    assert page.status_code == 429 and REGISTER_MESSAGE in page.get_data(as_text=True)
    assert client.get("/register", environ_base=ATTACKER).status_code == 200  # only submissions count
    other = client.post(
        "/api/auth/register",
        json={"email": "n@example.com", "password": "sunny-day-1", "name": "이웃"},
        environ_base=NEIGHBOUR,
    )
    assert other.status_code == 201


def test_unreachable_redis_falls_back_to_counting_in_memory(tmp_path):
    """Logins keep working (no 500) and limits still hold per process while Redis does not answer."""
    import app.config as config
    from app.extensions import db as _db
    from tests.support import database_url, make_app

    saved = config.TestConfig.RATELIMIT_STORAGE_URI
    config.TestConfig.RATELIMIT_STORAGE_URI = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    try:
        app = make_app(database_url())
    finally:
        config.TestConfig.RATELIMIT_STORAGE_URI = saved
    app.config["LOGIN_ADDRESS_RATE_LIMIT"] = "3/minute"
    client = app.test_client()
    assert [_login(client, f"v{i}@example.com").status_code for i in range(5)] == [401, 401, 401, 429, 429]
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()
