"""Place look-up for the search box: /api/places?q= (no internet geocoder)."""

from __future__ import annotations

from flask import jsonify, request

from app.errors import ApiError
from app.extensions import db
from app.facilities.places import find_places
from app.params import number
from app.routing import Routes

bp = Routes()

MAX_QUERY_CHARS = 100


@bp.get("/places")
def list_places():
    q = (request.args.get("q") or "").strip()
    if not q:
        raise ApiError(
            "invalid_parameter", "q: 찾을 장소를 입력해 주세요 (예: 강남구, 합정동, 세종대로)", 400, parameter="q"
        )
    if len(q) > MAX_QUERY_CHARS:
        raise ApiError("invalid_parameter", f"q: {MAX_QUERY_CHARS}자 이하로 입력해 주세요", 400, parameter="q")
    limit = number(request.args, "limit", 10, minimum=1, maximum=50, integer=True)
    return jsonify(query=q, items=find_places(db.session.connection(), q, limit))


OPENAPI_SCHEMAS = {
    "Place": {
        "type": "object",
        "required": ["type", "label", "lat", "lon"],
        "properties": {
            "type": {"type": "string", "enum": ["district", "dong", "address", "facility"]},
            "label": {"type": "string", "description": "what to show, e.g. 서울 강남구 or 중구 세종대로"},
            "lat": {"type": "number"},
            "lon": {"type": "number"},
            "district": {"type": ["string", "null"], "description": "5-digit 자치구 code"},
            "count": {"type": ["integer", "null"], "description": "facilities sharing this address part"},
            "detail": {
                "type": "string",
                "description": "only for type=dong: 행정동 or 법정동, and the 행정동 it joins",
            },
            "facility_id": {"type": "integer", "description": "only for type=facility"},
            "address": {"type": ["string", "null"], "description": "only for type=facility"},
        },
    },
}

OPENAPI_PATHS = {
    "/api/places": {
        "get": {
            "summary": "장소 찾기: 자치구·동·도로명·시설 이름으로 중심점 후보 (Place candidates, best first)",
            "parameters": [
                {
                    "name": "q",
                    "in": "query",
                    "required": True,
                    "schema": {"type": "string", "maxLength": 100},
                    "description": "자치구(강남구), 동(합정동, 마포구 망원동), 주소 일부(세종대로) 또는 시설 이름",
                },
                {
                    "name": "limit",
                    "in": "query",
                    "required": False,
                    "schema": {"type": "integer", "default": 10, "minimum": 1, "maximum": 50},
                    "description": "최대 후보 수",
                },
            ],
            "responses": {
                "200": {
                    "description": "후보 (없으면 빈 목록)",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["query", "items"],
                                "properties": {
                                    "query": {"type": "string"},
                                    "items": {"type": "array", "items": {"$ref": "#/components/schemas/Place"}},
                                },
                            }
                        }
                    },
                },
                "400": {
                    "description": "잘못된 요청",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                },
            },
        }
    },
}
