"""A crowded neighbourhood: the page-sized search returns what a brute-force scan of every facility returns.

Thousands of facilities within 1 km, restrooms listed twice, and points a few centimetres either side of the
radius: the total, the page (order, distances) and paging must equal the brute force on both databases.
"""

import math
import random

import pytest
from sqlalchemy import insert, select

from app.facilities import services
from app.facilities.models import Facility
from app.geo import spatial
from app.timeutil import utcnow

CENTRE = (37.4979, 127.0276)  # 강남역
KINDS = ["kids_cafe", "hourly_daycare", "kids_ok_zone", "family_restroom"]


def destination(lat: float, lon: float, metres: float, bearing_deg: float) -> tuple[float, float]:
    """The point `metres` away on haversine_m's sphere, in direction `bearing_deg`."""
    d, b = metres / spatial.EARTH_RADIUS_M, math.radians(bearing_deg)
    p1, l1 = math.radians(lat), math.radians(lon)
    p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(b))
    l2 = l1 + math.atan2(math.sin(b) * math.sin(d) * math.cos(p1), math.cos(d) - math.sin(p1) * math.sin(p2))
    return math.degrees(p2), math.degrees(l2)


@pytest.fixture
def crowd(db):
    rnd, now, rows = random.Random(5), utcnow(), []

    def add(lat, lon, kind, **extra):
        n = len(rows)
        rows.append(
            {
                "kind": kind,
                "source": "test",
                "source_id": f"c{n}",
                "source_hash": "x",
                "name": f"붐비는 시설 {n}",
                "address": f"서울특별시 강남구 강남대로 {n}",
                "lat": lat,
                "lon": lon,
                "district_code": None,
                "age_min": rnd.choice([None, 0, 3]),
                "age_max": rnd.choice([None, 7, 12]),
                "diaper_table": rnd.random() < 0.5,
                "details": {},
                "created_at": now,
                "updated_at": now,
                **extra,
            }
        )

    for _ in range(3000):  # a cluster of about 300 m around the station
        lat = CENTRE[0] + rnd.gauss(0, 300) / spatial.METRES_PER_DEGREE
        lon = CENTRE[1] + rnd.gauss(0, 300) / (spatial.METRES_PER_DEGREE * math.cos(math.radians(CENTRE[0])))
        add(round(lat, 7), round(lon, 7), rnd.choice(KINDS))
    for i in range(60):  # restrooms listed twice: same name and address, a few metres apart
        lat, lon = destination(*CENTRE, rnd.uniform(0, 1200), rnd.uniform(0, 360))
        for twin in range(2):
            add(lat + twin * 2e-5, lon, "family_restroom", name=f"역 화장실 {i}", address=f"강남대로 지하 {i}")
    for radius in (500, 1000):  # right at the edge of the searches below, either side
        for bearing in range(0, 360, 7):
            for off in (-0.05, 0.05):
                add(*destination(*CENTRE, radius + off, bearing + 0.5), rnd.choice(KINDS))
    for _ in range(12):  # the same point many times: ties broken by id
        add(*destination(*CENTRE, 137.0, 45.0), "kids_cafe")
    db.session.execute(insert(Facility.__table__), rows)
    db.session.commit()


def brute_force(db, q: services.SearchQuery) -> list[tuple[float, int]]:
    found = []
    for f in db.session.scalars(select(Facility).where(Facility.lat.is_not(None))):
        if q.kinds and f.kind not in q.kinds:
            continue
        if q.age is not None and not (f.age_min or 0) <= q.age <= (99 if f.age_max is None else f.age_max):
            continue
        if any(not getattr(f, a) for a in q.amenities):
            continue
        d = spatial.haversine_m(q.lat, q.lon, f.lat, f.lon)
        if d <= q.radius_m:
            found.append((d, f.id, f.kind, f.name, f.address))
    found.sort()
    seen, out = set(), []
    for d, fid, kind, name, address in found:
        if kind == "family_restroom":
            if (name, address or f"#{fid}") in seen:
                continue
            seen.add((name, address or f"#{fid}"))
        out.append((round(d, 1), fid))
    return out


@pytest.mark.parametrize(
    "params",
    [
        dict(kinds=["kids_cafe"]),
        dict(kinds=["hourly_daycare", "kids_ok_zone"], radius_m=500),
        dict(kinds=["family_restroom"]),
        dict(kinds=[]),
        dict(kinds=["kids_cafe"], offset=40, limit=30),
        dict(kinds=["kids_ok_zone"], limit=200, offset=600),
        dict(kinds=["kids_cafe", "family_restroom"], age=5),
        dict(kinds=["family_restroom"], amenities=["diaper_table"], radius_m=500),
        dict(kinds=["kids_cafe"], radius_m=5, limit=5),
    ],
)
def test_crowded_search_equals_brute_force(db, crowd, params):
    params = {"radius_m": 1000, "limit": 50, **params}
    for lat, lon in (CENTRE, destination(*CENTRE, 240, 200)):
        q = services.SearchQuery(lat=lat, lon=lon, **params)
        got = services.search(db.session.connection(), q)
        expected = brute_force(db, q)
        assert got.total == len(expected)
        assert [(i["distance_m"], i["id"]) for i in got.items] == expected[q.offset : q.offset + q.limit]


def test_crowded_area_has_thousands_within_the_radius(db, crowd):
    q = services.SearchQuery(lat=CENTRE[0], lon=CENTRE[1], radius_m=1000, kinds=[], limit=50)
    result = services.search(db.session.connection(), q)
    assert result.total > 2500 and len(result.items) == 50


