"""Admin API: GET /api/admin/coverage (admins only, bearer token or session)."""

from __future__ import annotations

from flask import jsonify, request

from app.admin.coverage_report import MAX_MINUTES, parse_minutes, report_for
from app.auth.roles import api_roles_required
from app.auth.tokens import api_login_required
from app.errors import ApiError
from app.routing import Routes

bp = Routes()


@bp.get("/admin/coverage")
@api_login_required
@api_roles_required("admin")
def api_admin_coverage():
    minutes = parse_minutes(request.args.get("minutes"))
    if minutes is None:
        raise ApiError(
            "invalid_parameter", f"minutes: 0보다 크고 {MAX_MINUTES} 이하인 숫자여야 합니다", 400, parameter="minutes"
        )
    report = report_for(minutes)
    return jsonify(
        minutes=minutes,
        walk_m=report.walk_m,
        area_share=report.area_share,
        dong_share=report.dong_share,
        districts=[
            {"code": r.code, "name": r.name, "area_share": r.area_share, "dong_share": r.dong_share, "cafes": r.cafes}
            for r in report.rows
        ],
    )


def _error(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


OPENAPI_SCHEMAS = {
    "DistrictCoverage": {
        "type": "object",
        "required": ["code", "name", "area_share", "dong_share"],
        "properties": {
            "code": {"type": "string", "description": "자치구 코드 (5자리)"},
            "name": {"type": "string"},
            "area_share": {"type": "number", "minimum": 0, "maximum": 1, "description": "면적 중 도보권 비율"},
            "dong_share": {
                "type": ["number", "null"],
                "minimum": 0,
                "maximum": 1,
                "description": "행정동(중심점) 중 도보권 비율; 행정동 자료가 없으면 null",
            },
            "cafes": {"type": "integer", "description": "자치구 안 서울형 키즈카페 수"},
        },
    },
    "Coverage": {
        "type": "object",
        "required": ["walk_m", "districts"],
        "properties": {
            "minutes": {"type": "number"},
            "walk_m": {"type": "number", "description": "도보 거리 (분 × NADEURI_WALK_METRES_PER_MINUTE)"},
            "area_share": {"type": "number"},
            "dong_share": {"type": ["number", "null"]},
            "districts": {"type": "array", "items": {"$ref": "#/components/schemas/DistrictCoverage"}},
        },
    },
}

OPENAPI_PATHS = {
    "/api/admin/coverage": {
        "get": {
            "summary": "자치구별 키즈카페 도보권 커버리지 (관리자)",
            "tags": ["admin"],
            "security": [{"bearer": []}],
            "parameters": [
                {
                    "name": "minutes",
                    "in": "query",
                    "required": False,
                    "schema": {"type": "number", "exclusiveMinimum": 0, "maximum": MAX_MINUTES, "default": 10},
                    "description": "걷는 시간 (분)",
                }
            ],
            "responses": {
                "200": {
                    "description": "커버리지",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Coverage"}}},
                },
                "400": _error("minutes가 올바르지 않음 (invalid_parameter)"),
                "401": _error("로그인 필요"),
                "403": _error("관리자가 아님 (forbidden)"),
            },
        }
    },
}
