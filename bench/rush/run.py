"""Booking rush: real HTTP against gunicorn, many parents racing for a few popular slots.

    .venv/bin/python bench/rush/run.py --db sqlite postgres [--attempts 2000] [--clients 64] [--workers 4] [--runs 1]
        [--pg-queue redis://127.0.0.1:6379/0]

Per database: a fresh schema (migrations), one kids café with a few popular sessions, pre-created parents,
children and API tokens; then gunicorn on 127.0.0.1 (--port, default 5103) and `--clients` threads POSTing
/api/bookings. Reports attempts/s, p50/p99 latency, outcome codes and overbooked places (must be 0),
counted in the database afterwards. Prints a Markdown table. Loopback only.

The job queue each success enqueues its notification into after the commit (printed with the table): SQLite runs
use the app's default, a SqliteHuey file (a fresh one per run, in the run's temporary directory); PostgreSQL runs use
`--pg-queue` (default Redis, as production runs with PostgreSQL; `--pg-queue sqlite` for the SQLite file instead).
The queued jobs are flushed after each run (nothing consumes them here).

Each app run is followed by the anchor on fresh data with the same server settings: `bench/rush/bare.py`, one
conditional UPDATE + INSERT per attempt (no token, no rules), also audited afterwards (`--no-anchor` skips it).
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from benchutil import ensure_pg_database, fresh_app, percentile  # noqa: E402
from sqlalchemy import func, insert, select  # noqa: E402

from app import create_app  # noqa: E402
from app.auth.models import ApiToken, Child, User  # noqa: E402
from app.bookings.models import Booking, BookingChild, Slot  # noqa: E402
from app.bookings.policy import default_policy  # noqa: E402
from app.extensions import db  # noqa: E402
from app.facilities.models import Facility  # noqa: E402
from app.jobs import make_huey  # noqa: E402
from app.timeutil import KST, utcnow  # noqa: E402

PG_URL = os.environ.get("RUSH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/nadeuri_rush")
HOST = "127.0.0.1"
BARE = "bare:create()"  # start_server's target for the anchor endpoint


def prepare(url: str, parents: int, n_slots: int, capacity: int):
    """Fresh schema and data; returns (facility id, rush slot ids, warm-up slot id, [(token, child id)])."""
    app = fresh_app(url, demo_facilities=0)
    with app.app_context():
        s = db.session
        cafe = Facility(
            kind="kids_cafe",
            source="bench",
            source_id="rush",
            source_hash="x",
            name="인기 키즈카페",
            age_min=0,
            age_max=10,
            open_days=0b1111111,
            details={},
        )
        s.add(cafe)
        s.flush()
        policy = default_policy("kids_cafe", cafe.id)
        policy.closed_on_holidays, policy.days_ahead = False, 30
        s.add(policy)
        day = (utcnow() + timedelta(days=3)).astimezone(KST).date()
        starts = [(9, 30), (13, 0), (15, 30), (17, 0), (10, 0), (14, 0)][:n_slots]
        slots = []
        for i, (hh, mm) in enumerate(starts):
            d = day + timedelta(days=i // 4)
            start = datetime(d.year, d.month, d.day, hh, mm, tzinfo=KST)
            slots.append(
                Slot(
                    facility_id=cafe.id,
                    starts_at=start,
                    ends_at=start + timedelta(hours=2),
                    capacity=capacity,
                    booked=0,
                )
            )
        warm = datetime(day.year, day.month, day.day, 10, 0, tzinfo=KST) + timedelta(days=7)
        s.add_all(
            slots
            + [Slot(facility_id=cafe.id, starts_at=warm, ends_at=warm + timedelta(hours=2), capacity=parents, booked=0)]
        )
        now, expires = utcnow(), utcnow() + timedelta(days=1)
        s.execute(
            insert(User),
            [
                dict(
                    email=f"rush{i}@example.com",
                    password_hash="x",
                    name=f"부모{i}",
                    role="parent",
                    is_locked=False,
                    created_at=now,
                )
                for i in range(parents)
            ],
        )
        user_ids = s.scalars(select(User.id).order_by(User.id)).all()
        s.execute(
            insert(Child),
            [dict(parent_id=u, name=f"아이{u}", birth_date=date(2021, 5, 1), created_at=now) for u in user_ids],
        )
        child_of = dict(s.execute(select(Child.parent_id, Child.id)).all())
        tokens = [(hashlib.sha256(f"rush-token-{u}".encode()).hexdigest(), f"rush-token-{u}", u) for u in user_ids]
        s.execute(
            insert(ApiToken), [dict(user_id=u, token_hash=h, created_at=now, expires_at=expires) for h, _, u in tokens]
        )
        s.commit()
        warm_id = s.scalar(select(Slot.id).where(Slot.starts_at == warm))
        result = cafe.id, [sl.id for sl in slots], warm_id, [(raw, child_of[u]) for _, raw, u in tokens]
        db.engine.dispose()
    return result


def start_server(
    url: str, port: int, workers: int, queue: str = "", target: str = "", **env_vars: str
) -> subprocess.Popen:
    """gunicorn with the app, or with an app `target` of this directory (BARE: the anchor endpoint of bare.py;
    ladder.py's steps, told by `env_vars`); the same settings in every case."""
    env = dict(os.environ, DATABASE_URL=url, SECRET_KEY="bench-only", QUEUE_URL=queue, **env_vars)
    app_args = ["--pythonpath", str(Path(__file__).parent), target] if target else ["app:create_app()"]
    proc = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "-w",
            str(workers),
            "-b",
            f"{HOST}:{port}",
            "--log-level",
            "warning",
            *app_args,
        ],
        cwd=ROOT,
        env=env,
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/api/openapi.json")
            if conn.getresponse().status == 200:
                return proc
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    raise RuntimeError("gunicorn did not start")


