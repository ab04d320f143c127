"""GET /healthz, and 503s (never 500s) on every kind of route while the database is unreachable.

PostgreSQL is reached through a TCP proxy that the test cuts and restores: the same app object must
answer 503 while it is cut and 200 again once it is restored, without a restart.
"""

from __future__ import annotations

import time

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app import create_app, database
from app.config import TestConfig
from app.extensions import db
from tests.serving.rush import make_rush_data
from tests.serving.tcp_proxy import TcpProxy
from tests.support import make_app, postgres_url

KOREAN_503 = "데이터베이스에 연결할 수 없어"


def _config(url: str) -> dict:
    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    config["SQLALCHEMY_DATABASE_URI"] = url
    return config


def assert_database_down(client, facility_id: int = 1) -> None:
    """Health check, a page, a public API route and an authenticated API route all answer 503."""
    health = client.get("/healthz")
    assert health.status_code == 503, health.data
    body = health.get_json()
    assert body["status"] == "unavailable" and body["reason"] == "database" and KOREAN_503 in body["message"]
    assert "127.0.0.1" not in health.get_data(as_text=True)  # the reason names the error, not the server
    assert health.headers["Retry-After"]
    page = client.get("/")
    assert page.status_code == 503 and page.mimetype == "text/html"
    assert KOREAN_503 in page.get_data(as_text=True) and "<html" in page.get_data(as_text=True)
    assert client.get(f"/facilities/{facility_id}").status_code == 503
    for api in (
        client.get(f"/api/facilities/{facility_id}"),
        client.get("/api/bookings", headers={"Authorization": "Bearer not-checked-db-is-down"}),
    ):
        assert api.status_code == 503 and api.is_json
        assert api.get_json()["error"] == "database_unavailable" and KOREAN_503 in api.get_json()["message"]


def test_healthz_answers_ok_when_the_database_answers(client):
    r = client.get("/healthz")
    assert r.status_code == 200 and r.get_json() == {"status": "ok"}


def test_sqlite_file_that_cannot_be_opened_gives_503_everywhere(tmp_path):
    # Running as root, chmod 000 would not stop SQLite: a file in a folder that does not exist cannot be opened.
    app = create_app(_config(f"sqlite:///{tmp_path / 'no-such-folder' / 'nadeuri.sqlite3'}"))
    with app.app_context():
        assert_database_down(app.test_client())
        db.engine.dispose()


def test_every_pooled_connection_busy_gives_503_not_500(tmp_path):
    url = f"sqlite:///{tmp_path / 'busy.sqlite3'}"
    with make_app(url).app_context():  # the tables
        db.engine.dispose()
    config = _config(url)
    config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_size": 1, "max_overflow": 0, "pool_timeout": 0.2}
    app = create_app(config)
    with app.app_context():
        client = app.test_client()
        held = db.engine.connect()  # the pool's only connection
        r = client.get("/api/facilities/1")
        assert r.status_code == 503 and r.get_json()["error"] == "database_unavailable"
        assert client.get("/healthz").status_code == 503
        held.close()
        assert client.get("/healthz").status_code == 200
        assert client.get("/api/facilities/1").status_code == 404  # the same route, with a connection free
        db.engine.dispose()


@pytest.fixture
def proxied():
    """(app, proxy): an app whose PostgreSQL connections all pass through a proxy the test controls."""
    real = make_url(postgres_url())
    proxy = TcpProxy(real.host or "127.0.0.1", real.port or 5432)
    url = real.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    app = make_app(url)
    # No app context stays pushed: each request then has its own, as under gunicorn, and gives its
    # connection back to the pool at teardown (where it is checked before the next use: app.database).
    yield app, proxy
    with app.app_context():
        db.engine.dispose()
    proxy.close()


def _facility_id(app) -> int:
    """A facility in the proxied database (not through the `app` fixture, which may be another database)."""
    with app.app_context():
        facility_id = make_rush_data(db.session, parents=0, capacities=[]).facility_id
        db.session.commit()
        assert not db.engine.pool._pre_ping  # app.database checks pooled connections instead (_check_alive)
    return facility_id