def test_a_point_just_north_of_the_radius_edge_is_found(db, make_facility):
    """The search box reaches a full radius north and south on the sphere haversine_m measures on."""
    lat, lon = destination(*CENTRE, 999.9, 0.0)
    f = make_facility(lat=lat, lon=lon)
    for kinds in ([], ["kids_cafe"]):
        q = services.SearchQuery(lat=CENTRE[0], lon=CENTRE[1], radius_m=1000, kinds=kinds)
        assert [i["id"] for i in services.search(db.session.connection(), q).items] == [f.id]


def test_planar_bounds_hold_for_random_pairs():
    """The planar distance used to count without reading rows stays within its stated bounds of haversine_m."""
    rnd = random.Random(9)
    for _ in range(3000):
        lat, lon = rnd.uniform(37.4, 37.7), rnd.uniform(126.8, 127.2)
        radius = rnd.choice([50, 1000, 5000, 20000, 50000])
        plat, plon = destination(lat, lon, rnd.uniform(0, radius), rnd.uniform(0, 360))
        scales = spatial.planar_scales(lat)
        planar = math.sqrt((plat - lat) ** 2 * scales["ky2"] + (plon - lon) ** 2 * scales["kx2"])
        bounds = spatial.planar_bounds(lat, radius)
        exact = spatial.haversine_m(lat, lon, plat, plon)
        assert bounds.low(planar) <= exact <= bounds.high(planar)


@pytest.fixture
def twin_crowd(db):
    """A crowd where restrooms are often listed two to four times (same name and address) within a few hundred
    metres, some groups straddling the radius, beside restrooms without twins, blank addresses and other kinds
    that share a restroom's name and address."""
    rnd, now, rows = random.Random(17), utcnow(), []

    def add(lat, lon, kind, name, address):
        rows.append(
            {
                "kind": kind,
                "source": "test",
                "source_id": f"w{len(rows)}",
                "source_hash": "x",
                "name": name,
                "address": address,
                "lat": lat,
                "lon": lon,
                "details": {},
                "created_at": now,
                "updated_at": now,
            }
        )

    for g in range(700):
        lat, lon = destination(*CENTRE, 1100 * math.sqrt(rnd.random()), rnd.uniform(0, 360))
        name, address = f"화장실 {g % 350}", rnd.choice([f"강남대로 {g}", f"강남대로 {g}", "", None])
        for _ in range(rnd.choice([1, 1, 2, 2, 3, 4])):
            kind = "family_restroom" if rnd.random() < 0.9 else rnd.choice(KINDS)
            add(*destination(lat, lon, rnd.uniform(0, 300), rnd.uniform(0, 360)), kind, name, address)
    for radius in (300, 1000):  # twins a centimetre or two from the edge: either side, both out, both in
        for bearing in range(0, 360, 9):
            key = (f"경계 {radius} {bearing}", f"테헤란로 {bearing}")
            edge = 0.01 + bearing / 36000  # distinct distances: no near-ties between the two formulas of distance
            first, second = [(-edge, edge), (edge, 150 + edge), (-edge, -150 - edge)][bearing // 9 % 3]
            add(*destination(*CENTRE, radius + first, bearing + 0.3), "family_restroom", *key)
            add(*destination(*CENTRE, radius + second, bearing + 0.7), "family_restroom", *key)
    for _ in range(3):  # twins at the same point: the lower id is kept
        add(*destination(*CENTRE, 77.0, 10.0), "family_restroom", "같은 자리", "같은 주소")
    db.session.execute(insert(Facility.__table__), rows)
    db.session.commit()


def full_path(conn, q: services.SearchQuery) -> list[tuple[float, int]]:
    """What search's full path gives: nearby_rows over the spatial narrowing, one row per restroom."""
    rows = spatial.nearby_rows(conn, *services.filtered(q, conn.dialect.name), q.lat, q.lon, q.radius_m)
    return [(round(d, 1), r.id) for d, r in services._one_per_restroom(rows)]


def test_restroom_twins_search_equals_the_full_path(db, twin_crowd):
    rnd = random.Random(8)
    conn = db.session.connection()
    twins = conn.exec_driver_sql(
        "SELECT count(*) FROM (SELECT 1 FROM facilities WHERE kind = 'family_restroom'"
        " GROUP BY name, coalesce(nullif(address, ''), '#' || id) HAVING count(*) > 1) AS g"
    ).scalar()
    assert twins > 300
    cases = [
        dict(kinds=["family_restroom"]),
        dict(kinds=["family_restroom"], offset=50, limit=50),
        dict(kinds=["family_restroom"], offset=300, limit=100, radius_m=300),
        dict(kinds=[], offset=20, limit=30),
        dict(kinds=["family_restroom", "kids_cafe"], limit=200),
        dict(kinds=["family_restroom", "kids_ok_zone"], offset=700, limit=50),
        dict(kinds=["family_restroom"], radius_m=40, limit=5),
    ]
    for params in cases:
        points = [CENTRE] + [destination(*CENTRE, rnd.uniform(0, 600), rnd.uniform(0, 360)) for _ in range(3)]
        for lat, lon in points:
            q = services.SearchQuery(lat=lat, lon=lon, **{"radius_m": 1000, "limit": 50, **params})
            got = services.search(conn, q)
            expected = full_path(conn, q)
            assert expected == brute_force(db, q)
            assert got.total == len(expected), params
            assert [(i["distance_m"], i["id"]) for i in got.items] == expected[q.offset : q.offset + q.limit], params
