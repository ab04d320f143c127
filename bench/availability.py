"""Live availability benchmark (#12): GET /api/availability with 200 facility ids, as an open search page asks it.

    .venv/bin/python bench/availability.py [--facilities 2000] [--queries 300] [--db sqlite postgres]

Data: `--facilities` bookable facilities (kids cafés: 4 sessions a day of 20 places; hourly daycare: 9 one-hour
slots of 3 places) with sessions from a week ago to five weeks ahead, most of the next days' sessions partly or
fully booked, a few blocked. Each query asks for 200 random ids (a full search page). Reports p50/p95 of the
service call (app.bookings.live.live_places) and of the API request through the test client; target ≤ 10 ms p50.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchutil import ensure_pg_database, fresh_app, print_latency_table, timed  # noqa: E402
from sqlalchemy import insert, select  # noqa: E402

from app.bookings.live import live_places  # noqa: E402
from app.bookings.models import Slot  # noqa: E402
from app.extensions import db  # noqa: E402
from app.facilities.models import Facility  # noqa: E402
from app.timeutil import KST  # noqa: E402

PG_URL = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/nadeuri_bench_avail")
IDS_PER_QUERY = 200
SESSIONS = {"kids_cafe": ([10, 12, 14, 16], 120, 20), "hourly_daycare": (list(range(9, 18)), 60, 3)}


def slot_rows(facility_id: int, kind: str, today: datetime, rnd: random.Random) -> list[dict]:
    """A week back and five ahead; the nearer a session, the fuller (a third of tomorrow's are full)."""
    hours, minutes, capacity = SESSIONS[kind]
    rows = []
    for day in range(-7, 35):
        for hour in hours:
            starts = today + timedelta(days=day, hours=hour)
            demand = max(0.0, 1.0 - max(day, 0) / 10)
            booked = capacity if rnd.random() < demand / 3 else int(capacity * demand * rnd.random())
            rows.append(
                dict(
                    facility_id=facility_id,
                    starts_at=starts,
                    ends_at=starts + timedelta(minutes=minutes),
                    capacity=capacity,
                    capacity_group=0,
                    booked=booked,
                    blocked=rnd.random() < 0.02,
                )
            )
    return rows


def prepare(url: str, facilities: int, now: datetime):
    t0 = time.perf_counter()
    app = fresh_app(url, facilities * 2)  # every kind; `facilities` bookable ones get sessions
    with app.app_context():
        rows = db.session.execute(
            select(Facility.id, Facility.kind).where(Facility.kind.in_(list(SESSIONS))).limit(facilities)
        ).all()
        rnd = random.Random(12)
        today = now.replace(hour=0, minute=0, second=0, microsecond=0)
        slots = [s for fid, kind in rows for s in slot_rows(fid, kind, today, rnd)]
        for start in range(0, len(slots), 20_000):
            db.session.execute(insert(Slot), slots[start : start + 20_000])
        db.session.commit()
        db.session.remove()
        if url.startswith("postgresql"):
            with db.engine.begin() as conn:
                conn.exec_driver_sql("ANALYZE facilities; ANALYZE slots")
        else:
            raw = db.engine.raw_connection()  # a running server's steady state: the bulk load out of the WAL
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            raw.close()
        print(
            f"  {len(rows):,} facilities, {len(slots):,} sessions in {time.perf_counter() - t0:.1f} s", file=sys.stderr
        )
    return app, [fid for fid, _ in rows]


def run_backend(name: str, url: str, facilities: int, n_queries: int) -> list[tuple]:
    print(f"== {name}", file=sys.stderr)
    now = datetime.now(KST)
    app, ids = prepare(url, facilities, now)
    rnd = random.Random(11)
    queries = [rnd.sample(ids, min(IDS_PER_QUERY, len(ids))) for _ in range(n_queries)]
    rows = []
    with app.app_context():
        for q in queries[:20]:
            live_places(db.session, q, now)
        answered = [len(live_places(db.session, q, now)) for q in queries]
        service = timed(lambda q: live_places(db.session, q, now), [(q,) for q in queries])
        rows.append((name, "service (live_places)", service, statistics.mean(answered)))
        db.session.remove()
    client = app.test_client()
    urls = ["/api/availability?facility_ids=" + ",".join(map(str, q)) for q in queries]
    for u in urls[:20]:
        client.get(u)
    sizes = [len(client.get(u).data) for u in urls[:20]]
    api = timed(lambda u: client.get(u), [(u,) for u in urls])
    rows.append((name, f"API request (test client, ~{statistics.mean(sizes) / 1024:.0f} KB)", api, None))
    br = {"Accept-Encoding": "br, gzip"}  # as a browser asks: the Korean text escaped in JSON shrinks ~10x
    sizes = [len(client.get(u, headers=br).data) for u in urls[:20]]
    api = timed(lambda u: client.get(u, headers=br), [(u,) for u in urls])
    rows.append((name, f"API request, brotli (~{statistics.mean(sizes) / 1024:.1f} KB)", api, None))
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--facilities", type=int, default=2000)
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--db", nargs="+", default=["sqlite", "postgres"], choices=["sqlite", "postgres"])
    args = ap.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        if "sqlite" in args.db:
            results += run_backend("sqlite", f"sqlite:///{tmp}/bench.sqlite3", args.facilities, args.queries)
    if "postgres" in args.db and ensure_pg_database(PG_URL):
        results += run_backend("postgresql", PG_URL, args.facilities, args.queries)
    print(f"\n{IDS_PER_QUERY} ids a query, {args.queries} queries, {args.facilities:,} bookable facilities\n")
    print_latency_table(("database", "measure", "facilities answered"), results)


if __name__ == "__main__":
    main()
