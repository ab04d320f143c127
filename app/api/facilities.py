"""Facility finder API: /api/facilities, /api/facilities/<id>, /api/districts, /api/openapi.json."""
from __future__ import annotations


from datetime import datetime

from flask import current_app, jsonify, request

from app.api import bp
from app.api.errors import ApiError
from app.api.params import choices, id_param, moment, number
from app.extensions import db
from app.facilities import services
from app.facilities.models import AMENITIES, KINDS
from app.geo.districts import SEOUL_MARGIN_DEG, bundled_index
from app.timeutil import KST
from app.validation import DATE_MAX, DATE_MIN, ID_MAX



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
        raise ApiError("invalid_parameter", "lat과 lon은 함께 주어야 합니다", 400, parameter="lon" if lon is None else "lat")
    if lat is None and district is None:
        raise ApiError("invalid_parameter", "lat·lon 또는 district 중 하나는 필요합니다", 400, parameter="district")
    if lat is not None:
        _check_point(lat, lon)
    return services.SearchQuery(
        lat=lat,
        lon=lon,
        radius_m=number(args, "radius_m", 1000, minimum=1, maximum=cfg["SEARCH_MAX_RADIUS_M"]),
        kinds=choices(args, "kind", KINDS),
        age=number(args, "age", minimum=0, maximum=18, integer=True),
        open_at=moment(args, "open_at"),
        amenities=choices(args, "amenity", AMENITIES),
        district=district,
        limit=number(args, "limit", 50, minimum=1, maximum=cfg["SEARCH_MAX_LIMIT"], integer=True),
        offset=number(args, "offset", 0, minimum=0, integer=True),
    )


@bp.get("/facilities")
def list_facilities():
    query = parse_search(request.args)
    result = services.search(db.session.connection(), query)
    return jsonify(items=result.items, total=result.total, center={"lat": result.center[0], "lon": result.center[1]})


@bp.get("/facilities/<id:facility_id>")
def get_facility(facility_id: int):
    facility = services.get_facility(facility_id)
    if facility is None:
        raise ApiError("not_found", "시설을 찾을 수 없습니다", 404)
    return jsonify(services.facility_detail(facility, datetime.now(KST).date()))


@bp.get("/districts")
def list_districts():
    return jsonify(items=services.district_counts(db.session.connection()))


@bp.get("/districts/at")
def district_at():
    lat = number(request.args, "lat", minimum=-90, maximum=90)
    lon = number(request.args, "lon", minimum=-180, maximum=180)
    if lat is None or lon is None:
        raise ApiError("invalid_parameter", "lat과 lon이 필요합니다", 400)
    code = bundled_index().code_at(lat, lon)
    if code is None:
        raise ApiError("outside_seoul", "서울 밖의 지점입니다", 404)
    return jsonify(code=code, name=bundled_index().names[code])


@bp.get("/openapi.json")
def openapi():
    from app.api.openapi import build_spec

    return jsonify(build_spec())





def _param(name: str, schema: dict, description: str, required: bool = False, where: str = "query") -> dict:
    return {"name": name, "in": where, "required": required, "schema": schema, "description": description}


