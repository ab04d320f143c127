"""Search parameters → SearchQuery: one parser for the API (/api/facilities) and the finder page."""

from __future__ import annotations

from flask import current_app

from app.errors import ApiError
from app.facilities import services
from app.facilities.choices import FacilityKind
from app.facilities.models import AMENITIES
from app.geo.districts import SEOUL_MARGIN_DEG, bundled_index
from app.params import choices, moment, number


def _district_code(raw: str | None) -> str | None:
    if not raw:
        return None
    index = bundled_index()
    raw = raw.strip()
    if raw in index.names:
        return raw
    for code, name in index.names.items():
        if name == raw:
            return code
    raise ApiError("invalid_parameter", f"district: 알 수 없는 자치구 {raw!r}", 400, parameter="district")


def _check_point(lat: float, lon: float) -> None:
    if 124 <= lat <= 132 and 33 <= lon <= 39:
        raise ApiError("swapped_coordinates", "위도와 경도가 바뀐 것 같습니다 (서울: lat≈37.5, lon≈127.0)", 400)
    if not -90 <= lat <= 90:
        raise ApiError("invalid_parameter", "lat: -90에서 90 사이여야 합니다", 400, parameter="lat")
    if not -180 <= lon <= 180:
        raise ApiError("invalid_parameter", "lon: -180에서 180 사이여야 합니다", 400, parameter="lon")
    if not bundled_index().in_seoul(lat, lon, SEOUL_MARGIN_DEG):
        raise ApiError("outside_seoul", "서울 밖의 지점입니다. 서울 안의 위치로 검색해 주세요", 400)


def parse_search(args) -> services.SearchQuery:
    """Turn query parameters into a SearchQuery, or raise ApiError (400)."""
    cfg = current_app.config
    lat, lon = number(args, "lat"), number(args, "lon")
    district = _district_code(args.get("district"))
    if (lat is None) != (lon is None):
        raise ApiError(
            "invalid_parameter", "lat과 lon은 함께 주어야 합니다", 400, parameter="lon" if lon is None else "lat"
        )
    if lat is None and district is None:
        raise ApiError("invalid_parameter", "lat·lon 또는 district 중 하나는 필요합니다", 400, parameter="district")
    if lat is not None:
        _check_point(lat, lon)
    return services.SearchQuery(
        lat=lat,
        lon=lon,
        radius_m=number(args, "radius_m", 1000, minimum=1, maximum=cfg["SEARCH_MAX_RADIUS_M"]),
        kinds=choices(args, "kind", FacilityKind.values()),
        age=number(args, "age", minimum=0, maximum=18, integer=True),
        open_at=moment(args, "open_at"),
        amenities=choices(args, "amenity", AMENITIES),
        district=district,
        limit=number(args, "limit", 50, minimum=1, maximum=cfg["SEARCH_MAX_LIMIT"], integer=True),
        offset=number(args, "offset", 0, minimum=0, integer=True),
    )
