"""Real app servers for the fault tests: gunicorn subprocesses, and a booking rush from client threads.

The test owns each listening socket (127.0.0.1, port 0) and hands it to gunicorn as ``fd://N``: a
restarted gunicorn serves the same port, and connections made while it is down wait in the
socket's backlog instead of being refused, as they would behind systemd socket activation.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
START_DEADLINE_S = 60


class AppServer:
    """One gunicorn (master + workers, in their own process group) on a socket the test keeps."""

    # preload: the master imports the app once and forks the workers (as docs/deploy.md suggests), which
    # halves the start-up CPU on a loaded 2-core CI machine; the workers are the same either way.
    def __init__(self, database_url: str, log_path: Path, workers: int = 2, preload: bool = True):
        self.database_url, self.log_path, self.workers, self.preload = database_url, log_path, workers, preload
        self.sock = socket.create_server((HOST, 0), backlog=256)
        self.port = self.sock.getsockname()[1]
        self.proc: subprocess.Popen | None = None
        self.starts = 0

    def start(self) -> None:
        """Start gunicorn and wait until /healthz answers 200."""
        self.spawn()
        self.wait_ready()

    def spawn(self) -> None:
        """Start gunicorn without waiting for it."""
        fd = self.sock.fileno()
        env = dict(
            os.environ,
            DATABASE_URL=self.database_url,
            SECRET_KEY="serving-test-only",
            RATELIMIT_STORAGE_URI="memory://",
        )
        self.starts += 1
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "--workers",
                    str(self.workers),
                    "--bind",
                    f"fd://{fd}",
                    "--log-level",
                    "warning",
                    "--graceful-timeout",
                    "5",
                    *(["--preload"] if self.preload else []),
                    "app:create_app()",
                ],
                cwd=ROOT,
                env=env,
                pass_fds=(fd,),
                start_new_session=True,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
            )

    def wait_ready(self) -> None:
        """Wait until /healthz answers 200; raise with the server's log if it does not."""
        deadline = time.monotonic() + START_DEADLINE_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                if request(self.port, "GET", "/healthz", timeout=2)[0] == 200:
                    return
            except (OSError, http.client.HTTPException):
                pass  # still booting: the connection waits in the backlog or times out
            time.sleep(0.1)
        self.kill()
        raise RuntimeError(f"gunicorn did not answer /healthz within {START_DEADLINE_S} s:\n{self.log_tail()}")

    def kill(self) -> None:
        """SIGKILL the master and every worker at once: no graceful shutdown, no finished requests."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        """Graceful stop (SIGTERM), SIGKILL if it takes too long."""
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill()

    def close(self) -> None:
        self.stop()
        self.sock.close()

    def log_tail(self, chars: int = 3000) -> str:
        return self.log_path.read_text(errors="replace")[-chars:] if self.log_path.exists() else ""


def request(
    port: int, method: str, path: str, body: dict | None = None, token: str | None = None, timeout: float = 20
) -> tuple[int, dict]:
    """One HTTP request on a fresh connection; (status, JSON body or {})."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request(method, path, json.dumps(body) if body is not None else None, headers)
        resp = conn.getresponse()
        data = resp.read()
    finally:
        conn.close()
    return resp.status, (json.loads(data) if data.startswith(b"{") else {})


@dataclass
class RushResult:
    confirmed: dict[int, tuple[str, int]] = field(default_factory=dict)  # booking id -> (code, slot id)
    outcomes: Counter = field(default_factory=Counter)  # "confirmed", refusal codes, "lost" (no answer)
    answered_by_phase: Counter = field(default_factory=Counter)  # phase (see Rush.next_phase) -> answers

    @property
    def done(self) -> int:
        return sum(self.outcomes.values())


class Rush:
    """Client threads sharing a fixed list of booking attempts spread over the given ports."""

    def __init__(
        self,
        ports: list[int],
        parents: list[tuple[str, int]],
        slot_ids: list[int],
        attempts: int,
        clients: int,
        seed: int = 8,
    ):
        rnd = random.Random(seed)
        self.jobs = [(ports[i % len(ports)], parents[i % len(parents)], rnd.choice(slot_ids)) for i in range(attempts)]
        self.clients, self.result, self.phase = clients, RushResult(), 0
        self._lock = threading.Lock()
        self._next = iter(self.jobs)
        self.threads = [threading.Thread(target=self._client, daemon=True) for _ in range(clients)]

    def _client(self) -> None:
        while True:
            with self._lock:
                job = next(self._next, None)
            if job is None:
                return
            port, (token, child_id), slot_id = job
            try:
                status, body = request(
                    port, "POST", "/api/bookings", {"slot_id": slot_id, "child_ids": [child_id], "guardians": 1}, token
                )
            except (OSError, http.client.HTTPException):
                status, body = None, {}  # killed mid-request: the outcome is unknown to the client
            with self._lock:
                if status == 201:
                    self.result.confirmed[body["id"]] = (body["code"], body["slot_id"])
                    self.result.outcomes["confirmed"] += 1
                elif status is None:
                    self.result.outcomes["lost"] += 1
                else:
                    self.result.outcomes[body.get("error", f"http_{status}")] += 1
                if status is not None:
                    self.result.answered_by_phase[self.phase] += 1

    def start(self) -> None:
        for t in self.threads:
            t.start()

    def wait_until_done(self, count: int, deadline_s: float) -> None:
        """Block until `count` attempts have finished (answered or lost)."""
        end = time.monotonic() + deadline_s
        while self.result.done < count and time.monotonic() < end:
            time.sleep(0.005)
        assert self.result.done >= count, f"only {self.result.done} of {count} attempts finished in {deadline_s} s"

    def next_phase(self) -> None:
        with self._lock:
            self.phase += 1

    def join(self, deadline_s: float) -> RushResult:
        end = time.monotonic() + deadline_s
        for t in self.threads:
            t.join(max(0.0, end - time.monotonic()))
        assert not any(t.is_alive() for t in self.threads), f"rush still running after {deadline_s} s"
        return self.result
