"""Children API: GET/POST /api/children, GET/PATCH/DELETE /api/children/<id> (a parent's own children only)."""

from __future__ import annotations

from flask import current_app, jsonify

from app.auth import services
from app.auth.tokens import api_login_required, current_api_user
from app.bookings.children import remove_child
from app.database import unit_of_work
from app.errors import ApiError
from app.extensions import db
from app.params import DATE_SCHEMA, id_param, items_response, json_body, json_content, json_response
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


def _child_fields(body: dict, partial: bool) -> tuple[str | None, object]:
    """The name and birth date sent (their rules: add_child / update_child); with `partial`, absent is None."""
    name = body.get("name")
    if name is not None and not isinstance(name, str):
        raise ApiError("invalid_name", "name: 문자열이어야 합니다", 422, parameter="name")
    raw_date = body.get("birth_date")
    if partial and raw_date is None:
        return name, None
    birth_date = services.parse_birth_date(raw_date) if isinstance(raw_date, str) else None
    if partial and birth_date is None:
        raise ApiError("invalid_birth_date", "birth_date: YYYY-MM-DD 형식이어야 합니다", 422, parameter="birth_date")
    return name, birth_date


@bp.post("/children")
@api_login_required
def api_add_child():
    body = json_body()
    name, birth_date = _child_fields(body, partial=False)
    now = utcnow()
    with unit_of_work():
        child = services.add_child(
            db.session,
            current_api_user(),
            name,
            birth_date,
            now.astimezone(KST).date(),
            consent=body.get("consent"),
            policy_version=current_app.config["PRIVACY_POLICY_VERSION"],
            now=now,
        )
    return jsonify(child_json(child)), 201


@bp.patch("/children/<id:child_id>")
@api_login_required
def api_update_child(child_id: int):
    name, birth_date = _child_fields(json_body(), partial=True)
    today = utcnow().astimezone(KST).date()
    with unit_of_work():
        child = services.update_child(db.session, current_api_user(), child_id, name, birth_date, today)
        body = child_json(child)
    return jsonify(body)


@bp.delete("/children/<id:child_id>")
@api_login_required
def api_remove_child(child_id: int):
    with unit_of_work():
        remove_child(db.session, current_api_user(), child_id, utcnow())
    return "", 204


@bp.get("/children/<id:child_id>")
@api_login_required
def api_child(child_id: int):
    child = services.child_of(db.session, current_api_user(), child_id)
    if child is None:  # another parent's child is indistinguishable from a missing one
        raise ApiError("not_found", "아이를 찾을 수 없습니다", 404)
    return jsonify(child_json(child))


_UNAUTHORIZED = json_response("토큰 없음·만료·잘못됨 (unauthorized)")
_NOT_FOUND = json_response("없거나 다른 보호자의 아이")
_NAME = {
    "type": "string",
    "minLength": 1,
    "maxLength": services.CHILD_NAME_MAX_LENGTH,
    "description": "제어·양방향(bidi)·폭 없는 문자는 쓸 수 없음",
}
_BIRTH_DATE = {**DATE_SCHEMA, "description": "YYYY-MM-DD, 미래가 아니고 만 13세 이하"}
_DUPLICATE = json_response("같은 이름·생년월일의 아이가 이미 있음 (duplicate_child)")

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
        "required": ["name", "birth_date", "consent"],
        "properties": {
            "name": _NAME,
            "birth_date": _BIRTH_DATE,
            "consent": {
                "type": "boolean",
                "description": "보호자의 개인정보 수집·이용 동의 (/privacy). true가 아니면 422 consent_required",
            },
        },
    },
    "ChildUpdate": {
        "type": "object",
        "description": "보낸 항목만 바꿈",
        "properties": {"name": _NAME, "birth_date": _BIRTH_DATE},
    },
}

_AUTH = {"tags": ["children"], "security": [{"bearer": []}]}
_ONE_CHILD = {**_AUTH, "parameters": [id_param("child_id", "child id")]}

OPENAPI_PATHS = {
    "/api/children": {
        "get": {
            **_AUTH,
            "summary": "내 아이 목록",
            "responses": {"200": items_response("아이들", "Child"), "401": _UNAUTHORIZED},
        },
        "post": {
            **_AUTH,
            "summary": "아이 등록 (이름과 생년월일만 저장, 보호자 동의 필요)",
            "requestBody": {"required": True, "content": json_content("ChildRequest")},
            "responses": {
                "201": json_response("등록된 아이", "Child"),
                "400": json_response("JSON 본문이 아님"),
                "401": _UNAUTHORIZED,
                "409": _DUPLICATE,
                "422": json_response("이름·생년월일 규칙 위반, 또는 동의 없음 (consent_required)"),
            },
        },
    },
    "/api/children/{child_id}": {
        "get": {
            **_ONE_CHILD,
            "summary": "내 아이 한 명",
            "responses": {"200": json_response("아이", "Child"), "401": _UNAUTHORIZED, "404": _NOT_FOUND},
        },
        "patch": {
            **_ONE_CHILD,
            "summary": "아이 이름·생년월일 고치기",
            "requestBody": {"required": True, "content": json_content("ChildUpdate")},
            "responses": {
                "200": json_response("고친 아이", "Child"),
                "400": json_response("JSON 본문이 아님"),
                "401": _UNAUTHORIZED,
                "404": _NOT_FOUND,
                "409": _DUPLICATE,
                "422": json_response("이름·생년월일 규칙 위반"),
            },
        },
        "delete": {
            **_ONE_CHILD,
            "summary": "아이 삭제 (다가오는 예약이 있으면 거절)",
            "responses": {
                "204": {"description": "삭제됨"},
                "401": _UNAUTHORIZED,
                "404": _NOT_FOUND,
                "409": json_response("다가오는 예약이 있음: 먼저 취소 (child_has_bookings)"),
            },
        },
    },
}
