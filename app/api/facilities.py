"""Facility finder API: /api/facilities, /api/facilities/<id>, /api/districts, /api/openapi.json."""

from __future__ import annotations

from datetime import datetime

from flask import jsonify, request

from app.api.openapi import build_spec
from app.errors import ApiError
from app.extensions import db
from app.facilities import services
from app.facilities.choices import FacilityKind
from app.facilities.models import AMENITIES
from app.facilities.search import parse_search
from app.geo.districts import bundled_index
from app.params import id_param, number, object_schema
from app.routing import Routes
from app.timeutil import KST
from app.validation import DATE_MAX, DATE_MIN, ID_MAX

bp = Routes()


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
    return jsonify(build_spec())


def _param(name: str, schema: dict, description: str, required: bool = False, where: str = "query") -> dict:
    return {"name": name, "in": where, "required": required, "schema": schema, "description": description}


_ERROR = {
    "description": "잘못된 요청",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
}
_NOT_FOUND = {**_ERROR, "description": "없음"}

_TEXT_OR_NULL = {"type": ["string", "null"]}


def _nullable(json_type: str, names: str) -> dict:
    """{name: {"type": [json_type, "null"]}} for each space-separated name."""
    return {name: {"type": [json_type, "null"]} for name in names.split()}


def _json(schema: dict) -> dict:
    return {"application/json": {"schema": schema}}


OPENAPI_SCHEMAS = {
    "FacilityDetail": {
        "type": "object",
        "required": ["id", "kind", "name", "lat", "lon", "amenities", "bookable", "details", "flags", "demo"],
        "properties": {
            "id": {"type": "integer"},
            "kind": {"type": "string", "enum": list(FacilityKind.values())},
            "kind_label": {"type": "string"},
            "name": {"type": "string"},
            **_nullable("string", "address phone district district_name open_days opens_at closes_at"),
            **_nullable("string", "hours_today hours_text days_text closed_days_text"),
            **_nullable("number", "lat lon"),
            **_nullable("integer", "age_min age_max capacity_individual capacity_group"),
            **_nullable("boolean", "always_open closed_on_holidays"),
            "amenities": {"type": "array", "items": {"type": "string"}},
            "bookable": {"type": "boolean"},
            "details": {"type": "object"},
            "flags": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["reason", "status"],
                    "properties": {"reason": {"type": "string"}, "detail": _TEXT_OR_NULL, "status": {"type": "string"}},
                },
            },
            "source": _TEXT_OR_NULL,
            "demo": {"type": "boolean"},
        },
    },
    "District": object_schema(
        ["code", "name", "counts"],
        {
            "code": {"type": "string"},
            "name": {"type": "string"},
            "name_en": _TEXT_OR_NULL,
            "lat": {"type": ["number", "null"]},
            "lon": {"type": ["number", "null"]},
            "counts": {"type": "object", "additionalProperties": {"type": "integer"}},
        },
    ),
    "FacilityItem": {
        "type": "object",
        "required": ["id", "kind", "name", "address", "district", "lat", "lon", "distance_m"],
        "properties": {
            "id": {"type": "integer"},
            "kind": {"type": "string", "enum": list(FacilityKind.values())},
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
    "/api/facilities": {
        "get": {
            "summary": "가까운 순 시설 검색 (Facilities near a point or in a district, nearest first)",
            "parameters": [
                _param("lat", {"type": "number"}, "WGS84 latitude; with lon, or give district"),
                _param("lon", {"type": "number"}, "WGS84 longitude"),
                _param(
                    "radius_m", {"type": "number", "default": 1000, "minimum": 1, "maximum": 20000}, "search radius"
                ),
                _param(
                    "kind",
                    {"type": "string"},
                    "one or more of " + ", ".join(FacilityKind.values()) + " (repeat or comma-separate)",
                ),
                _param("age", {"type": "integer", "minimum": 0, "maximum": 18}, "child's age in years"),
                _param(
                    "open_at",
                    {"type": "string", "format": "date-time"},
                    f"open at this moment (ISO 8601; no zone = Asia/Seoul; or 'now'; {DATE_MIN} … {DATE_MAX});"
                    " public holidays count",
                ),
                _param("amenity", {"type": "string"}, "required amenities: " + ", ".join(AMENITIES)),
                _param("district", {"type": "string"}, "자치구 code (11110…11740) or Korean name"),
                _param("limit", {"type": "integer", "default": 50, "minimum": 1, "maximum": 200}, "page size"),
                _param(
                    "offset",
                    {"type": "integer", "format": "int32", "default": 0, "minimum": 0, "maximum": ID_MAX},
                    "page start",
                ),
            ],
            "responses": {
                "200": {
                    "description": "결과",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["items", "total"],
                                "properties": {
                                    "items": {"type": "array", "items": {"$ref": "#/components/schemas/FacilityItem"}},
                                    "total": {"type": "integer"},
                                    "center": {"type": "object"},
                                },
                            }
                        }
                    },
                },
                "400": _ERROR,
            },
        }
    },
    "/api/facilities/{facility_id}": {
        "get": {
            "summary": "시설 상세 (One facility)",
            "parameters": [id_param("facility_id", "facility id")],
            "responses": {
                "200": {"description": "시설", "content": _json({"$ref": "#/components/schemas/FacilityDetail"})},
                "404": _NOT_FOUND,
            },
        }
    },
    "/api/districts": {
        "get": {
            "summary": "25개 자치구와 종류별 시설 수 (Districts with counts per kind)",
            "responses": {
                "200": {
                    "description": "자치구 목록",
                    "content": _json(
                        {
                            "type": "object",
                            "required": ["items"],
                            "properties": {
                                "items": {"type": "array", "items": {"$ref": "#/components/schemas/District"}}
                            },
                        }
                    ),
                }
            },
        }
    },
    "/api/districts/at": {
        "get": {
            "summary": "이 지점은 어느 자치구? (Which district is this point in)",
            "parameters": [
                _param("lat", {"type": "number"}, "latitude", True),
                _param("lon", {"type": "number"}, "longitude", True),
            ],
            "responses": {
                "200": {
                    "description": "자치구",
                    "content": _json(
                        {
                            "type": "object",
                            "required": ["code", "name"],
                            "properties": {"code": {"type": "string"}, "name": {"type": "string"}},
                        }
                    ),
                },
                "400": _ERROR,
                "404": _NOT_FOUND,
            },
        }
    },
    "/api/openapi.json": {
        "get": {
            "summary": "이 문서 (This OpenAPI document)",
            "responses": {
                "200": {
                    "description": "OpenAPI 3.1",
                    "content": _json({"type": "object", "required": ["openapi", "paths"]}),
                }
            },
        }
    },
}
