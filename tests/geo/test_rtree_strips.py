"""SQLite: the search counts the circle in strips (spatial._strip_pieces), most of them without reading an entry.

The pieces must cut the box around the circle into parts that do not overlap and leave no gap (half-open, on the
entries' float32 corners), and the counted ones must lie certainly inside. Checked here on the layout itself, on
the SQL against a model of the stored corners (entries planted on every boundary and either side of it), and end
to end against the full path after random inserts, moves and deletes.
"""

import json
import math
import random
import re

import numpy as np
import pytest
from sqlalchemy import insert, text

from app.facilities import services
from app.facilities.models import Facility
from app.geo import spatial
from app.timeutil import utcnow
from tests.support import app_in_context

CENTRE = (37.4979, 127.0276)
KINDS = list(spatial.KIND_BANDS)


@pytest.fixture
def app():
    """SQLite whatever TEST_DATABASE_URL names (the R*Tree is SQLite's), so these run in both CI passes."""
    with app_in_context("sqlite://") as app:
        yield app


def f32_neighbours(value: float) -> list[float]:
    """The float32 numbers next to `value` (the value itself when it is one), as the R*Tree stores corners."""
    f = np.float32(value)
    return sorted({float(np.nextafter(f, np.float32(-1e9))), float(f), float(np.nextafter(f, np.float32(1e9)))})


def test_pieces_cut_the_box_without_overlap_or_gap_and_counted_lie_inside():
    rnd = random.Random(3)
    for inner, radius in [(0.0, 3.0), (996.0, 1000.0), (4.0, 5.0), (49_900.0, 50_000.0), (1000.0, 1000.0)]:
        outer = radius * 1.004 + 3
        ys, xs, counted, read, square = spatial._strip_pieces(inner, outer, radius)
        counted, read, square = ([(ys[a], ys[b], xs[c], xs[d]) for a, b, c, d in p] for p in (counted, read, [square]))
        pieces = counted + read + square
        for y0, y1, x0, x1 in counted + square:
            assert max(abs(y0), abs(y1)) ** 2 + max(abs(x0), abs(x1)) ** 2 <= inner * inner
        edge = outer * (1 + 1e-9)
        probes = [(rnd.uniform(-edge, edge), rnd.uniform(-edge, edge)) for _ in range(3000)]
        probes += [(y, x) for y in ys for x in xs]  # every corner of every piece: the half-open rule decides
        for y, x in probes:
            if -edge <= y < edge and -edge <= x < edge:
                assert sum(y0 <= y < y1 and x0 <= x < x1 for y0, y1, x0, x1 in pieces) == 1, (y, x)


def stored_corners(conn) -> list[tuple[int, float, float]]:
    return conn.exec_driver_sql("SELECT id, min_lat, min_lon FROM facility_rtree").all()


def model(conn, lat, lon, radius_m, kinds):
    """inside and ring as the single pass over the whole box counted them: by each stored corner's q."""
    bounds = spatial._rtree_bounds(lat, radius_m, spatial.bbox_around(lat, lon, radius_m), kinds)
    inner = max(0.0, (radius_m - bounds.abs_m) / (1 + bounds.rel))
    in2, out2 = inner * inner, bounds.reach(radius_m) ** 2
    scales = spatial.planar_scales(lat)
    la = {lat + spatial.BANDS[k] * spatial.KIND_BAND_DEG for k in kinds}
    inside, ring = 0, set()
    for fid, y, x in stored_corners(conn):
        for a in la:
            if abs(y - a) < 1:
                q = (y - a) * (y - a) * scales["ky2"] + (x - lon) * (x - lon) * scales["kx2"]
                inside += q <= in2
                if in2 < q <= out2:
                    ring.add(fid)
    return inside, ring


