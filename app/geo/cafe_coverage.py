"""Kids-café coverage: how much of each district lies within a short walk of a 서울형 키즈카페.

The city's goal is a kids café within 10 minutes of every home. Walking distance is modelled as a
straight-line radius (walk_m = minutes × metres per minute) in a metric projection (EPSG:5179,
UTM-K): café buffers are unioned and intersected with each district polygon (area share), and a
행정동 counts as covered when its centroid lies within walk_m of a café (dong share). The 행정동
layer comes from NADEURI_DATA_DIR because its licence does not allow shipping it.
"""

from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import shapely
from shapely.geometry import Polygon, mapping, shape
from shapely.geometry.base import BaseGeometry
from sqlalchemy import JSON, Float, Integer, String, column, func, select, table
from sqlalchemy.orm import Session

from app.geo.districts import read_district_features
from app.validation import forbidden_character, spreadsheet_cell, without_forbidden

METRIC_CRS = "EPSG:5179"
WGS84 = "EPSG:4326"
DONG_FILE = "seoul_hangjeongdong_20210401.geojson"
DEFAULT_MINUTES = 10
DEFAULT_METRES_PER_MINUTE = 70
# 32 segments per quarter circle: the buffer polygon's area is within 0.04 % of π·r².
BUFFER_QUAD_SEGS = 32
# ~5 m: invisible on a city map, and it keeps the drawn coverage light.
DRAW_SIMPLIFY_M = 5.0


@dataclass(frozen=True)
class DistrictCoverage:
    """One district's coverage; shares are 0..1, dong_share is None without the 행정동 layer."""

    code: str
    name: str
    cafes: int
    area_km2: float
    covered_km2: float
    area_share: float
    dongs: int
    dongs_covered: int
    dong_share: float | None


@dataclass(frozen=True)
class DongCoverage:
    """One 행정동: its centroid (WGS84), distance to the nearest kids café, and whether it is covered."""

    code: str
    name: str
    district_code: str
    district_name: str
    lat: float
    lon: float
    nearest_m: float | None
    covered: bool


@dataclass
class CoverageReport:
    """Coverage per district and city-wide, the covered area (WGS84) and the worst-served 행정동."""

    minutes: float
    metres_per_minute: float
    walk_m: float
    rows: list[DistrictCoverage]
    area_share: float
    dong_share: float | None
    cafes: int
    dongs_total: int
    dongs_covered: int
    covered: BaseGeometry
    dongs: list[DongCoverage] = field(default_factory=list)
    gaps: list[DongCoverage] = field(default_factory=list)
    dong_source: str | None = None
    notes: list[str] = field(default_factory=list)

    def covered_geojson(self) -> dict:
        """The covered area as a GeoJSON geometry (WGS84)."""
        return mapping(self.covered)

    def as_dict(self) -> dict:
        """Everything but the geometry, JSON-ready."""
        return {k: v for k, v in asdict(self).items() if k not in ("covered", "dongs")}


def walk_metres(minutes: float, metres_per_minute: float) -> float:
    """Walking radius in metres; both inputs must be positive and finite."""
    for label, value in (("minutes", minutes), ("metres_per_minute", metres_per_minute)):
        if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
            raise ValueError(f"{label} must be a positive number, got {value!r}")
    return float(minutes) * float(metres_per_minute)


# The tables by name, as app.geo.spatial's triggers use them: geo sits below the facilities package (it
# must not import its models), and these are the only columns it reads.
_districts = table("districts", column("code", String), column("name", String), column("geometry", JSON))
_facilities = table(
    "facilities", column("id", Integer), column("kind", String), column("lat", Float), column("lon", Float)
)
_flags = table("facility_flags", column("facility_id", Integer), column("reason", String), column("status", String))
# Rows an import flagged as placed outside Seoul (or unlocated) stay out of the figures until an admin fixes them.
UNPLACED_REASONS = ("outside_seoul", "no_coordinates")


def load_districts(session: Session) -> list[dict]:
    """District polygons from the districts table, or the bundled file when the table is empty."""
    rows = session.execute(
        select(_districts.c.code, _districts.c.name, _districts.c.geometry).order_by(_districts.c.code)
    ).all()
    if not rows:
        return sorted(read_district_features(), key=lambda f: f["code"])
    out = []
    for code, name, geometry in rows:
        geom = shape(geometry)
        out.append({"code": code, "name": name, "geometry": geom if geom.is_valid else shapely.make_valid(geom)})
    return out


def _unplaced(f):
    """The flag, not fixed by an admin, that says this facility's point is outside Seoul or missing."""
    return (
        select(_flags.c.facility_id)
        .where(_flags.c.facility_id == f.id, _flags.c.reason.in_(UNPLACED_REASONS), _flags.c.status != "fixed")
        .exists()
    )


