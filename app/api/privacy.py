"""Personal-data API: GET /api/me/export, DELETE /api/me (a parent's own), and staff revealing a guardian's contact
(POST /api/operator/bookings/<id>/contact, with a reason, written to the access log)."""

from __future__ import annotations

from flask import jsonify

from app.api.operator import _booking, _staff
from app.auth.tokens import api_login_required, current_api_user
from app.database import unit_of_work
from app.extensions import db
from app.operators.people import REASON_MAX_LENGTH, reveal_contact
from app.params import id_param, json_body, json_content, json_response
from app.privacy.account import delete_account, export_data
from app.routing import Routes
from app.timeutil import utcnow

bp = Routes()


@bp.get("/me/export")
@api_login_required
def api_me_export():
    response = jsonify(export_data(db.session, current_api_user(), utcnow()))
    response.headers["Content-Disposition"] = 'attachment; filename="nadeuri-my-data.json"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.delete("/me")
@api_login_required
def api_me_delete():
    password = json_body().get("password")
    with unit_of_work():
        cancelled = delete_account(db.session, current_api_user(), password, utcnow())
    return jsonify(deleted=True, cancelled_bookings=cancelled)


@bp.post("/operator/bookings/<id:booking_id>/contact")
@_staff
def api_operator_contact(booking_id: int):
    booking = _booking(booking_id)  # another facility's staff: 403 before the body is read
    reason = json_body().get("reason")
    reason = reason if isinstance(reason, str) else None  # not text: refused as no reason given
    with unit_of_work():
        shown = reveal_contact(db.session, current_api_user(), booking, reason, utcnow())
    return jsonify(shown)


_AUTH = {"security": [{"bearer": []}], "tags": ["privacy"]}
_TIME = {"type": ["string", "null"], "format": "date-time"}
_TEXT = {"type": "string"}
_UNAUTHORIZED = json_response("토큰 없음·만료·잘못됨 (unauthorized)")


def _object(properties: dict, required: list[str] | None = None) -> dict:
    return {"type": "object", "required": required or [], "properties": properties}


OPENAPI_SCHEMAS = {
    "MyData": _object(
        {
            "exported_at": _TIME,
            "account": _object(
                {
                    "id": {"type": "integer"},
                    "email": _TEXT,
                    "name": _TEXT,
                    "role": _TEXT,
                    "created_at": _TIME,
                    "banned_until": _TIME,
                }
            ),
            "children": {"type": "array", "items": _object({"name": _TEXT, "birth_date": _TEXT, "consent_at": _TIME})},
            "bookings": {"type": "array", "items": _object({"code": _TEXT, "facility": _TEXT, "status": _TEXT})},
            "contact_accesses": {
                "type": "array",
                "items": _object({"at": _TIME, "facility": {"type": ["string", "null"]}, "reason": _TEXT}),
            },
        },
        ["account", "children", "bookings", "contact_accesses"],
    ),
    "DeleteMe": _object({"password": {**_TEXT, "description": "본인 확인: 지금 비밀번호"}}, ["password"]),
    "Deleted": _object(
        {"deleted": {"type": "boolean"}, "cancelled_bookings": {"type": "array", "items": _TEXT}},
        ["deleted", "cancelled_bookings"],
    ),
    "RevealRequest": _object(
        {"reason": {**_TEXT, "minLength": 1, "maxLength": REASON_MAX_LENGTH, "description": "열람 기록에 남는 이유"}},
        ["reason"],
    ),
    "RevealedContact": _object({"code": _TEXT, "guardian": _TEXT, "contact": _TEXT}, ["code", "guardian", "contact"]),
}

OPENAPI_PATHS = {
    "/api/me/export": {
        "get": {
            **_AUTH,
            "summary": "내 정보 내려받기 (계정, 아이, 예약, 내 연락처 열람 기록)",
            "responses": {"200": json_response("내 정보 JSON", "MyData"), "401": _UNAUTHORIZED},
        }
    },
    "/api/me": {
        "delete": {
            **_AUTH,
            "summary": "계정 삭제: 다가오는 예약 취소, 아이·이름·이메일 삭제, 로그인·토큰 막힘",
            "requestBody": {"required": True, "content": json_content("DeleteMe")},
            "responses": {
                "200": json_response("삭제됨", "Deleted"),
                "401": _UNAUTHORIZED,
                "403": json_response("보호자 계정이 아님 (parents_only) 또는 비밀번호가 틀림 (wrong_password)"),
            },
        }
    },
    "/api/operator/bookings/{booking_id}/contact": {
        "post": {
            **_AUTH,
            "summary": "보호자 연락처 보기: 이유가 열람 기록에 남음 (그 시설 운영자·관리자만)",
            "parameters": [id_param("booking_id", "booking id")],
            "requestBody": {"required": True, "content": json_content("RevealRequest")},
            "responses": {
                "200": json_response("가리지 않은 이름과 이메일", "RevealedContact"),
                "401": _UNAUTHORIZED,
                "403": json_response("운영자·관리자가 아니거나 담당 시설이 아님"),
                "404": json_response("없음"),
                "409": json_response("볼 연락처가 없음: 현장 접수·탈퇴·익명 처리 (no_contact)"),
                "422": json_response("이유 없음 (reason_required) 또는 쓸 수 없는 문자 (invalid_reason)"),
            },
        }
    },
}
