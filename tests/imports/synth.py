"""Synthetic source files for the importer tests: written per test, never copies of real data."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import geopandas as gpd

from app.imports.sources import LAYOUT_COLUMNS

# Known points (WGS84) and their districts.
CITY_HALL = (37.566470, 126.977963)  # 중구 11140
GANGNAM_OFFICE = (37.517236, 127.047325)  # 강남구 11680
MAPO_OFFICE = (37.566324, 126.901951)  # 마포구 11440
SONGPA_OFFICE = (37.514543, 127.105923)  # 송파구 11710
INCHEON = (37.456256, 126.705206)  # outside Seoul

KIDS_CAFE_COLUMNS = [
    "id",
    "name",
    "cafe_type",
    "district",
    "address",
    "phone",
    "age",
    "capacity",
    "image_url",
    "reserve_url",
    "detail_url",
    "operation_period",
    "operation_days",
    "closed_days",
    "feature_summary",
    "open_saturday",
    "open_sunday",
    "parking_available",
    "parking_info",
    "lat",
    "lng",
    "source_url",
]
TOILET_COLUMNS = [
    "연번",
    "도로명주소",
    "지번주소",
    "x 좌표",
    "y 좌표",
    "건물명",
    "구 명칭",
    "전화번호",
    "유형",
    "개방시간",
    "소재지 용도",
    "화장실 현황",
    "장애인화장실 현황",
    "편의시설 (기타설비)",
    "안내표지",
    "소재지",
    "비고",
]
DAYCARE_COLUMNS = list(LAYOUT_COLUMNS["daycare"]) + [
    "어린이집유형",
    "운영현황",
    "전화번호",
    "정원",
    "현원",
    "반수-만0세",
]


def to_tm(points: list[tuple[float, float]], crs: str) -> list[tuple[float, float]]:
    """WGS84 (lat, lon) → projected (x easting, y northing) in crs."""
    series = gpd.GeoSeries(gpd.points_from_xy([p[1] for p in points], [p[0] for p in points]), crs="EPSG:4326")
    return [(pt.x, pt.y) for pt in series.to_crs(crs)]


def csv_writer(buf, columns: list[str], rows: list[dict]) -> None:
    """Write rows to a text buffer (missing cells blank) with every field quoted, like the real files."""
    writer = csv.DictWriter(buf, fieldnames=columns, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: row.get(c, "") for c in columns})


def write_csv(path: Path, columns: list[str], rows: list[dict], encoding: str = "utf-8") -> Path:
    """Write rows (missing cells blank) with every field quoted, like the real files."""
    buf = io.StringIO()
    csv_writer(buf, columns, rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def kids_cafe(n: int, lat_lon: tuple, district: str, **kw) -> dict:
    row = dict(
        id=f"kc_{n:03d}",
        name=f"테스트 키즈카페 {n}",
        cafe_type="일반형 키즈카페",
        district=district,
        address=f"서울특별시 {district} 테스트로 {n}",
        phone="02-000-1234",
        age="4 ~ 10세 (연나이 기준) 2022년생 ~ 2016년생 (2026년도 기준)",
        capacity="개인 33 명 단체 33 명",
        operation_days="화~일",
        closed_days="월, 명절 및 공휴일, 근로자의 날",
        open_saturday="True",
        open_sunday="True",
        parking_available="True",
        parking_info="30분 무료",
        lat=str(lat_lon[0]),
        lng=str(lat_lon[1]),
    )
    row.update(kw)
    return row


def toilet(n: int, lat_lon: tuple, district: str, **kw) -> dict:
    row = {
        "연번": str(n),
        "도로명주소": f"서울특별시 {district} 화장실로 {n}",
        "지번주소": " ",
        "x 좌표": str(lat_lon[1]),
        "y 좌표": str(lat_lon[0]),
        "건물명": f"테스트 화장실 {n}",
        "구 명칭": district,
        "전화번호": " ",
        "유형": "공중",
        "개방시간": "정시(08:00~21:00)",
        "소재지 용도": " ",
        "화장실 현황": " ",
        "장애인화장실 현황": "기저귀교환대1유아용보호의자1",
        "편의시설 (기타설비)": " ",
        "안내표지": " ",
        "소재지": " ",
        "비고": " ",
    }
    row.update(kw)
    return row


def cot_item(n: int, lat_lon: tuple | None, address: str, **kw) -> dict:
    item = {
        "COT_CONTS_ID": f"okzone_{n}",
        "COT_CONTS_NAME": f"오케이 식당 {n}",
        "COT_ADDR_FULL_NEW": address,
        "COT_COORD_X": str(lat_lon[1]) if lat_lon else "",
        "COT_COORD_Y": str(lat_lon[0]) if lat_lon else "",
        "COT_THEME_ID": "1669595282433",
        "COT_VALUE_01": "한식",
    }
    item.update(kw)
    return item


def write_cot(path: Path, items: list[dict]) -> Path:
    body = {"header": {"resultCode": "200", "TOTAL_COUNT": len(items), "PAGE_COUNT": 1}, "body": items}
    path.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    return path