def load_cafes(session: Session) -> list[tuple[float, float]]:
    """(lat, lon) of every placed kids café, in id order so results are deterministic (flagged ones left out)."""
    f = _facilities.c
    placed = (f.kind == "kids_cafe", f.lat.is_not(None), f.lon.is_not(None))
    query = select(f.lat, f.lon).where(*placed, ~_unplaced(f)).order_by(f.id)
    return [(lat, lon) for lat, lon in session.execute(query)]


def count_unplaced_cafes(session: Session) -> int:
    """Kids cafés left out of the coverage because an import flagged them outside Seoul or without coordinates."""
    f = _facilities.c
    query = select(func.count()).select_from(_facilities).where(f.kind == "kids_cafe", _unplaced(f))
    return session.scalar(query) or 0


def read_dongs(path: Path) -> list[dict]:
    """행정동 features from an admdongkor-style GeoJSON: code (adm_cd2), name, sgg and geometry."""
    path = Path(path)
    return _read_dongs_cached(str(path.resolve()), path.stat().st_mtime_ns)


@lru_cache(maxsize=2)
def _read_dongs_cached(path: str, _mtime_ns: int) -> list[dict]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    out = []
    for feature in data["features"]:
        props = feature["properties"]
        geom = shape(feature["geometry"])
        name = str(props.get("adm_nm", "")).split()[-1] if props.get("adm_nm") else ""
        # The layer is read as it is (never imported): a hidden character is taken out and reported.
        found = forbidden_character(name)
        out.append(
            {
                "code": str(props.get("adm_cd2") or props.get("adm_cd")),
                "name": without_forbidden(name) if found else name,
                "sgg": str(props["sgg"]),
                "geometry": geom if geom.is_valid else shapely.make_valid(geom),
                "cleaned": found,
            }
        )
    return sorted(out, key=lambda d: d["code"])


def default_dong_path() -> Path:
    """The 행정동 file in the configured data folder (NADEURI_DATA_DIR)."""
    from flask import current_app

    return Path(current_app.config["NADEURI_DATA_DIR"]) / DONG_FILE


def compute_coverage(
    session: Session,
    minutes: float = DEFAULT_MINUTES,
    metres_per_minute: float = DEFAULT_METRES_PER_MINUTE,
    dong_path: Path | str | None = None,
    gap_count: int = 10,
) -> CoverageReport:
    """Coverage of the districts by kids cafés within a walk of `minutes` (see the module docstring)."""
    walk_metres(minutes, metres_per_minute)  # reject bad input before reading any file
    path = Path(dong_path) if dong_path is not None else default_dong_path()
    dongs, notes = None, []
    if path.is_file():
        dongs = read_dongs(path)
        cleaned = [f"{d['code']} {d['cleaned']}" for d in dongs if d.get("cleaned")]
        if cleaned:
            notes.append(f"행정동 이름 {len(cleaned)}개에서 보이지 않는 문자를 지웠습니다: " + ", ".join(cleaned[:5]))
    else:
        notes.append(f"행정동 파일이 없어 행정동 커버율을 계산하지 않았습니다: {path}")
    unplaced = count_unplaced_cafes(session)
    if unplaced:
        notes.append(
            f"서울 밖 좌표나 좌표 없음으로 표시된 키즈카페 {unplaced}곳은 뺐습니다 (확인할 행에서 고치면 포함)."
        )
    report = coverage_from(
        load_districts(session), load_cafes(session), dongs, minutes, metres_per_minute, gap_count=gap_count
    )
    report.dong_source = str(path) if dongs is not None else None
    report.notes = notes + report.notes
    return report