_ERROR = {"description": "잘못된 요청", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
_NOT_FOUND = {**_ERROR, "description": "없음"}

_TEXT_OR_NULL = {"type": ["string", "null"]}
_INT_OR_NULL = {"type": ["integer", "null"]}


def _json(schema: dict) -> dict:
    return {"application/json": {"schema": schema}}


OPENAPI_SCHEMAS = {
    "FacilityDetail": {
        "type": "object",
        "required": ["id", "kind", "name", "lat", "lon", "amenities", "bookable", "details", "flags", "demo"],
        "properties": {
            "id": {"type": "integer"}, "kind": {"type": "string", "enum": list(KINDS)}, "kind_label": {"type": "string"},
            "name": {"type": "string"}, "address": _TEXT_OR_NULL, "phone": _TEXT_OR_NULL,
            "district": _TEXT_OR_NULL, "district_name": _TEXT_OR_NULL,
            "lat": {"type": ["number", "null"]}, "lon": {"type": ["number", "null"]},
            "age_min": _INT_OR_NULL, "age_max": _INT_OR_NULL,
            "capacity_individual": _INT_OR_NULL, "capacity_group": _INT_OR_NULL,
            "open_days": _TEXT_OR_NULL, "opens_at": _TEXT_OR_NULL, "closes_at": _TEXT_OR_NULL,
            "always_open": {"type": ["boolean", "null"]}, "closed_on_holidays": {"type": ["boolean", "null"]},
            "hours_today": _TEXT_OR_NULL, "hours_text": _TEXT_OR_NULL, "days_text": _TEXT_OR_NULL,
            "closed_days_text": _TEXT_OR_NULL,
            "amenities": {"type": "array", "items": {"type": "string"}},
            "bookable": {"type": "boolean"}, "details": {"type": "object"},
            "flags": {"type": "array", "items": {"type": "object", "required": ["reason", "status"], "properties": {
                "reason": {"type": "string"}, "detail": _TEXT_OR_NULL, "status": {"type": "string"}}}},
            "source": _TEXT_OR_NULL, "demo": {"type": "boolean"},
        },
    },
    "District": {
        "type": "object", "required": ["code", "name", "counts"],
        "properties": {"code": {"type": "string"}, "name": {"type": "string"}, "name_en": _TEXT_OR_NULL,
                       "lat": {"type": ["number", "null"]}, "lon": {"type": ["number", "null"]},
                       "counts": {"type": "object", "additionalProperties": {"type": "integer"}}},
    },
    "FacilityItem": {
        "type": "object",
        "required": ["id", "kind", "name", "address", "district", "lat", "lon", "distance_m"],
        "properties": {
            "id": {"type": "integer"},
            "kind": {"type": "string", "enum": list(KINDS)},
            "name": {"type": "string"},
            "address": {"type": ["string", "null"]},
            "district": {"type": ["string", "null"], "description": "5-digit 자치구 code"},
            "lat": {"type": "number"},
            "lon": {"type": "number"},
            "distance_m": {"type": ["number", "null"]},
            "amenities": {"type": "array", "items": {"type": "string", "enum": list(AMENITIES)}},
            "hours_today": {"type": "string"},
            "bookable": {"type": "boolean"},
            "demo": {"type": "boolean"},
        },
    },
}

OPENAPI_PATHS = {
    "/api/facilities": {"get": {
        "summary": "가까운 순 시설 검색 (Facilities near a point or in a district, nearest first)",
        "parameters": [
            _param("lat", {"type": "number"}, "WGS84 latitude; with lon, or give district"),
            _param("lon", {"type": "number"}, "WGS84 longitude"),
            _param("radius_m", {"type": "number", "default": 1000, "minimum": 1, "maximum": 20000}, "search radius"),
            _param("kind", {"type": "string"}, "one or more of " + ", ".join(KINDS) + " (repeat or comma-separate)"),
            _param("age", {"type": "integer", "minimum": 0, "maximum": 18}, "child's age in years"),
            _param("open_at", {"type": "string", "format": "date-time"},
                   f"open at this moment (ISO 8601; no zone = Asia/Seoul; or 'now'; {DATE_MIN} … {DATE_MAX});"
                   " public holidays count"),
            _param("amenity", {"type": "string"}, "required amenities: " + ", ".join(AMENITIES)),
            _param("district", {"type": "string"}, "자치구 code (11110…11740) or Korean name"),
            _param("limit", {"type": "integer", "default": 50, "minimum": 1, "maximum": 200}, "page size"),
            _param("offset", {"type": "integer", "format": "int32", "default": 0, "minimum": 0, "maximum": ID_MAX},
                   "page start"),
        ],
        "responses": {
            "200": {"description": "결과", "content": {"application/json": {"schema": {
                "type": "object", "required": ["items", "total"],
                "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/FacilityItem"}},
                               "total": {"type": "integer"}, "center": {"type": "object"}}}}}},
            "400": _ERROR,
        },
    }},
    "/api/facilities/{facility_id}": {"get": {
        "summary": "시설 상세 (One facility)",
        "parameters": [id_param("facility_id", "facility id")],
        "responses": {"200": {"description": "시설", "content": _json({"$ref": "#/components/schemas/FacilityDetail"})},
                      "404": _NOT_FOUND},
    }},
    "/api/districts": {"get": {
        "summary": "25개 자치구와 종류별 시설 수 (Districts with counts per kind)",
        "responses": {"200": {"description": "자치구 목록", "content": _json({
            "type": "object", "required": ["items"],
            "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/District"}}}})}},
    }},
    "/api/districts/at": {"get": {
        "summary": "이 지점은 어느 자치구? (Which district is this point in)",
        "parameters": [_param("lat", {"type": "number"}, "latitude", True), _param("lon", {"type": "number"}, "longitude", True)],
        "responses": {"200": {"description": "자치구", "content": _json({
            "type": "object", "required": ["code", "name"],
            "properties": {"code": {"type": "string"}, "name": {"type": "string"}}})},
                      "400": _ERROR, "404": _NOT_FOUND},
    }},
    "/api/openapi.json": {"get": {"summary": "이 문서 (This OpenAPI document)", "responses": {"200": {"description": "OpenAPI 3.1", "content": _json({
        "type": "object", "required": ["openapi", "paths"]})}}}},
}
