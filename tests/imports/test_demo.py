"""Demo data: deterministic, all four kinds, inside the districts, replacing earlier demo rows."""

from __future__ import annotations

from datetime import UTC, datetime

from shapely.geometry import Point
from sqlalchemy import func, select

from app.facilities.choices import FacilityKind
from app.facilities.models import Facility
from app.geo.districts import bundled_index
from app.imports.demo import insert_demo

NOW = datetime(2026, 5, 1, tzinfo=UTC)


def rows(db):
    return db.session.execute(
        select(Facility.name, Facility.kind, Facility.lat, Facility.lon, Facility.district_code)
        .where(Facility.is_demo.is_(True))
        .order_by(Facility.source_id)
    ).all()


def test_demo_is_deterministic_and_inside_its_district(db, make_facility):
    real = make_facility(source="seoul_kids_cafes", source_id="kc_001")
    assert insert_demo(db.session, 400, seed=7, now=NOW) == 400
    first = rows(db)
    assert {r.kind for r in first} == set(FacilityKind.values())
    assert any(r.name.startswith("데모 키즈카페 ") for r in first)
    index = bundled_index()
    for r in first:
        geom = index.geometries[index.codes.index(r.district_code)]
        assert geom.covers(Point(r.lon, r.lat)), r
    insert_demo(db.session, 400, seed=7, now=NOW)
    assert rows(db) == first
    insert_demo(db.session, 50, seed=8, now=NOW)
    assert len(rows(db)) == 50 and rows(db) != first[:50]
    assert db.session.get(Facility, real.id) is not None


def test_demo_bulk_insert_spans_chunks_and_kinds(db):
    # Speed is measured in bench/search.py (100,000 rows); here: a multi-chunk insert lands whole.
    insert_demo(db.session, 20_000, seed=1, now=NOW)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Facility)) == 20_000
    kinds = {k for (k,) in db.session.execute(select(Facility.kind).distinct())}
    assert kinds == {"kids_cafe", "hourly_daycare", "kids_ok_zone", "family_restroom"}


def test_load_demo_command(app, db):
    result = app.test_cli_runner().invoke(args=["load-demo", "--count", "30", "--seed", "3"])
    assert result.exit_code == 0 and "30 inserted" in result.output
    assert db.session.scalar(select(func.count()).select_from(Facility).where(Facility.is_demo.is_(True))) == 30