def add_rows(db, points: list[tuple[float, float, str]], twins: bool = False) -> None:
    """Facilities at `points`; with `twins`, names and addresses repeat (restrooms listed two or three times)."""
    now, start = utcnow(), db.session.execute(text("SELECT coalesce(max(id), 0) FROM facilities")).scalar()
    rows = [
        dict(kind=k, source="test", source_id=f"s{start + i}", source_hash="x", details={})
        | dict(name=f"시설 {(start + i) % 1200 if twins else start + i}", address="역 앞" if twins else None)
        | dict(lat=lat, lon=lon, created_at=now, updated_at=now)
        for i, (lat, lon, k) in enumerate(points)
    ]
    db.session.execute(insert(Facility.__table__), rows)
    db.session.commit()


def test_entries_on_every_boundary_are_counted_once(db):
    """Corners planted on each boundary of the pieces and one float32 step either side: the strips' count and ring
    equal a pass over every stored corner."""
    rnd, points = random.Random(4), []
    queries = [(CENTRE[0], CENTRE[1], r, k) for r in (1000, 120, 20_000) for k in (("kids_cafe",), tuple(KINDS))]
    for lat, lon, radius, kinds in queries:
        bounds = spatial._rtree_bounds(lat, radius, spatial.bbox_around(lat, lon, radius), kinds)
        inner = max(0.0, (radius - bounds.abs_m) / (1 + bounds.rel))
        params = spatial._strip_params(lat, lon, inner, bounds.reach(radius), radius, kinds)
        xs = [v for name, v in params.items() if re.fullmatch(r"x\d+", name)]
        for kind in kinds:
            shift = spatial.BANDS[kind] * spatial.KIND_BAND_DEG
            b = spatial.BANDS[kind]
            ys = [v for name, v in params.items() if re.fullmatch(rf"y\d+_{b}", name)]
            for y in rnd.sample(ys, min(len(ys), 12)):
                for x in rnd.sample(xs, min(len(xs), 12)):
                    # lat + shift, computed in SQL, is then exactly the float32 corner.
                    points += [(fy - shift, fx, kind) for fy in f32_neighbours(y) for fx in f32_neighbours(x)]
    add_rows(db, points)
    conn = db.session.connection()
    for lat, lon, radius, kinds in queries:
        found = spatial.rtree_candidates(conn, lat, lon, radius, kinds, 50)
        inside, ring = model(conn, lat, lon, radius, kinds)
        assert (found.inside, set(found.ring)) == (inside, ring), (radius, kinds)


def test_a_float32_layout_counts_every_entry_once(db):
    """The same pieces with every boundary rounded to float32, so corners lie exactly on them: each entry of the
    box is counted or read once (the SQL's >= and < agree with the layout's half-open rule)."""
    rnd = random.Random(6)
    lat, lon, radius, kinds = *CENTRE, 1000.0, ("kids_cafe",)
    params = spatial._strip_params(lat, lon, 990.0, 1010.0, radius, kinds)
    boundary = re.compile(r"([xy])\d+(_\d+)?")
    for name, value in list(params.items()):
        if boundary.fullmatch(name):
            params[name] = float(np.float32(value))
    ys = sorted({v for k, v in params.items() if (m := boundary.fullmatch(k)) and m[1] == "y"})
    xs = sorted({v for k, v in params.items() if (m := boundary.fullmatch(k)) and m[1] == "x"})
    points = [(y, x) for y in ys for x in xs]
    points += [(rnd.uniform(ys[0], ys[-1]), rnd.uniform(xs[0], xs[-1])) for _ in range(500)]
    points = [(float(np.float32(y)), float(np.float32(x))) for y, x in points]  # stored as they are
    add_rows(db, [(y, x, "kids_cafe") for y, x in points])
    conn = db.session.connection()
    # in2 below every q and out2 above: every entry read lands in the ring, once.
    statement, looser = spatial._strips_sql(kinds), {"in2": -1.0, "out2": 1e30}
    counted, ring, square = spatial._run(conn, statement, {**params, **looser})[0]
    in_box = conn.exec_driver_sql(
        "SELECT count(*) FROM facility_rtree WHERE min_lat >= ? AND min_lat < ? AND min_lon >= ? AND min_lon < ?",
        (ys[0], ys[-1], xs[0], xs[-1]),
    ).scalar()
    ring = json.loads(ring)
    assert square > 0 and counted > 0 and len(ring) == len(set(ring)) > 0
    on_far_edges = sum(y == ys[-1] or x == xs[-1] for y, x in points)  # outside the half-open box
    assert counted + square + len(ring) == in_box == len(points) - on_far_edges


