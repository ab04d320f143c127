"""Finder benchmark: a 1 km search for the 50 nearest of one kind among 100,000 facilities, even and crowded.

    .venv/bin/python bench/search.py [--count 100000] [--queries 300] [--db sqlite postgres] [--data even crowded]

Two data sets of demo facilities (four kinds, drawn at random):
- even: spread over Seoul by district area (about 126 of the asked kind within 1 km); queries at random points;
- crowded: clusters (sigma 150-350 m) around 20 district centroids, 5,000 points each (about 1,200 of the asked
  kind within 1 km); queries within 100 m of those centroids.

Per data set and database: p50/p95 of the service call (`app.facilities.services.search`) and of the API request
(`GET /api/facilities` through the Flask test client); on PostgreSQL also plain PostGIS SQL (ST_DWithin + GiST,
ORDER BY geog <-> point LIMIT 50, the exact total as a window count). Anchors from the same run, on the same points
and queries: shapely STRtree nearest-50-within-1km (the limit) and a numpy full scan of all points (the floor).
Prints Markdown tables.
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

import numpy as np  # noqa: E402
import shapely  # noqa: E402
from benchutil import ensure_pg_database, fresh_app, percentile, print_latency_table, timed  # noqa: E402
from sqlalchemy import text  # noqa: E402

from app.extensions import db  # noqa: E402
from app.facilities import services  # noqa: E402
from app.geo import spatial  # noqa: E402
from app.geo.districts import BUNDLED_DISTRICTS, bundled_index, read_district_features  # noqa: E402
from app.imports.demo import insert_demo  # noqa: E402

PG_URL = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/nadeuri_bench")
KINDS = ["kids_cafe", "hourly_daycare", "kids_ok_zone", "family_restroom"]
RADIUS_M, LIMIT = 1000, 50
CROWDED_PLACES = 20


def places() -> list[tuple[float, float]]:
    """Real places: the centroids of the first 20 districts (by code) of the bundled boundaries."""
    features = sorted(read_district_features(BUNDLED_DISTRICTS), key=lambda f: f["code"])[:CROWDED_PLACES]
    return [(f["geometry"].centroid.y, f["geometry"].centroid.x) for f in features]


def crowded_points(count: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """count points in Gaussian clusters of 150-350 m around the places (lat, lon arrays, 6 decimals)."""
    rng = np.random.default_rng(seed)
    centres = places()
    per = np.full(len(centres), count // len(centres))
    per[: count - per.sum()] += 1
    lats, lons = [], []
    for (lat, lon), n in zip(centres, per):
        sigma = rng.uniform(150, 350)
        lats.append(lat + rng.normal(0, sigma, n) / spatial.METRES_PER_DEGREE_LAT)
        lons.append(lon + rng.normal(0, sigma, n) / (spatial.METRES_PER_DEGREE_LAT * np.cos(np.radians(lat))))
    return np.round(np.concatenate(lats), 6), np.round(np.concatenate(lons), 6)


def even_queries(n: int, seed: int) -> list[tuple[float, float, str]]:
    rnd, index, pts = random.Random(seed), bundled_index(), []
    while len(pts) < n:
        lat, lon = rnd.uniform(37.43, 37.70), rnd.uniform(126.77, 127.18)
        if index.in_seoul(lat, lon):
            pts.append((lat, lon, rnd.choice(KINDS)))
    return pts


def crowded_queries(n: int, seed: int) -> list[tuple[float, float, str]]:
    rnd, centres, pts = random.Random(seed), places(), []
    for i in range(n):
        lat, lon = centres[i % len(centres)]
        dlat, dlon = rnd.uniform(-70, 70) / spatial.METRES_PER_DEGREE_LAT, rnd.uniform(-70, 70) / 88_000
        pts.append((round(lat + dlat, 6), round(lon + dlon, 6), rnd.choice(KINDS)))
    return pts


POSTGIS_SQL = text("""
    SELECT id, ST_Distance(geog, pt, false) AS d, count(*) OVER () AS total
    FROM facilities, (SELECT ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography AS pt) p
    WHERE kind = :kind AND ST_DWithin(geog, pt, :r, false)
    ORDER BY geog <-> pt LIMIT :limit
