"""The spatial index returns exactly what a brute-force scan returns, and follows edits."""

import random

from sqlalchemy import select

from app.facilities import services
from app.facilities.models import Facility
from app.geo import spatial
from app.geo.districts import bundled_index


def brute_force(db, lat, lon, radius_m, kinds):
    rows = db.session.execute(
        select(Facility.id, Facility.lat, Facility.lon, Facility.kind).where(Facility.lat.is_not(None))
    ).all()
    hits = [(spatial.haversine_m(lat, lon, r.lat, r.lon), r.id) for r in rows if not kinds or r.kind in kinds]
    return [i for d, i in sorted(hits) if d <= radius_m]


def test_indexed_search_equals_brute_force(db, make_facility):
    rnd = random.Random(3)
    kinds = ["kids_cafe", "hourly_daycare", "kids_ok_zone", "family_restroom"]
    for _ in range(300):
        make_facility(
            kind=rnd.choice(kinds), lat=37.55 + rnd.uniform(-0.02, 0.02), lon=126.98 + rnd.uniform(-0.025, 0.025)
        )
    conn = db.session.connection()
    for _ in range(25):
        lat, lon = 37.55 + rnd.uniform(-0.015, 0.015), 126.98 + rnd.uniform(-0.02, 0.02)
        radius = rnd.choice([150, 500, 1000, 2500])
        kind = rnd.choice([[], ["kids_cafe"], ["kids_ok_zone", "family_restroom"]])
        got = services.search(conn, services.SearchQuery(lat=lat, lon=lon, radius_m=radius, kinds=kind, limit=200))
        expected = brute_force(db, lat, lon, radius, kind)
        assert [i["id"] for i in got.items] == expected[:200]
        assert got.total == len(expected)


def test_index_follows_moves_and_deletes(db, make_facility):
    f = make_facility(lat=37.5663, lon=126.9779)
    conn = lambda: db.session.connection()  # noqa: E731
    near_hall = services.SearchQuery(lat=37.5663, lon=126.9779, radius_m=300)
    near_gangnam = services.SearchQuery(lat=37.4979, lon=127.0276, radius_m=300)
    assert [i["id"] for i in services.search(conn(), near_hall).items] == [f.id]
    f.lat, f.lon = 37.4979, 127.0276
    db.session.commit()
    assert services.search(conn(), near_hall).total == 0
    assert [i["id"] for i in services.search(conn(), near_gangnam).items] == [f.id]
    db.session.delete(f)
    db.session.commit()
    assert services.search(conn(), near_gangnam).total == 0


def test_unlocated_facilities_are_never_found_by_distance(db, make_facility):
    make_facility(lat=None, lon=None)
    got = services.search(db.session.connection(), services.SearchQuery(lat=37.5663, lon=126.9779, radius_m=20000))
    assert got.total == 0


def test_district_lookup_and_seoul_boundary():
    index = bundled_index()
    assert index.names[index.code_at(37.5172, 127.0473)] == "강남구"
    assert index.names[index.code_at(37.5735, 126.9790)] == "종로구"
    assert index.code_at(37.4563, 126.7052) is None  # Incheon
    assert not index.in_seoul(35.18, 129.07)
    assert len(index.names) == 25


def test_haversine_matches_a_known_distance():
    # Seoul City Hall to Gangnam station: about 8.9 km.
    assert 8_700 < spatial.haversine_m(37.5663, 126.9779, 37.4979, 127.0276) < 9_100


def test_sqlite_near_me_search_is_driven_by_the_rtree():
    """A kind filter must not tempt SQLite into walking every row of that kind (6 ms vs 1 ms at 100k rows)."""
    from app.extensions import db as _db
    from tests.support import make_app

    app = make_app("sqlite://")
    with app.app_context():
        conn = _db.session.connection()
        q = services.SearchQuery(lat=37.55, lon=126.98, radius_m=1000, kinds=["kids_cafe"], district=None)
        stmt, params = services.filtered(q, conn.dialect.name)
        params.update(spatial.within_params(q.lat, q.lon, q.radius_m))
        sql = str(stmt.params(params).compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
        plan = " | ".join(r[3] for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql))
        _db.session.remove()
        _db.engine.dispose()
    assert "INTEGER PRIMARY KEY" in plan and "facility_rtree" in plan, plan
    assert "USING INDEX" not in plan, plan


def test_index_follows_kind_and_position_changes(db, make_facility):
    """Each kind has its own band of the R*Tree: a changed kind or position must move the entry."""
    cafe = make_facility(kind="kids_cafe", lat=37.5663, lon=126.9779)
    toilet = make_facility(kind="family_restroom", lat=37.5665, lon=126.9781)
    conn = db.session.connection()

    def found(*kinds: str) -> set[int]:
        q = services.SearchQuery(lat=37.5663, lon=126.9779, radius_m=500, kinds=list(kinds))
        return {item["id"] for item in services.search(conn, q).items}

    assert found("kids_cafe") == {cafe.id}
    assert found("kids_cafe", "family_restroom") == found() == {cafe.id, toilet.id}
    cafe.kind = "kids_ok_zone"
    toilet.lat, toilet.lon = 37.60, 127.05  # about 7 km away
    db.session.commit()
    conn = db.session.connection()
    assert found("kids_cafe") == set()
    assert found("kids_ok_zone") == {cafe.id}
    assert found() == {cafe.id}


def test_district_search_keeps_only_the_asked_kinds(db, make_facility):
    """Without a point there is no spatial index to narrow by kind: the SQL's kind condition does it alone."""
    toilet = make_facility(kind="family_restroom", district_code="11140")
    make_facility(kind="kids_cafe", district_code="11140")
    make_facility(kind="family_restroom", district_code="11110")
    q = services.SearchQuery(district="11140", kinds=["family_restroom"])
    assert [i["id"] for i in services.search(db.session.connection(), q).items] == [toilet.id]


def test_kinds_hold_when_the_search_box_spans_several_rtree_bands(db, make_facility):
    """SQLite's R*Tree keeps kind k at lat + 100·k, so a box taller than 100° also reaches other kinds' bands:
    a daycare 100° south of a café sits in the café band there. Only the SQL's kind condition keeps it out."""
    cafe = make_facility(kind="kids_cafe", lat=37.5663, lon=126.9779)
    aliased = make_facility(kind="hourly_daycare", lat=37.5663 - spatial.KIND_BAND_DEG, lon=126.9779)
    conn = db.session.connection()

    def found(*kinds):
        q = services.SearchQuery(lat=37.5663, lon=126.9779, radius_m=12_000_000, kinds=list(kinds), limit=10)
        return [i["id"] for i in services.search(conn, q).items]

    assert found() == [cafe.id, aliased.id]  # 11,100 km apart, inside the radius
    assert found("kids_cafe") == [cafe.id]
    assert found("hourly_daycare") == [aliased.id]


def test_every_kind_has_its_own_index_band():
    """geo cannot import the facilities package, so its band table is written out: it must cover every kind."""
    from app.facilities.choices import FacilityKind
    from app.geo.spatial import KIND_BANDS

    assert set(KIND_BANDS) == set(FacilityKind.values())
    assert sorted(KIND_BANDS.values()) == list(range(len(FacilityKind)))
