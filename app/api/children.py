"""Children API: GET/POST /api/children, GET /api/children/<id> (a parent's own children only)."""

from __future__ import annotations

from flask import jsonify

from app.auth import services
from app.auth.tokens import api_login_required, current_api_user
from app.database import unit_of_work
from app.errors import ApiError
from app.extensions import db
from app.params import DATE_SCHEMA, id_param, json_body
from app.routing import Routes
from app.timeutil import KST, utcnow

bp = Routes()


def child_json(child) -> dict:
    """The public shape of a child."""
    return {"id": child.id, "name": child.name, "birth_date": child.birth_date.isoformat()}


@bp.get("/children")
@api_login_required
def api_children():
    kids = services.children_of(db.session, current_api_user())
    return jsonify(items=[child_json(c) for c in kids])


@bp.post("/children")
@api_login_required
def api_add_child():
    body = json_body()
    name = body.get("name")
    if name is not None and not isinstance(name, str):
        raise ApiError("invalid_name", "name: 문자열이어야 합니다", 422, parameter="name")  # its rules: add_child
    raw_date = body.get("birth_date")
    birth_date = services.parse_birth_date(raw_date) if isinstance(raw_date, str) else None
    today = utcnow().astimezone(KST).date()
    with unit_of_work():
        child = services.add_child(db.session, current_api_user(), name, birth_date, today)
    return jsonify(child_json(child)), 201


@bp.get("/children/<id:child_id>")
@api_login_required
def api_child(child_id: int):
    child = services.child_of(db.session, current_api_user(), child_id)
    if child is None:  # another parent's child is indistinguishable from a missing one
        raise ApiError("not_found", "아이를 찾을 수 없습니다", 404)
    return jsonify(child_json(child))


def _json(ref: str) -> dict:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}


_UNAUTHORIZED = {"description": "토큰 없음·만료·잘못됨 (unauthorized)", "content": _json("Error")}

OPENAPI_SCHEMAS = {
    "Child": {
        "type": "object",
        "required": ["id", "name", "birth_date"],
        "properties": {
            "id": {"type": "integer"},
            "name": {"type": "string", "maxLength": services.CHILD_NAME_MAX_LENGTH},
            "birth_date": {"type": "string", "format": "date"},
        },
    },
    "ChildRequest": {
        "type": "object",
        "required": ["name", "birth_date"],
        "properties": {
            "name": {
                "type": "string",
                "minLength": 1,
                "maxLength": services.CHILD_NAME_MAX_LENGTH,
                "description": "제어·양방향(bidi)·폭 없는 문자는 쓸 수 없음",
            },
            "birth_date": {**DATE_SCHEMA, "description": "YYYY-MM-DD, 미래가 아니고 만 13세 이하"},
        },
    },
}

OPENAPI_PATHS = {
    "/api/children": {
        "get": {
            "summary": "내 아이 목록",
            "tags": ["children"],
            "security": [{"bearer": []}],
            "responses": {
                "200": {
                    "description": "아이들",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "items": {"type": "array", "items": {"$ref": "#/components/schemas/Child"}}
                                },
                            }
                        }
                    },
                },
                "401": _UNAUTHORIZED,
            },
        },
        "post": {
            "summary": "아이 등록 (이름과 생년월일만 저장)",
            "tags": ["children"],
            "security": [{"bearer": []}],
            "requestBody": {"required": True, "content": _json("ChildRequest")},
            "responses": {
                "201": {"description": "등록된 아이", "content": _json("Child")},
                "400": {"description": "JSON 본문이 아님", "content": _json("Error")},
                "401": _UNAUTHORIZED,
                "422": {"description": "이름·생년월일 규칙 위반", "content": _json("Error")},
            },
        },
    },
    "/api/children/{child_id}": {
        "get": {
            "summary": "내 아이 한 명",
            "tags": ["children"],
            "security": [{"bearer": []}],
            "parameters": [id_param("child_id", "child id")],
            "responses": {
                "200": {"description": "아이", "content": _json("Child")},
                "401": _UNAUTHORIZED,
                "404": {"description": "없거나 다른 보호자의 아이", "content": _json("Error")},
            },
        },
    },
}