""")


class Anchors:
    """The same queries without a database: shapely STRtree (the limit) and a numpy scan of every point (the floor).

    Points are projected to metres around Seoul (equirectangular), one STRtree per kind.
    """

    def __init__(self, ids, kinds, lats, lons):
        self.ids, self.kinds = np.asarray(ids), np.asarray(kinds)
        self.lat, self.lon = np.asarray(lats, dtype=float), np.asarray(lons, dtype=float)
        self.rlat, self.rlon = np.radians(self.lat), np.radians(self.lon)
        self.cos0 = np.cos(np.radians(37.55))
        x, y = self._xy(self.lat, self.lon)
        self.trees = {}
        for kind in KINDS:
            sel = np.flatnonzero(self.kinds == kind)
            self.trees[kind] = (shapely.STRtree(shapely.points(x[sel], y[sel])), sel, x[sel], y[sel])

    def _xy(self, lat, lon):
        return np.asarray(lon) * spatial.METRES_PER_DEGREE_LAT * self.cos0, np.asarray(lat) * (
            spatial.METRES_PER_DEGREE_LAT
        )

    def strtree(self, lat, lon, kind):
        tree, sel, x, y = self.trees[kind]
        px, py = self._xy(lat, lon)
        hit = tree.query(shapely.Point(px, py), predicate="dwithin", distance=RADIUS_M)
        d = np.hypot(x[hit] - px, y[hit] - py)
        top = np.argpartition(d, LIMIT)[:LIMIT] if len(d) > LIMIT else np.arange(len(d))
        top = top[np.argsort(d[top], kind="stable")]
        return self.ids[sel[hit[top]]], len(hit)

    def numpy_scan(self, lat, lon, kind):
        p1, l1 = np.radians(lat), np.radians(lon)
        a = np.sin((self.rlat - p1) / 2) ** 2 + np.cos(p1) * np.cos(self.rlat) * np.sin((self.rlon - l1) / 2) ** 2
        d = 2 * spatial.EARTH_RADIUS_M * np.arcsin(np.sqrt(a))
        hit = np.flatnonzero((d <= RADIUS_M) & (self.kinds == kind))
        dh = d[hit]
        top = np.argpartition(dh, LIMIT)[:LIMIT] if len(dh) > LIMIT else np.arange(len(dh))
        top = top[np.lexsort((self.ids[hit[top]], dh[top]))]
        return self.ids[hit[top]], len(hit)


def prepare(url: str, points):
    t0 = time.perf_counter()
    app = fresh_app(url, 0)
    with app.app_context():
        count = insert_demo(db.session, len(points[0]), seed=7, points=points)
        db.session.commit()
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


def run_backend(name: str, url: str, points, pts) -> tuple[list[tuple], Anchors | None]:
    print(f"== {name}", file=sys.stderr)
    app = prepare(url, points)
    rows, anchors = [], None
    with app.app_context():
        conn = db.session.connection()
        qs = [services.SearchQuery(lat=a, lon=b, radius_m=RADIUS_M, kinds=[k], limit=LIMIT) for a, b, k in pts]
        for q in qs[:20]:
            services.search(conn, q)
        svc = timed(lambda q: services.search(conn, q), [(q,) for q in qs])
        totals = [services.search(conn, q).total for q in qs]
        rows.append((name, "service", svc, statistics.mean(totals)))
        restroom = [q.kinds == ["family_restroom"] for q in qs]
        rows.append((name, "service, restroom queries", [t for t, r in zip(svc, restroom) if r], None))
        rows.append((name, "service, other kinds", [t for t, r in zip(svc, restroom) if not r], None))
        if name == "postgresql":
            pg = timed(
                lambda q: conn.execute(
                    POSTGIS_SQL, dict(lat=q.lat, lon=q.lon, kind=q.kinds[0], r=RADIUS_M, limit=LIMIT)
                ).all(),
                [(q,) for q in qs],
            )
            rows.append((name, "plain PostGIS SQL (ST_DWithin, <-> LIMIT 50, window count)", pg, None))
        else:
            all_rows = conn.exec_driver_sql("SELECT id, kind, lat, lon FROM facilities WHERE lat IS NOT NULL").all()
            anchors = Anchors(*zip(*all_rows))
            for q, total in zip(qs[:50], totals):
                ids, n = anchors.numpy_scan(q.lat, q.lon, q.kinds[0])
                assert n == total, (n, total)
                assert list(ids) == [i["id"] for i in services.search(conn, q).items], "service != numpy scan"
        db.session.rollback()
    client = app.test_client()
    params = [dict(lat=a, lon=b, radius_m=RADIUS_M, kind=k, limit=LIMIT) for a, b, k in pts]
    for p in params[:20]:
        client.get("/api/facilities", query_string=p)
    api = timed(lambda p: client.get("/api/facilities", query_string=p), [(p,) for p in params])
    rows.append((name, "API request (test client)", api, None))
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    return rows, anchors


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--db", nargs="+", default=["sqlite", "postgres"], choices=["sqlite", "postgres"])
    ap.add_argument("--data", nargs="+", default=["even", "crowded"], choices=["even", "crowded"])
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="nadeuri-bench-")
    backends = [("sqlite", f"sqlite:///{tmp}/bench.sqlite3")]  # always: the anchors read their points from it
    if "postgres" in args.db and ensure_pg_database(PG_URL):
        backends.append(("postgresql", PG_URL))
    for data in args.data:
        if data == "even":
            from app.imports.demo import random_points

            rng = np.random.default_rng(7)
            lats, lons, _ = random_points(read_district_features(BUNDLED_DISTRICTS), args.count, rng)
            points, pts = (lats, lons), even_queries(args.queries, seed=11)
        else:
            points, pts = crowded_points(args.count, seed=13), crowded_queries(args.queries, seed=17)
        results, anchors = [], None
        for name, url in backends:
            got, found = run_backend(name, url, points, pts)
            anchors = anchors or found
            if name == "sqlite" and "sqlite" not in args.db:
                continue
            results += got
        for a, b, k in pts[:20]:
            anchors.strtree(a, b, k)
        results.append(("anchor", "shapely STRtree nearest-50 within 1 km", timed(anchors.strtree, pts), None))
        results.append(("anchor", "numpy full scan of all points", timed(anchors.numpy_scan, pts), None))
        print(f"\n{data}: {args.count:,} facilities, {args.queries} queries: 1 km radius, one kind, 50 nearest\n")
        print_latency_table(("database", "method", "mean total in radius"), results)
        by = {(n, m): percentile(t, 50) for n, m, t, _ in results}
        pg_sql = [v for (n, m), v in by.items() if m.startswith("plain PostGIS")]
        if ("postgresql", "service") in by and pg_sql:
            print(f"\nPostgreSQL service p50 / plain PostGIS SQL p50 = {by[('postgresql', 'service')] / pg_sql[0]:.2f}")


if __name__ == "__main__":
    main()