def test_postgres_outage_gives_503_then_recovers_without_restart(proxied):
    app, proxy = proxied
    facility_id = _facility_id(app)
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    assert client.get(f"/facilities/{facility_id}").status_code == 200

    proxy.cut()
    assert_database_down(client, facility_id)
    assert_database_down(client, facility_id)  # still 503 on a second round, not a 500 from a broken pool

    proxy.restore()
    r = client.get("/healthz")
    assert r.status_code == 200 and r.get_json() == {"status": "ok"}
    assert client.get("/").status_code == 200
    assert client.get(f"/facilities/{facility_id}").status_code == 200
    assert client.get(f"/api/facilities/{facility_id}").status_code == 200


def test_connections_killed_by_a_restart_are_replaced_before_use(proxied):
    """No request between the cut and the restore: only the check before use saves the first request from a dead
    connection."""
    app, proxy = proxied
    facility_id = _facility_id(app)
    client = app.test_client()
    assert client.get(f"/facilities/{facility_id}").status_code == 200
    opened = proxy.accepted
    proxy.cut()  # every pooled connection is now dead
    proxy.restore()
    assert client.get(f"/facilities/{facility_id}").status_code == 200
    assert proxy.accepted > opened  # a fresh connection replaced the dead one


def _ping_counter(monkeypatch, app) -> list:
    """The pings the app's engine sends (each a round trip), recorded as they happen."""
    with app.app_context():
        dialect = db.engine.dialect
    pings, real_ping = [], dialect.do_ping

    def counted(dbapi_connection):
        pings.append(dbapi_connection)
        return real_ping(dbapi_connection)

    monkeypatch.setattr(dialect, "do_ping", counted)
    return pings


def test_a_healthy_pooled_connection_is_used_without_a_ping(proxied, monkeypatch):
    app, proxy = proxied
    facility_id = _facility_id(app)
    client = app.test_client()
    pings = _ping_counter(monkeypatch, app)
    for _ in range(3):
        assert client.get(f"/api/facilities/{facility_id}").status_code == 200
    assert pings == []  # no SELECT 1 before each request's statements
    monkeypatch.setattr(database, "PG_PING_AFTER_IDLE_S", 0.0)  # as if the connection had been idle a while
    assert client.get(f"/api/facilities/{facility_id}").status_code == 200
    assert len(pings) == 1


def test_a_backend_ended_by_the_server_is_replaced_before_use(proxied, monkeypatch):
    """pg_terminate_backend, as a restart or an administrator ends a session: the next request still succeeds."""
    app, proxy = proxied
    facility_id = _facility_id(app)
    client = app.test_client()
    assert client.get(f"/api/facilities/{facility_id}").status_code == 200
    with app.app_context():
        pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar()
        raw = db.session.connection().connection.dbapi_connection  # the pooled connection the next request gets
        db.session.commit()
    killer = create_engine(postgres_url())
    with killer.connect() as conn:
        assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()
    killer.dispose()
    pings = _ping_counter(monkeypatch, app)
    opened = proxy.accepted
    for _ in range(500):  # the server's last message and the socket's end arrive within milliseconds
        if database._has_input(raw):
            break
        time.sleep(0.001)
    assert client.get(f"/api/facilities/{facility_id}").status_code == 200
    assert len(pings) == 1 and proxy.accepted == opened + 1  # pinged because the socket said so, then replaced


def test_a_pooled_connection_the_driver_closed_is_replaced_before_use(proxied):
    app, proxy = proxied
    facility_id = _facility_id(app)
    client = app.test_client()
    with app.app_context():
        raw = db.session.connection().connection.dbapi_connection
        db.session.commit()
    raw.close()  # as psycopg does after a fatal error on the connection
    opened = proxy.accepted
    assert client.get(f"/api/facilities/{facility_id}").status_code == 200
    assert proxy.accepted == opened + 1