def coverage_from(
    districts: list[dict],
    cafes: list[tuple[float, float]],
    dongs: list[dict] | None,
    minutes: float = DEFAULT_MINUTES,
    metres_per_minute: float = DEFAULT_METRES_PER_MINUTE,
    gap_count: int = 10,
) -> CoverageReport:
    """The computation on plain inputs: district dicts, café (lat, lon) pairs, 행정동 dicts or None."""
    walk_m = walk_metres(minutes, metres_per_minute)
    notes: list[str] = []
    d = gpd.GeoDataFrame(
        {"code": [x["code"] for x in districts], "name": [x["name"] for x in districts]},
        geometry=[x["geometry"] for x in districts],
        crs=WGS84,
    ).to_crs(METRIC_CRS)
    points = gpd.GeoSeries(gpd.points_from_xy([c[1] for c in cafes], [c[0] for c in cafes]), crs=WGS84)
    points = points.to_crs(METRIC_CRS)
    covered = shapely.union_all(points.buffer(walk_m, quad_segs=BUFFER_QUAD_SEGS).values) if len(points) else Polygon()
    shapely.prepare(covered)

    areas = d.geometry.area.to_numpy()
    covered_areas = d.geometry.intersection(covered).area.to_numpy()
    cafe_counts = [0] * len(d)
    if len(points):
        for i in d.sindex.query(points.values, predicate="within")[1]:
            cafe_counts[int(i)] += 1

    dong_rows, per_district = _dongs(d, points, dongs, walk_m, notes)
    rows = []
    for i, (code, name) in enumerate(zip(d["code"], d["name"])):
        n, n_cov = per_district.get(code, (0, 0))
        rows.append(
            DistrictCoverage(
                code=code,
                name=name,
                cafes=cafe_counts[i],
                area_km2=round(float(areas[i]) / 1e6, 4),
                covered_km2=round(float(covered_areas[i]) / 1e6, 4),
                area_share=_share(covered_areas[i], areas[i]),
                dongs=n,
                dongs_covered=n_cov,
                dong_share=(_share(n_cov, n) if dongs is not None and n else None),
            )
        )

    seoul = shapely.union_all(d.geometry.values)
    city_covered = seoul.intersection(covered)
    n_dongs = len(dong_rows)
    n_covered = sum(1 for r in dong_rows if r.covered)
    drawn = gpd.GeoSeries([city_covered.simplify(DRAW_SIMPLIFY_M)], crs=METRIC_CRS).to_crs(WGS84).iloc[0]
    located = [r for r in dong_rows if r.nearest_m is not None]
    gaps = sorted(located, key=lambda r: (-r.nearest_m, r.code))[: max(gap_count, 0)]
    if not cafes:
        notes.append("좌표가 있는 키즈카페가 없습니다.")
    counts = {"cafes": len(cafes), "dongs_total": n_dongs, "dongs_covered": n_covered, "gaps": gaps, "notes": notes}
    return CoverageReport(
        minutes,
        metres_per_minute,
        walk_m,
        rows,
        area_share=_share(city_covered.area, seoul.area),
        dong_share=_share(n_covered, n_dongs) if dongs is not None and n_dongs else None,
        covered=drawn,
        dongs=dong_rows,
        **counts,
    )


def _dongs(
    d: gpd.GeoDataFrame, points: gpd.GeoSeries, dongs: list[dict] | None, walk_m: float, notes: list[str]
) -> tuple[list[DongCoverage], dict[str, tuple[int, int]]]:
    if dongs is None:
        return [], {}
    names = dict(zip(d["code"], d["name"]))
    matched = [x for x in dongs if x["sgg"] in names]
    if len(matched) < len(dongs):
        notes.append(f"자치구와 맞지 않는 행정동 {len(dongs) - len(matched)}개는 제외했습니다.")
    if not matched:
        return [], {}
    frame = gpd.GeoSeries([x["geometry"] for x in matched], crs=WGS84).to_crs(METRIC_CRS)
    centroids = frame.centroid
    lonlat = centroids.to_crs(WGS84)
    nearest = [None] * len(matched)
    if len(points):
        (src, _), dist = points.sindex.nearest(centroids.values, return_distance=True, return_all=False)
        for i, metres in zip(src, dist):
            nearest[int(i)] = float(metres)
    rows, per_district = [], {}
    for x, pt, metres in zip(matched, lonlat.values, nearest):
        covered = metres is not None and metres <= walk_m
        rows.append(
            DongCoverage(
                code=x["code"],
                name=x["name"],
                district_code=x["sgg"],
                district_name=names[x["sgg"]],
                lat=round(pt.y, 6),
                lon=round(pt.x, 6),
                nearest_m=None if metres is None else round(metres, 1),
                covered=covered,
            )
        )
        n, n_cov = per_district.get(x["sgg"], (0, 0))
        per_district[x["sgg"]] = (n + 1, n_cov + int(covered))
    return rows, per_district


def _share(part: float, whole: float) -> float:
    """part / whole clamped to 0..1 (float noise can push an intersection a hair past its district)."""
    if not whole:
        return 0.0
    return min(1.0, max(0.0, float(part) / float(whole)))


CSV_COLUMNS = [
    ("자치구코드", "code"),
    ("자치구", "name"),
    ("키즈카페수", "cafes"),
    ("면적_km2", "area_km2"),
    ("커버면적_km2", "covered_km2"),
    ("면적커버율", "area_share"),
    ("행정동수", "dongs"),
    ("커버행정동수", "dongs_covered"),
    ("행정동커버율", "dong_share"),
]


def coverage_csv(report: CoverageReport) -> bytes:
    """The per-district table as CSV bytes: UTF-8 with a BOM (Korean Excel), headers like "자치구(name)"."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([f"{ko}({key})" for ko, key in CSV_COLUMNS])
    for row in report.rows:
        values = asdict(row)
        writer.writerow(
            [
                spreadsheet_cell(
                    None if values[key] is None else (f"{values[key]:.4f}" if key.endswith("_share") else values[key])
                )
                for _, key in CSV_COLUMNS
            ]
        )
    return buffer.getvalue().encode("utf-8-sig")