def full_path(conn, q: services.SearchQuery) -> tuple[int, list]:
    rows = spatial.nearby_rows(conn, *services.filtered(q, conn.dialect.name), q.lat, q.lon, q.radius_m)
    rows = services._one_per_restroom(rows)
    return len(rows), [(round(d, 1), r.id) for d, r in rows[q.offset : q.offset + q.limit]]


def test_search_equals_the_full_path_through_random_changes(db):
    rnd = random.Random(12)
    kx = spatial.METRES_PER_DEGREE * math.cos(math.radians(CENTRE[0]))

    def near() -> tuple[float, float]:
        return CENTRE[0] + rnd.gauss(0, 250) / spatial.METRES_PER_DEGREE, CENTRE[1] + rnd.gauss(0, 250) / kx

    add_rows(db, [(*near(), rnd.choice(KINDS)) for _ in range(2500)], twins=True)
    for step in range(12):
        conn = db.session.connection()
        ids = [i for (i,) in conn.execute(text("SELECT id FROM facilities"))]
        gone = rnd.sample(ids, 40)
        conn.execute(
            text("DELETE FROM facilities WHERE id IN (SELECT value FROM json_each(:ids))"), {"ids": json.dumps(gone)}
        )
        for fid in rnd.sample(sorted(set(ids) - set(gone)), 60):
            lat, lon = near()
            conn.execute(
                text("UPDATE facilities SET lat = :a, lon = :o, kind = :k WHERE id = :i"),
                {"a": lat, "o": lon, "k": rnd.choice(KINDS), "i": fid},
            )
        add_rows(db, [(*near(), rnd.choice(KINDS)) for _ in range(40)], twins=True)
        conn = db.session.connection()
        for radius in (30, 400, 1000, 3000):
            lat, lon = near()
            kinds = rnd.choice([[k] for k in KINDS] + [[], ["kids_cafe", "family_restroom"]])
            q = services.SearchQuery(lat=lat, lon=lon, radius_m=radius, kinds=kinds, offset=rnd.choice([0, 30]))
            got = services.search(conn, q)
            total, page = full_path(conn, q)
            assert got.total == total, (step, radius, kinds)
            assert [(i["distance_m"], i["id"]) for i in got.items] == page, (step, radius, kinds)


@pytest.mark.parametrize("radius", [1, 2, 5, 10, 20])
def test_a_circle_of_a_few_metres_is_answered(db, radius, monkeypatch):
    """Within the R*Tree's float32 rounding (a few metres, more in the higher kinds' bands) nothing is certainly
    inside: no centre square, and the page box must still grow to the radius (it once stayed at 0 and doubled to 0
    for ever: a request that never ended)."""
    add_rows(db, [(CENTRE[0] + i * 1e-6, CENTRE[1] + i * 1e-6, KINDS[i % len(KINDS)]) for i in range(-40, 40)])
    conn = db.session.connection()
    real_run, reads = spatial._run, []

    def run(connection, statement, params):
        reads.append(statement)
        assert len(reads) < 20, "the page box does not grow"
        return real_run(connection, statement, params)

    monkeypatch.setattr(spatial, "_run", run)
    for kinds in [[k] for k in KINDS] + [[]]:
        q = services.SearchQuery(lat=CENTRE[0], lon=CENTRE[1], radius_m=radius, kinds=kinds)
        got = services.search(conn, q)
        reads.clear()
        total, page = full_path(conn, q)
        assert (got.total, [(i["distance_m"], i["id"]) for i in got.items]) == (total, page), (radius, kinds)
