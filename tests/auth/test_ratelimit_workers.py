"""Rate limits hold across workers: gunicorn with 2 workers, counters in the real Redis.

With per-process counters (memory://), requests spread over two workers would meet 429 only after
about twice the limit; with Redis every worker counts against the same window.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.support import need

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = "redis://127.0.0.1:6379/3"  # this project's test db on the shared Redis
BOOT_SECONDS = 90


def _redis(prefix: str):
    try:
        import redis

        client = redis.Redis.from_url(REDIS_URL, socket_timeout=2)
        client.ping()
    except Exception as exc:  # no server, or no client library: the test cannot run here
        need(f"Redis not reachable at {REDIS_URL}: {exc.__class__.__name__}")
    return client


def _forget(client, prefix: str) -> None:
    """Drop this run's counters only (the Redis is shared)."""
    keys = list(client.scan_iter(match=f"*{prefix}*", count=500))
    if keys:
        client.delete(*keys)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    prefix = f"nadeuri-test-{uuid.uuid4().hex[:12]}"
    client = _redis(prefix)
    folder = tmp_path_factory.mktemp("workers")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{folder / 'app.sqlite3'}",
        "SECRET_KEY": "workers-test",
        "RATELIMIT_STORAGE_URI": REDIS_URL,
        "RATELIMIT_KEY_PREFIX": prefix,
        "FLASK_APP": "app",
        "MAP_TILE_URL": "",
        "PYTHONUNBUFFERED": "1",
    }
    bin_dir = Path(sys.executable).parent
    subprocess.run(
        [str(bin_dir / "flask"), "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True, timeout=180
    )
    log = folder / "gunicorn.log"
    access = folder / "access.log"
    with open(log, "w") as err:
        proc = subprocess.Popen(
            [
                str(bin_dir / "gunicorn"),
                "--workers",
                "2",
                "--bind",
                "127.0.0.1:0",
                "--access-logfile",
                str(access),
                "--access-logformat",
                "%(p)s %(s)s %(U)s",
                "app:create_app()",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
    try:
        base = _wait_until_ready(proc, log)
        yield base, client, prefix, access
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        _forget(client, prefix)
        client.close()


def _wait_until_ready(proc, log: Path) -> str:
    """Poll the log for gunicorn's port and both workers' boot, with a deadline."""
    import requests

    deadline = time.monotonic() + BOOT_SECONDS
    while time.monotonic() < deadline:
        assert proc.poll() is None, log.read_text()
        text = log.read_text()
        port = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", text)
        if port and text.count("Booting worker") >= 2:
            base = f"http://127.0.0.1:{port.group(1)}"
            try:
                if requests.get(f"{base}/login", timeout=30).status_code == 200:
                    return base
            except (requests.ConnectionError, requests.Timeout):
                pass
        time.sleep(0.2)
    raise AssertionError("gunicorn did not start:\n" + log.read_text())


def _burst(url: str, bodies: list[dict]) -> list[int]:
    """POST each body, a few at a time so both workers are busy, each on a new connection."""
    import requests

    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(lambda body: requests.post(url, json=body, timeout=60).status_code, bodies))


def _pids(access: Path, path: str, status: str, expect: int) -> set[str]:
    """Worker pids in the access log for `expect` lines of `path` with `status` (polled until written)."""
    deadline = time.monotonic() + 10
    while True:
        lines = [line.split() for line in access.read_text().splitlines()]
        found = [parts[0] for parts in lines if len(parts) == 3 and parts[2] == path and parts[1] == status]
        if len(found) >= expect or time.monotonic() > deadline:
            return set(found)
        time.sleep(0.05)


def test_spraying_across_two_workers_meets_429_at_the_limit(served):
    base, client, prefix, access = served
    _forget(client, prefix)
    bodies = [{"email": f"victim{i}@example.com", "password": "guess-pass-1"} for i in range(60)]
    codes = _burst(f"{base}/api/auth/token", bodies)
    assert codes.count(401) == 30 and codes.count(429) == 30, codes  # LOGIN_ADDRESS_RATE_LIMIT 30/minute
    assert len(_pids(access, "/api/auth/token", "401", expect=30)) == 2  # both workers answered before the limit


def test_one_account_across_two_workers_meets_429_at_the_limit(served):
    base, client, prefix, _ = served
    _forget(client, prefix)
    codes = _burst(f"{base}/api/auth/token", [{"email": "mom@example.com", "password": "guess-pass-1"}] * 14)
    assert codes.count(401) == 10 and codes.count(429) == 4, codes  # LOGIN_RATE_LIMIT 10/minute


def test_sign_ups_across_two_workers_meet_429_at_the_limit(served):
    base, client, prefix, _ = served
    _forget(client, prefix)
    bodies = [{"email": f"parent{i}@example.com", "password": "sunny-day-1", "name": "부모"} for i in range(13)]
    codes = _burst(f"{base}/api/auth/register", bodies)
    assert codes.count(201) == 10 and codes.count(429) == 3, codes  # REGISTER_RATE_LIMIT 10/minute