def _call(port: int, method: str, path: str, token: str, body: dict | None = None) -> tuple[int, dict]:
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    conn.request(
        method,
        path,
        json.dumps(body) if body is not None else None,
        {"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    return resp.status, json.loads(data) if data.startswith(b"{") else {}


def warm_up(port: int, facility_id: int, warm_slot: int, parents: list[tuple[str, int]], bare: bool = False) -> None:
    """Like a server that has been up a while: every worker has connected and run each statement once.

    Books and cancels a separate slot (another day, so the rush's rules are unaffected) and reads.
    The bare endpoint only books (it has nothing else).
    """
    day = (utcnow() + timedelta(days=3)).astimezone(KST).date().isoformat()
    for token, child_id in parents:
        if bare:
            _call(port, "POST", "/api/bookings", token, {"slot_id": warm_slot, "child_ids": [child_id]})
            continue
        _call(port, "GET", f"/api/facilities/{facility_id}/slots?date={day}", token)
        status, body = _call(port, "POST", "/api/bookings", token, {"slot_id": warm_slot, "child_ids": [child_id]})
        if status == 201:
            _call(port, "POST", f"/api/bookings/{body['id']}/cancel", token)
        _call(port, "POST", "/api/bookings", token, {"slot_id": warm_slot, "child_ids": [child_id], "guardians": 9})


def worker_cpu_seconds(master_pid: int) -> float:
    """User+system CPU of gunicorn's workers so far (Linux /proc); a figure other load cannot inflate."""
    try:
        children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
        ticks = sum(
            sum(int(v) for v in Path(f"/proc/{c}/stat").read_text().rsplit(")", 1)[1].split()[11:13]) for c in children
        )
    except OSError:
        return float("nan")
    return ticks / os.sysconf("SC_CLK_TCK")


def rush(port: int, slot_ids: list[int], parents: list[tuple[str, int]], attempts: int, clients: int, seed: int):
    """`clients` threads share `attempts` booking attempts; returns (seconds, latencies ms, outcome counter, phases:
    see _phases)."""
    rnd = random.Random(seed)
    plan = [(parents[i % len(parents)], rnd.choice(slot_ids)) for i in range(attempts)]
    rnd.shuffle(plan)
    lock, latencies, outcomes, cursor, timeline = threading.Lock(), [], Counter(), iter(plan), []

    def client():
        while True:
            with lock:
                job = next(cursor, None)
            if job is None:
                return
            (token, child_id), slot_id = job
            body = json.dumps({"slot_id": slot_id, "child_ids": [child_id], "guardians": 1})
            t0 = time.perf_counter()
            conn = http.client.HTTPConnection(HOST, port, timeout=30)
            conn.request(
                "POST", "/api/bookings", body, {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
            )
            resp = conn.getresponse()
            data = resp.read()
            conn.close()
            done = time.perf_counter()
            elapsed = (done - t0) * 1000
            code = "confirmed" if resp.status == 201 else json.loads(data).get("error", f"http_{resp.status}")
            with lock:
                latencies.append(elapsed)
                outcomes[code] += 1
                timeline.append((done, elapsed, code))

    threads = [threading.Thread(target=client) for _ in range(clients)]
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    print(f"  client CPU {time.process_time() - cpu0:.1f} s over {wall:.1f} s", file=sys.stderr)
    return wall, latencies, outcomes, _phases(t0, sorted(timeline), outcomes["confirmed"])


def _ceilings(app: dict, bare: dict, bare_seconds: float) -> tuple[str, str]:
    """The app's share of the bare endpoint's attempts/s had one of its two phases cost what bare's does: (its
    refusals after the filling phase at bare's rate after its own, its filling phase as long as bare's). "-" when a
    phase is missing."""
    if not app or not bare or not bare["after"][1]:  # _phases gives both phases, or none without a booking
        return "-", "-"
    (_, app_fill_s), (app_after_n, app_after_s) = app["filling"], app["after"]
    (_, bare_fill_s), (bare_after_n, bare_after_s) = bare["filling"], bare["after"]
    refusals_as_bare = bare_seconds / (app_fill_s + app_after_n * bare_after_s / bare_after_n)
    filling_as_bare = bare_seconds / (bare_fill_s + app_after_s)
    return f"{refusals_as_bare:.0%}", f"{filling_as_bare:.0%}"


def _phases(t0: float, timeline: list[tuple[float, float, str]], confirmed: int) -> dict[str, tuple[int, float]]:
    """Where the time goes: the filling phase (until the last confirmed place) against the refusals after it.
    Printed, and returned as {"filling": (attempts, seconds), "after": (attempts, seconds)} ({} without a booking)."""
    if not confirmed:
        return {}
    last = max(i for i, (_, _, code) in enumerate(timeline) if code == "confirmed")
    fill, rest = timeline[: last + 1], timeline[last + 1 :]
    fill_s = fill[-1][0] - t0
    rest_s = (timeline[-1][0] - fill[-1][0]) if rest else 0.0
    phases = {}
    for name, part, seconds in (("filling", fill, fill_s), ("after", rest, rest_s)):
        phases[name] = (len(part), seconds)
        if part:
            lat = [ms for _, ms, _ in part]
            print(
                f"  {name}: {len(part)} attempts in {seconds:.1f} s ({len(part) / max(seconds, 1e-9):.0f}/s), "
                f"p50 {percentile(lat, 50):.0f} ms, p99 {percentile(lat, 99):.0f} ms",
                file=sys.stderr,
            )
    return phases


def audit(url: str, slot_ids: list[int], bare: bool = False) -> tuple[int, int, int]:
    """(overbooked places, counter mismatches, confirmed places) counted from the rows themselves.

    The app's places are its active booking_children rows; the bare endpoint's are its booking rows."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "MAP_TILE_URL": ""})
    with app.app_context():
        over = mismatch = placed = 0
        for slot in db.session.scalars(select(Slot).where(Slot.id.in_(slot_ids))):
            rows = (
                select(func.count()).select_from(Booking).where(Booking.slot_id == slot.id)
                if bare
                else select(func.count())
                .select_from(BookingChild)
                .where(BookingChild.slot_id == slot.id, BookingChild.active)
            )
            active = db.session.scalar(rows)
            over += max(0, active - slot.capacity)
            mismatch += active != slot.booked
            placed += active
        db.engine.dispose()
    return over, mismatch, placed


def measure(url: str, args, bare: bool, queue: str) -> tuple:
    """One rush on fresh data against the app (or the bare endpoint): the table row's figures."""
    facility_id, slot_ids, warm_slot, parents = prepare(url, args.parents, args.slots, args.capacity)
    server = start_server(url, args.port, args.workers, queue, BARE if bare else "")
    try:
        warm_up(args.port, facility_id, warm_slot, parents[:40], bare)
        cpu0 = worker_cpu_seconds(server.pid)
        seconds, lat, outcomes, phases = rush(args.port, slot_ids, parents, args.attempts, args.clients, seed=2)
        cpu_ms = (worker_cpu_seconds(server.pid) - cpu0) * 1000 / len(lat)
    finally:
        server.terminate()
        server.wait(timeout=30)
        make_huey(queue, tempfile.gettempdir()).flush()  # the enqueued notifications: nobody consumes them here
    over, mismatch, placed = audit(url, slot_ids, bare)
    return seconds, lat, outcomes, over, mismatch, placed, cpu_ms, phases


def rush_arguments(description: str, port: int) -> argparse.ArgumentParser:
    """The options every rush benchmark takes: databases, attempts, clients, workers, parents, port."""
    ap = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", nargs="+", choices=["sqlite", "postgres"], default=["sqlite", "postgres"])
    ap.add_argument("--attempts", type=int, default=2000)
    ap.add_argument("--clients", type=int, default=64)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--parents", type=int, default=600)
    ap.add_argument("--port", type=int, default=int(os.environ.get("RUSH_PORT", port)))
    return ap


def main() -> None:
    ap = rush_arguments(__doc__, 5103)
    ap.add_argument("--slots", type=int, default=4)
    ap.add_argument("--capacity", type=int, default=40)
    ap.add_argument("--runs", type=int, default=1, help="app + anchor pairs per database")
    ap.add_argument("--no-anchor", dest="anchor", action="store_false", help="skip the bare endpoint")
    ap.add_argument(
        "--pg-queue",
        default="redis://127.0.0.1:6379/0",
        help="QUEUE_URL of the PostgreSQL runs ('sqlite': the app's default SQLite file, as the SQLite runs)",
    )
    args = ap.parse_args()
    rows, bad, queues = [], False, {}
    with tempfile.TemporaryDirectory(prefix="nadeuri-rush-") as tmp:
        for name in args.db:
            if name == "postgres" and not ensure_pg_database(PG_URL):
                continue
            url = f"sqlite:///{tmp}/rush.sqlite3" if name == "sqlite" else PG_URL
            queue = (
                args.pg_queue if name == "postgres" and args.pg_queue != "sqlite" else f"sqlite:///{tmp}/queue.sqlite3"
            )
            queues[name] = queue
            for run in range(args.runs):
                app_rate, app_phases = None, None
                for bare in (False, True) if args.anchor else (False,):
                    if name == "sqlite":
                        for suffix in ("", "-wal", "-shm"):
                            Path(f"{tmp}/rush.sqlite3{suffix}").unlink(missing_ok=True)
                    seconds, lat, outcomes, over, mismatch, placed, cpu_ms, phases = measure(url, args, bare, queue)
                    fill_n, fill_s = phases.get("filling", (0, 0.0))
                    after_n, after_s = phases.get("after", (0, 0.0))
                    rate = len(lat) / seconds
                    if bare and app_rate is not None:
                        rows[-1] = (*rows[-1][:-3], f"{app_rate / rate:.0%}", *_ceilings(app_phases, phases, seconds))
                    app_rate, app_phases = rate, phases
                    other = {k: v for k, v in outcomes.items() if k not in ("confirmed", "slot_full")}
                    other_text = ", ".join(f"{k} {v}" for k, v in sorted(other.items())) or "-"
                    bad |= bool(over or mismatch or outcomes["confirmed"] != placed)
                    rows.append(
                        (
                            name,
                            "bare UPDATE + INSERT" if bare else "app",
                            run + 1,
                            len(lat),
                            f"{seconds:.1f}",
                            f"{rate:.0f}",
                            f"{percentile(lat, 50):.0f}",
                            f"{percentile(lat, 99):.0f}",
                            f"{outcomes['confirmed']} / {args.slots * args.capacity}",
                            outcomes["slot_full"],
                            other_text,
                            over,
                            mismatch,
                            f"{cpu_ms:.1f}",
                            f"{fill_s:.2f}" if fill_n else "-",
                            f"{after_n / after_s:.0f}" if after_n and after_s else "-",
                            "",
                            "",
                            "",
                        )
                    )
    print(
        f"\n{args.attempts} attempts, {args.clients} clients, gunicorn -w {args.workers} (sync), "
        f"{args.slots} slots x {args.capacity} places, {args.parents} parents; job queue: "
        + ", ".join(
            f"{name} → " + ("SqliteHuey file" if queue.startswith("sqlite") else queue)
            for name, queue in queues.items()
        )
        + "\n"
    )
    print(
        "| db | server | run | attempts | s | attempts/s | p50 ms | p99 ms | confirmed / places | slot_full "
        "| other refusals | overbooked | counter≠rows | app CPU ms/attempt | filling s | after /s "
        "| app ÷ bare attempts/s | refusals as bare's | filling as bare's |"
    )
    print("|---" * 19 + "|")
    for r in rows:
        print("| " + " | ".join(str(v) for v in r) + " |")
    print("\napp CPU = gunicorn workers' CPU time per attempt (2 cores / that = the app's ceiling on this machine)")
    print("filling s = until the last place was taken; after /s = the refusals' rate after it")
    print(
        "refusals / filling as bare's = the app's share of bare's attempts/s had its refusals after the filling "
        "phase cost what bare's do / had its filling phase lasted as long as bare's (the other phase as measured)"
    )
    if bad:
        sys.exit("OVERBOOKED or counter mismatch")


if __name__ == "__main__":
    main()
