"""Kids-café coverage: hand-computed synthetic cases, the database path, and the real Seoul data."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import pytest
from pyproj import Transformer
from shapely.geometry import MultiPolygon, Polygon, mapping
from sqlalchemy import delete, select

from app.facilities.models import District, Facility
from app.geo import spatial
from app.geo.cafe_coverage import DONG_FILE, compute_coverage, coverage_from, walk_metres
from tests.support import need

TO_WGS84 = Transformer.from_crs("EPSG:5179", "EPSG:4326", always_xy=True)
# A point in Seoul in EPSG:5179 (UTM-K) metres.
CX, CY = 955_000.0, 1_950_000.0
SIDE = 4_000.0
AREA = SIDE * SIDE


def wgs_square(cx: float, cy: float, side: float) -> Polygon:
    """A square of `side` metres in EPSG:5179, with its corners converted to WGS84."""
    h = side / 2
    corners = [(cx - h, cy - h), (cx + h, cy - h), (cx + h, cy + h), (cx - h, cy + h)]
    return Polygon([TO_WGS84.transform(x, y) for x, y in corners])


def latlon(x: float, y: float) -> tuple[float, float]:
    lon, lat = TO_WGS84.transform(x, y)
    return lat, lon


def dong(code: str, name: str, sgg: str, x: float, y: float) -> dict:
    """A 200 m square 행정동 centred on (x, y) in EPSG:5179."""
    return {"code": code, "name": name, "sgg": sgg, "geometry": MultiPolygon([wgs_square(x, y, 200)])}


def district(code: str, name: str, cx: float = CX, cy: float = CY) -> dict:
    return {"code": code, "name": name, "geometry": wgs_square(cx, cy, SIDE)}


def write_dongs(path: Path, dongs: list[dict]) -> Path:
    features = [
        {
            "type": "Feature",
            "geometry": mapping(d["geometry"]),
            "properties": {"adm_cd2": d["code"], "adm_nm": f"서울특별시 가상구 {d['name']}", "sgg": d["sgg"]},
        }
        for d in dongs
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return path


def circle_share(walk_m: float) -> float:
    return math.pi * walk_m**2 / AREA


def test_one_cafe_in_a_square_district_covers_pi_r_squared():
    dongs = [
        dong("1", "가까운동", "99001", CX + 300, CY),
        dong("2", "먼동", "99001", CX + 1500, CY),
        dong("3", "대각동", "99001", CX - 1000, CY + 1000),
    ]
    report = coverage_from([district("99001", "가상구")], [latlon(CX, CY)], dongs, minutes=10, metres_per_minute=70)
    row = report.rows[0]
    assert report.walk_m == 700
    assert row.area_km2 == pytest.approx(16.0, rel=1e-6)
    assert row.area_share == pytest.approx(circle_share(700), rel=1e-3)
    assert report.area_share == pytest.approx(row.area_share, rel=1e-9)
    assert (row.cafes, row.dongs, row.dongs_covered) == (1, 3, 1)
    assert row.dong_share == pytest.approx(1 / 3)
    assert [(g.code, g.nearest_m) for g in report.gaps] == [
        ("2", pytest.approx(1500, abs=0.5)),
        ("3", pytest.approx(1414.2, abs=0.5)),
        ("1", pytest.approx(300, abs=0.5)),
    ]
    assert [g.covered for g in report.gaps] == [False, False, True]
    # The covered area comes back in WGS84, around the café.
    lat, lon = latlon(CX, CY)
    assert report.covered.contains(report.covered.centroid)
    assert report.covered.centroid.x == pytest.approx(lon, abs=1e-4)
    assert report.covered.centroid.y == pytest.approx(lat, abs=1e-4)


@pytest.mark.parametrize("minutes,speed,walk", [(5, 70, 350), (10, 80, 800), (12.5, 64, 800)])
def test_minutes_and_speed_set_the_walking_radius(minutes, speed, walk):
    dongs = [dong("1", "750m동", "99001", CX + 750, CY)]
    report = coverage_from([district("99001", "가상구")], [latlon(CX, CY)], dongs, minutes, speed)
    assert report.walk_m == walk == walk_metres(minutes, speed)
    assert report.rows[0].area_share == pytest.approx(circle_share(walk), rel=1e-3)
    assert report.rows[0].dongs_covered == (1 if walk >= 750 else 0)


def test_a_district_without_cafes_is_zero_and_city_share_is_area_weighted():
    districts = [district("99001", "카페구"), district("99002", "빈구", cx=CX + SIDE)]
    dongs = [dong("1", "카페동", "99001", CX, CY + 200), dong("2", "빈동", "99002", CX + SIDE, CY)]
    report = coverage_from(districts, [latlon(CX, CY)], dongs)
    full, empty = report.rows
    assert (empty.name, empty.cafes, empty.area_share, empty.dongs_covered, empty.dong_share) == (
        "빈구",
        0,
        0.0,
        0,
        0.0,
    )
    assert full.cafes == 1 and full.area_share == pytest.approx(circle_share(700), rel=1e-3)
    assert report.area_share == pytest.approx(full.area_share / 2, rel=1e-6)
    assert (report.dongs_total, report.dongs_covered, report.dong_share) == (2, 1, 0.5)
    assert report.gaps[0].code == "2" and report.gaps[0].nearest_m == pytest.approx(SIDE, abs=0.5)


def test_no_cafes_at_all():
    report = coverage_from([district("99001", "가상구")], [], [dong("1", "동", "99001", CX, CY)])
    assert report.area_share == 0.0 and report.rows[0].area_share == 0.0
    assert report.dong_share == 0.0 and report.gaps == [] and report.covered.is_empty
    assert report.cafes == 0 and any("키즈카페" in note for note in report.notes)


@pytest.mark.parametrize("minutes,speed", [(0, 70), (-5, 70), (10, 0), (float("nan"), 70), (10, float("inf"))])
def test_bad_parameters_are_rejected(minutes, speed):
    with pytest.raises(ValueError):
        coverage_from([district("99001", "가상구")], [], None, minutes, speed)


def replace_districts(db, *features: dict) -> None:
    db.session.execute(delete(District))
    for f in features:
        point = f["geometry"].representative_point()
        db.session.add(
            District(
                code=f["code"], name=f["name"], geometry=mapping(f["geometry"]), center_lat=point.y, center_lon=point.x
            )
        )
    db.session.commit()


def test_compute_coverage_reads_districts_cafes_and_the_dong_file(db, make_facility, tmp_path):
    replace_districts(db, district("99001", "가상구"))
    lat, lon = latlon(CX, CY)
    make_facility(kind="kids_cafe", lat=lat, lon=lon, district_code=None)
    corner = latlon(CX + 1800, CY + 1800)
    make_facility(kind="hourly_daycare", lat=corner[0], lon=corner[1], district_code=None)  # not a kids café
    make_facility(kind="kids_cafe", lat=None, lon=None, district_code=None)  # unlocated: cannot cover anything
    path = write_dongs(
        tmp_path / "dongs.geojson",
        [dong("1", "가까운동", "99001", CX + 300, CY), dong("2", "구석동", "99001", CX + 1800, CY + 1800)],
    )
    report = compute_coverage(db.session, dong_path=path)
    assert report.cafes == 1 and report.rows[0].cafes == 1
    assert report.rows[0].area_share == pytest.approx(circle_share(700), rel=1e-3)
    assert (report.dongs_covered, report.dong_share, report.dong_source) == (1, 0.5, str(path))
    assert [g.name for g in report.gaps] == ["구석동", "가까운동"]
    wider = compute_coverage(db.session, minutes=20, dong_path=path)
    assert wider.walk_m == 1400
    assert wider.rows[0].area_share == pytest.approx(circle_share(1400), rel=1e-3)


def test_without_the_dong_file_dong_shares_are_null(db, make_facility, tmp_path):
    make_facility(kind="kids_cafe", lat=37.5663, lon=126.9779)
    report = compute_coverage(db.session, dong_path=tmp_path / "missing.geojson")
    assert report.dong_share is None and report.dong_source is None
    assert all(r.dong_share is None and r.dongs == 0 for r in report.rows)
    assert any("행정동" in note for note in report.notes)
    assert next(r for r in report.rows if r.name == "중구").area_share > 0


def insert_real_cafes(db, data_dir: Path) -> int:
    """The staged 155 서울형 키즈카페, read with the csv module (no importer involved)."""
    with open(data_dir / "seoul_kids_cafes.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for r in rows:
        db.session.add(
            Facility(
                kind="kids_cafe",
                source="coverage-test",
                source_id=r["id"],
                source_hash="x",
                name=r["name"],
                lat=float(r["lat"]),
                lon=float(r["lng"]),
                details={},
            )
        )
    db.session.commit()
    return len(rows)


@pytest.fixture
def real_data(app, db):
    data_dir = Path(app.config["NADEURI_DATA_DIR"])
    if not (data_dir / "seoul_kids_cafes.csv").is_file() or not (data_dir / DONG_FILE).is_file():
        need(f"real data folder not found: {data_dir}")
    assert insert_real_cafes(db, data_dir) == 155
    return data_dir


def test_real_seoul_data(db, real_data):
    report = compute_coverage(db.session)
    names = set(db.session.scalars(select(District.name)))
    assert len(report.rows) == 25 and {r.name for r in report.rows} == names
    assert report.cafes == 155 and sum(r.cafes for r in report.rows) == 155
    assert report.dongs_total == 425 and sum(r.dongs for r in report.rows) == 425
    for r in report.rows:
        assert 0 <= r.area_share <= 1 and 0 <= r.dong_share <= 1 and r.dongs > 0
        assert r.covered_km2 <= r.area_km2
    # City-wide share (union of Seoul ∩ coverage) equals the area-weighted mean of the districts.
    weighted = sum(r.covered_km2 for r in report.rows) / sum(r.area_km2 for r in report.rows)
    assert report.area_share == pytest.approx(weighted, abs=2e-4)
    assert 0 < report.area_share < 1
    assert report.dong_share == pytest.approx(sum(r.dongs_covered for r in report.rows) / 425)
    assert report.gaps[0].nearest_m == max(d.nearest_m for d in report.dongs)
    assert [g.nearest_m for g in report.gaps] == sorted((g.nearest_m for g in report.gaps), reverse=True)
    assert all(not g.covered for g in report.gaps)


def test_real_data_dong_coverage_matches_a_brute_force_distance_check(db, real_data):
    report = compute_coverage(db.session)
    cafes = db.session.execute(select(Facility.lat, Facility.lon).where(Facility.kind == "kids_cafe")).all()
    checked = 0
    for d in report.dongs:
        nearest = min(spatial.haversine_m(d.lat, d.lon, lat, lon) for lat, lon in cafes)
        assert nearest == pytest.approx(d.nearest_m, rel=3e-3, abs=1.0)
        if abs(nearest - report.walk_m) > 5:  # projection vs sphere: leave the few borderline dongs alone
            assert d.covered == (nearest <= report.walk_m), d
            checked += 1
    assert checked > 400


def test_real_data_is_deterministic_and_grows_with_minutes(db, real_data):
    first, again = compute_coverage(db.session), compute_coverage(db.session)
    assert first.rows == again.rows and first.gaps == again.gaps and first.area_share == again.area_share
    longer = compute_coverage(db.session, minutes=15)
    for short, long in zip(first.rows, longer.rows):
        assert long.area_share >= short.area_share and long.dongs_covered >= short.dongs_covered
    assert longer.area_share > first.area_share
