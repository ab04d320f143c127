"""Finder benchmark: a 1 km search for the 50 nearest of one kind among 100,000 facilities.

    .venv/bin/python bench/search.py [--count 100000] [--queries 300] [--db sqlite postgres]

Per database it reports p50/p95 of the service call and of the API request, the same queries as a full scan (no
spatial index), and on PostgreSQL the plain PostGIS way (ST_DWithin + GiST, ORDER BY <->). Also the time to import
the staged real data (NADEURI_DATA_DIR) when the folder exists. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchutil import ensure_pg_database, fresh_app, percentile, print_latency_table, timed  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import text  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.facilities import services  # noqa: E402
from app.geo import spatial  # noqa: E402
from app.geo.districts import bundled_index  # noqa: E402

PG_URL = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/nadeuri_bench")
KINDS = ["kids_cafe", "hourly_daycare", "kids_ok_zone", "family_restroom"]


def query_points(n: int, seed: int) -> list[tuple[float, float, str]]:
    rnd, index, pts = random.Random(seed), bundled_index(), []
    while len(pts) < n:
        lat, lon = rnd.uniform(37.43, 37.70), rnd.uniform(126.77, 127.18)
        if index.in_seoul(lat, lon):
            pts.append((lat, lon, rnd.choice(KINDS)))
    return pts


def full_scan(conn, q):
    """What the service would do without a spatial index: every row of the kind, exact distance, sort."""
    rows = conn.execute(*services.filtered(q)).all()
    found = [(spatial.haversine_m(q.lat, q.lon, r.lat, r.lon), r) for r in rows]
    found = sorted((d, r.id) for d, r in found if d <= q.radius_m)
    return found[q.offset : q.offset + q.limit], len(found)


POSTGIS_SQL = text("""
    SELECT id, ST_Distance(geog, pt, false) AS d, count(*) OVER () AS total
    FROM facilities, (SELECT ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography AS pt) p
    WHERE kind = :kind AND ST_DWithin(geog, pt, :r, false)
    ORDER BY geog <-> pt LIMIT :limit
""")


def prepare(url: str, count: int):
    t0 = time.perf_counter()
    app = fresh_app(url, count)
    with app.app_context():
        db.session.remove()
        if url.startswith("postgresql"):
            with db.engine.begin() as conn:
                conn.exec_driver_sql("ANALYZE facilities")
        else:
            # Steady state of a running server: the bulk load moved out of the WAL into the database file.
            raw = db.engine.raw_connection()
            busy, _, _ = raw.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            raw.close()
            assert busy == 0, "checkpoint blocked"
        print(f"  prepared {count:,} facilities in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return app


def run_backend(name: str, url: str, count: int, n_queries: int) -> list[tuple]:
    print(f"== {name}", file=sys.stderr)
    app = prepare(url, count)
    pts = query_points(n_queries, seed=11)
    rows = []
    with app.app_context():
        conn = db.session.connection()
        qs = [services.SearchQuery(lat=a, lon=b, radius_m=1000, kinds=[k], limit=50) for a, b, k in pts]
        for q in qs[:20]:
            services.search(conn, q)
        svc = timed(lambda q: services.search(conn, q), [(q,) for q in qs])
        totals = [services.search(conn, q).total for q in qs]
        scan = timed(lambda q: full_scan(conn, q), [(q,) for q in qs])
        rows.append((name, "service (indexed)", svc, statistics.mean(totals)))
        rows.append((name, "full scan", scan, None))
        if name == "postgresql":
            pg = timed(
                lambda q: conn.execute(
                    POSTGIS_SQL, dict(lat=q.lat, lon=q.lon, kind=q.kinds[0], r=1000, limit=50)
                ).all(),
                [(q,) for q in qs],
            )
            rows.append((name, "PostGIS ST_DWithin + GiST (SQL only)", pg, None))
        db.session.rollback()
    client = app.test_client()
    params = [dict(lat=a, lon=b, radius_m=1000, kind=k, limit=50) for a, b, k in pts]
    for p in params[:20]:
        client.get("/api/facilities", query_string=p)
    api = timed(lambda p: client.get("/api/facilities", query_string=p), [(p,) for p in params])
    rows.append((name, "API request (test client)", api, None))
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    return rows


def import_time(url: str, data_dir: str) -> float | None:
    from app.imports.service import import_directory
    from app.timeutil import utcnow

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        if url.startswith("postgresql"):
            with db.engine.begin() as conn:
                conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        upgrade()
        t0 = time.perf_counter()
        import_directory(db.session, Path(data_dir), now=utcnow())
        db.session.commit()
        elapsed = time.perf_counter() - t0
        db.session.remove()
        db.engine.dispose()
    return elapsed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--db", nargs="+", default=["sqlite", "postgres"], choices=["sqlite", "postgres"])
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="nadeuri-bench-")
    backends = []
    if "sqlite" in args.db:
        backends.append(("sqlite", f"sqlite:///{tmp}/bench.sqlite3"))
    if "postgres" in args.db and ensure_pg_database(PG_URL):
        backends.append(("postgresql", PG_URL))
    results = []
    for name, url in backends:
        results += run_backend(name, url, args.count, args.queries)

    print(f"\n{args.count:,} facilities, {args.queries} queries: 1 km radius, one kind, 50 nearest\n")
    print_latency_table(("database", "method", "mean results in radius"), results)
    by = {(n, m): percentile(t, 50) for n, m, t, _ in results}
    for name, _ in backends:
        print(
            f"\n{name}: full scan / indexed service p50 = "
            f"{by[(name, 'full scan')] / by[(name, 'service (indexed)')]:.0f}x"
        )
    if ("postgresql", "service (indexed)") in by:
        print(
            f"SQLite service p50 / PostGIS service p50 = "
            f"{by[('sqlite', 'service (indexed)')] / by[('postgresql', 'service (indexed)')]:.2f}"
        )

    data_dir = os.environ.get("NADEURI_DATA_DIR", str(Path(__file__).resolve().parents[2] / "shared" / "geodata"))
    if Path(data_dir).is_dir():
        print("\n| import of staged real data | seconds |\n| --- | ---: |")
        for name, url in backends:
            if name == "sqlite":
                url = f"sqlite:///{tmp}/import.sqlite3"
            print(f"| {name} | {import_time(url, data_dir):.1f} |")


if __name__ == "__main__":
    main()
