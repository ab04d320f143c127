"""Coordinates to WGS84, the 자치구 of each point (geopandas sjoin), and data-quality flags."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from statistics import median

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from app.imports.mappers import Record
from app.imports.sources import ImportDataError, SourceFile

WGS84 = "EPSG:4326"
DEFAULT_TM_CRS = "EPSG:5174"
# Korean TM grids put Seoul near (200 000, 450 000); EPSG:5186 adds 100 km to northings, UTM-K sits far higher.
TM_NORTHING_5186 = 520_000
TM_NORTHING_UTMK = 1_500_000
_ADDRESS_BASE = re.compile(r"([가-힣]+구)\s+([가-힣0-9.]+(?:로|길))\s*(\d+(?:-\d+)?)")


@dataclass
class Located:
    """Where a record ends up: WGS84 point (or None), district code and flags (reason → detail)."""

    lat: float | None = None
    lon: float | None = None
    district_code: str | None = None
    flags: dict[str, str] = field(default_factory=dict)
    swapped: bool = False


def district_frame(features: list[dict]) -> gpd.GeoDataFrame:
    """The district polygons (already repaired) as a GeoDataFrame with code and name."""
    return gpd.GeoDataFrame(
        {"code": [f["code"] for f in features], "name": [f["name"] for f in features]},
        geometry=[f["geometry"] for f in features],
        crs=WGS84,
    )


def _number(file: SourceFile, rec: Record, text: str | None, column: str) -> float | None:
    if text is None or text in ("-", "0", "0.0"):
        return None
    try:
        value = float(text.replace(",", ""))
    except ValueError:
        raise ImportDataError(file.path, f"coordinate is not a number: {text!r}", rec.line, column) from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ImportDataError(file.path, f"coordinate is not a number: {text!r}", rec.line, column)
    return value or None


def choose_tm_crs(northings: list[float], source_crs: str | None) -> str:
    """The CRS for projected coordinates: as given, else guessed from the northing's magnitude."""
    if source_crs:
        return source_crs
    typical = median(northings)
    if typical > TM_NORTHING_UTMK:
        return "EPSG:5179"
    return "EPSG:5186" if typical > TM_NORTHING_5186 else DEFAULT_TM_CRS


def locate(
    file: SourceFile, records: list[Record], districts: gpd.GeoDataFrame, source_crs: str | None = None
) -> tuple[list[Located], str | None]:
    """Convert every record's coordinates to WGS84 and assign its district; returns the TM CRS used, if any."""
    out = [Located() for _ in records]
    tm: list[int] = []
    for i, rec in enumerate(records):
        x = _number(file, rec, rec.x, rec.x_column)
        y = _number(file, rec, rec.y, rec.y_column)
        if x is None or y is None:
            continue
        if abs(x) > 1000 or abs(y) > 1000:
            tm.append(i)
            out[i].lon, out[i].lat = (x, y) if x < y else (y, x)  # easting < northing around Seoul
            continue
        if abs(y) > 90 and abs(x) <= 90:
            x, y = y, x
            out[i].swapped = True
        out[i].lon, out[i].lat = x, y
    crs_used = None
    if tm:
        crs_used = choose_tm_crs([out[i].lat for i in tm], source_crs)
        try:
            points = gpd.GeoSeries(
                gpd.points_from_xy([out[i].lon for i in tm], [out[i].lat for i in tm]), crs=crs_used
            ).to_crs(WGS84)
        except Exception as exc:  # pyproj raises several types for a bad CRS name
            raise ImportDataError(file.path, f"cannot convert from {crs_used}: {exc}") from None
        for i, point in zip(tm, points):
            out[i].lon, out[i].lat = round(point.x, 7), round(point.y, 7)
    _assign_districts(out, districts)
    return out, crs_used


def _assign_districts(located: list[Located], districts: gpd.GeoDataFrame) -> None:
    """Each located point's district: the first district (in the R-tree's order) whose polygon intersects it.

    What gpd.sjoin(points, districts, predicate="intersects") keeping each point's first match gives (tests/imports
    compare the two), with the polygons prepared: sjoin prepares the 100,000 points instead, and tests each against
    a raw polygon (2 s of a 100,000-row import).
    """
    idx = [i for i, loc in enumerate(located) if loc.lat is not None]
    if not idx:
        return
    points = shapely.points([located[i].lon for i in idx], [located[i].lat for i in idx])
    polygons = np.asarray(districts.geometry.values)
    point_at, district_at = shapely.STRtree(polygons).query(points)  # by point, each in the tree's order
    shapely.prepare(polygons)
    hit = shapely.intersects(polygons[district_at], points[point_at])
    point_at, district_at = point_at[hit], district_at[hit]
    matched, first = np.unique(point_at, return_index=True)
    codes = districts["code"].to_numpy()
    for i, d in zip(matched.tolist(), district_at[first].tolist()):
        code = codes[d]
        located[idx[i]].district_code = None if pd.isna(code) else str(code)


def _address_base(rec: Record) -> str:
    m = _ADDRESS_BASE.search(rec.address or "")
    return " ".join(m.groups()) if m else (rec.address or rec.source_id).strip()


def placeholder_points(records: list[Record], located: list[Located]) -> set[tuple[float, float]]:
    """Points shared by rows in different districts or at 3+ different street addresses (e.g. City Hall)."""
    groups: dict[tuple[float, float], list[Record]] = defaultdict(list)
    for rec, loc in zip(records, located):
        if loc.lat is not None:
            groups[(round(loc.lat, 6), round(loc.lon, 6))].append(rec)
    found = set()
    for point, members in groups.items():
        if len(members) < 2:
            continue
        stated = {r.stated_district for r in members if r.stated_district}
        if len(stated) >= 2 or len({_address_base(r) for r in members}) >= 3:
            found.add(point)
    return found


def flag(
    records: list[Record], located: list[Located], codes_by_name: dict[str, str], names_by_code: dict[str, str]
) -> None:
    """Fill each Located's flags and final district (kept rows are never moved)."""
    placeholders = placeholder_points(records, located)
    for rec, loc in zip(records, located):
        stated_code = codes_by_name.get(rec.stated_district or "")
        if loc.lat is None:
            loc.flags["no_coordinates"] = "원본에 좌표가 없음"
            loc.district_code = stated_code
            continue
        where = f"{loc.lat:.6f}, {loc.lon:.6f}"
        if (round(loc.lat, 6), round(loc.lon, 6)) in placeholders:
            loc.flags["placeholder_coordinates"] = f"{where}: 다른 주소의 시설과 같은 좌표"
            loc.district_code = stated_code
        elif loc.district_code is None:
            loc.flags["outside_seoul"] = f"{where}: 서울 경계 밖"
            loc.district_code = stated_code
        elif stated_code and stated_code != loc.district_code:
            loc.flags["district_mismatch"] = (
                f"표기 {rec.stated_district}, 좌표 {names_by_code.get(loc.district_code, loc.district_code)}"
            )
