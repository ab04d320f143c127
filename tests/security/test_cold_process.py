"""Hostile files through the real CLI, then a fresh gunicorn process serving them: cold caches, real HTTP.

The district outlines are built once per process (app.facilities.outlines), so an in-process test could see a
warm cache; here `flask db upgrade` and `flask import-data` run on a temporary SQLite file and a new
gunicorn serves it on a port the kernel picks (the migrations and the admin account are made in this process to
keep the test quick). Every page answers 200 and shows the text literally.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time

import pytest
import requests
from flask_migrate import upgrade

from app import create_app
from app.auth.models import User
from app.config import TestConfig
from app.extensions import db
from tests.security.hostile import HOSTILE_DONG, assert_inert, shows, write_hostile_files

ADMIN = ("admin@example.com", "cold-start-pass-1")
READY_SECONDS = 20


def flask(env: dict, *args: str) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", *args], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr + result.stdout
    return result


def prepare_database(url: str) -> None:
    """`flask db upgrade` and an admin account, in this process (each CLI start costs seconds)."""
    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    app = create_app({**config, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        admin = User(email=ADMIN[0], name="admin", role="admin")
        admin.set_password(ADMIN[1])
        db.session.add(admin)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def served(tmp_path):
    """(base URL, tags): hostile files imported by the CLI into a temp SQLite file, served by a fresh gunicorn."""
    data = tmp_path / "data"
    tags = write_hostile_files(data)
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cold.sqlite3'}",
        "NADEURI_DATA_DIR": str(data),
        "SECRET_KEY": "cold-process-test",
        "MAP_TILE_URL": "",
        "FLASK_APP": "app",
    }
    env.pop("TEST_DATABASE_URL", None)
    prepare_database(env["DATABASE_URL"])
    report = flask(env, "import-data", str(data), "--quiet").stdout
    assert "new 1" in report and report.count("[") >= 4, report
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    port = listener.getsockname()[1]
    # gunicorn takes over our listening socket (bound to port 0), so the port is known before it starts.
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "1", "--bind", f"fd://{listener.fileno()}", "app:create_app()"],
        env=env,
        pass_fds=(listener.fileno(),),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    listener.close()
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + READY_SECONDS
        while True:
            try:
                requests.get(f"{base}/login", timeout=READY_SECONDS)
                break
            except (requests.ConnectionError, requests.Timeout):  # the socket listens before gunicorn is up
                assert server.poll() is None, server.stderr.read().decode()
                assert time.monotonic() < deadline, "gunicorn did not answer in time"
                time.sleep(0.1)
        yield base, [t for group in tags.values() for t in group]
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        server.stderr.close()


def test_cli_import_then_fresh_server_shows_hostile_text_literally(served):
    base, tags = served
    http = requests.Session()
    # The first request of the process builds the outlines from the hostile district names.
    first = http.get(f"{base}/?district=11140", timeout=10)
    assert first.status_code == 200 and "49구" not in first.text
    items = http.get(
        f"{base}/api/facilities", params={"lat": 37.5665, "lon": 126.978, "radius_m": 2000}, timeout=10
    ).json()["items"]
    assert len(items) == 4 and all("[{{ 7*7 }}" in i["name"] for i in items)
    pages = ["/", "/?lat=37.5665&lon=126.978&radius_m=2000"] + [f"/facilities/{i['id']}" for i in items]
    for url in pages:
        response = http.get(base + url, timeout=10)
        assert response.status_code == 200, url
        assert_inert(response.text, tags, url)
    for item in items:
        assert shows(http.get(f"{base}/facilities/{item['id']}", timeout=10).text, item["name"])
    token = re.search(r'name="csrf_token"[^>]*?value="([^"]+)"', http.get(f"{base}/login", timeout=10).text).group(1)
    login = http.post(
        f"{base}/login",
        data={"email": ADMIN[0], "password": ADMIN[1], "csrf_token": token},
        timeout=10,
        allow_redirects=False,
    )
    assert login.status_code == 302, login.text[-500:]
    for url in ("/admin/", "/admin/flags", "/admin/coverage", "/admin/coverage/map", "/admin/coverage.csv"):
        response = http.get(base + url, timeout=10)
        assert response.status_code == 200, url
        if not url.endswith(".csv"):
            assert_inert(response.text, tags, url)
            assert "49구" not in response.text, url
    assert shows(http.get(f"{base}/admin/coverage", timeout=10).text, HOSTILE_DONG)
    assert shows(http.get(f"{base}/admin/coverage/map", timeout=10).text, "{{ 7*7 }}구")
    assert "{{ 7*7 }}구" in http.get(f"{base}/admin/coverage.csv", timeout=10).content.decode("utf-8-sig")
