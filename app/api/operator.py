"""Operator API (bearer token): a slot's roster, check-in, no-show and slot capacity.

Operators reach only the facilities assigned to them (another facility → 403), admins every one.
"""

from __future__ import annotations

from app.auth.roles import api_roles_required, can_manage_facility
from app.auth.tokens import api_login_required, current_api_user
from app.bookings.choices import BookingStatus
from app.bookings.models import Booking, Slot
from app.database import unit_of_work
from app.errors import ApiError
from app.extensions import db
from app.operators import services
from app.params import body_int, id_param, json_body, object_schema
from app.routing import Routes
from app.timeutil import KST, kst_iso, utcnow
from app.validation import CAPACITY_MAX

bp = Routes()

STAFF = ("operator", "admin")


def _slot_json(slot: Slot) -> dict:
    return {
        "id": slot.id,
        "facility_id": slot.facility_id,
        "starts_at": slot.starts_at.astimezone(KST).isoformat(),
        "ends_at": slot.ends_at.astimezone(KST).isoformat(),
        "capacity": slot.capacity,
        "booked": slot.booked,
        "blocked": slot.blocked,
    }


def _allowed(facility_id: int) -> None:
    if not can_manage_facility(current_api_user(), facility_id):
        raise ApiError("forbidden", "이 시설을 관리할 권한이 없습니다", 403)


def _managed(model, row_id: int, missing: str):
    """A slot or booking of a facility the caller manages: 404 when missing, 403 when not theirs."""
    row = db.session.get(model, row_id)
    if row is None:
        raise ApiError("not_found", missing, 404)
    _allowed(row.facility_id)
    return row


def _slot(slot_id: int) -> Slot:
    return _managed(Slot, slot_id, "예약 시간을 찾을 수 없습니다")


def _booking(booking_id: int) -> Booking:
    return _managed(Booking, booking_id, "예약을 찾을 수 없습니다")


def _staff(view):
    """A bearer-token view for operators and admins (the facility is checked by _slot / _booking)."""
    return api_login_required(api_roles_required(*STAFF)(view))


@bp.get("/operator/slots/<id:slot_id>/roster")
@_staff
def api_operator_roster(slot_id: int):
    slot = _slot(slot_id)
    return {"slot": _slot_json(slot), "items": services.roster(db.session, slot, utcnow())}


@bp.post("/operator/bookings/<id:booking_id>/check-in")
@_staff
def api_operator_check_in(booking_id: int):
    booking = _booking(booking_id)
    with unit_of_work():  # an OperatorError rolls back and is answered by app/api/__init__.py
        services.check_in(db.session, current_api_user(), booking, utcnow())
    return {"id": booking.id, "code": booking.code, "status": booking.status}


@bp.get("/operator/bookings/<id:booking_id>/no-show")
@_staff
def api_operator_no_show_preview(booking_id: int):
    preview = services.no_show_preview(db.session, _booking(booking_id), utcnow())
    return {
        **preview,
        "allowed_from": kst_iso(preview["allowed_from"]),
        "banned_until": kst_iso(preview["banned_until"]),
    }


def _booking_change(booking_id: int, change) -> dict:
    """Run an operator service on a booking in one unit of work; its audit `after` as the answer."""
    booking = _booking(booking_id)
    with unit_of_work():  # an OperatorError or BookingError rolls back and is answered by app/api/__init__.py
        after = change(db.session, current_api_user(), booking, utcnow())
    return {"id": booking.id, **after, "banned_until": kst_iso(after["banned_until"])}


@bp.post("/operator/bookings/<id:booking_id>/no-show")
@_staff
def api_operator_no_show(booking_id: int):
    return _booking_change(booking_id, services.no_show)


@bp.post("/operator/bookings/<id:booking_id>/no-show/undo")
@_staff
def api_operator_no_show_undo(booking_id: int):
    return _booking_change(booking_id, services.undo_no_show)


@bp.patch("/operator/slots/<id:slot_id>")
@_staff
def api_operator_slot(slot_id: int):
    slot = _slot(slot_id)
    capacity = body_int(json_body(), "capacity", 0, CAPACITY_MAX)
    with unit_of_work():
        services.set_capacity(db.session, current_api_user(), slot, capacity, utcnow())
    return _slot_json(slot)


def _ref(name: str) -> dict:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}


def _error(description: str) -> dict:
    return {"description": description, "content": _ref("Error")}


_AUTH = {"security": [{"bearer": []}], "tags": ["operator"]}
_DENIED = {
    "401": _error("인증 필요"),
    "403": _error("운영자·관리자가 아니거나 담당 시설이 아님"),
    "404": _error("없음"),
}
_SLOT_ID = [id_param("slot_id", "slot id")]
_INT = {"type": "integer"}
_TIME = {"type": "string", "format": "date-time"}
_ROSTER_CHILD = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "description": "(삭제됨): 익명 처리되었거나 탈퇴한 보호자의 아이"},
        "age": {"type": ["integer", "null"]},
        "unit": {"type": "string"},
    },
}
_CODES = {"type": "array", "items": {"type": "string"}}
_BOOKING_ID = [id_param("booking_id", "booking id")]

OPENAPI_SCHEMAS = {
    "OperatorSlot": {
        "type": "object",
        "required": ["id", "capacity", "booked", "blocked"],
        "properties": {
            **dict.fromkeys(("id", "facility_id", "capacity", "booked"), _INT),
            **dict.fromkeys(("starts_at", "ends_at"), _TIME),
            "blocked": {"type": "boolean"},
        },
    },
    "NoShowPreview": {
        "type": "object",
        "required": ["allowed_from", "too_early", "banned_until", "cancels"],
        "properties": {
            "allowed_from": _TIME,
            "too_early": {"type": "boolean"},
            "banned_until": _TIME,
            "cancels": {
                "type": "array",
                "items": {"type": "object", "properties": {"facility": {"type": "string"}, "when": {"type": "string"}}},
            },
        },
    },
    "NoShowUndo": {
        "type": "object",
        "required": ["id", "code", "status", "banned_until", "restored_bookings", "not_restored"],
        "properties": {
            "id": _INT,
            "code": {"type": "string"},
            "status": {"type": "string", "enum": [BookingStatus.CONFIRMED.value]},
            "banned_until": {"type": ["string", "null"], "format": "date-time"},
            "restored_bookings": _CODES,
            "not_restored": {
                "type": "array",
                "items": {"type": "object", "properties": {"code": {"type": "string"}, "reason": {"type": "string"}}},
            },
        },
    },
    "RosterEntry": {
        "type": "object",
        "required": ["id", "code", "status", "children"],
        "properties": {
            "id": {"type": "integer"},
            "code": {"type": "string"},
            "status": {"type": "string", "enum": list(BookingStatus.values())},
            "guardian": {"type": "string", "description": "가린 이름 (김*용); 현장 접수는 접수처 이름"},
            "guardians": {"type": "integer"},
            "contact": {"type": "string", "description": "가린 이메일 (k***@example.com); 보려면 …/contact"},
            "walk_in": {"type": "boolean"},
            "revealable": {"type": "boolean", "description": "POST /api/operator/bookings/{id}/contact로 볼 수 있음"},
            "children": {"type": "array", "items": _ROSTER_CHILD},
            "undoable": {"type": "boolean", "description": "노쇼를 아직 되돌릴 수 있음 (24시간 안)"},
        },
    },
}

OPENAPI_PATHS = {
    "/api/operator/slots/{slot_id}/roster": {
        "get": {
            **_AUTH,
            "summary": "회차의 명단 (아이, 보호자, 예약번호, 상태)",
            "parameters": _SLOT_ID,
            "responses": {
                "200": {
                    "description": "명단",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "slot": {"$ref": "#/components/schemas/OperatorSlot"},
                                    "items": {"type": "array", "items": {"$ref": "#/components/schemas/RosterEntry"}},
                                },
                            }
                        }
                    },
                },
                **_DENIED,
            },
        }
    },
    "/api/operator/slots/{slot_id}": {
        "patch": {
            **_AUTH,
            "summary": "회차 정원 변경 (예약 인원 미만은 거절)",
            "parameters": _SLOT_ID,
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["capacity"],
                            "properties": {"capacity": {"type": "integer", "minimum": 0, "maximum": CAPACITY_MAX}},
                        }
                    }
                },
            },
            "responses": {
                "200": {"description": "바뀐 회차", "content": _ref("OperatorSlot")},
                "400": _error("capacity 형식 오류"),
                "409": {
                    "description": "capacity_below_booked: 영향받는 회차 목록 slots 포함",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "error": {"type": "string"},
                                    "message": {"type": "string"},
                                    "slots": {"type": "array", "items": {"type": "object"}},
                                },
                            }
                        }
                    },
                },
                "422": _error("invalid_capacity"),
                **_DENIED,
            },
        }
    },
    "/api/operator/bookings/{booking_id}/check-in": {
        "post": {
            **_AUTH,
            "summary": "입장 처리",
            "parameters": _BOOKING_ID,
            "responses": {
                "200": {
                    "description": "입장 처리됨",
                    "content": {
                        "application/json": {
                            "schema": object_schema(
                                ["id", "code", "status"],
                                {"id": {"type": "integer"}, "code": {"type": "string"}, "status": {"type": "string"}},
                            )
                        }
                    },
                },
                "409": _error("not_confirmed"),
                **_DENIED,
            },
        }
    },
    "/api/operator/bookings/{booking_id}/no-show": {
        "get": {
            **_AUTH,
            "summary": "노쇼 처리 전 확인: 언제부터 처리할 수 있는지, 예약 제한이 끝나는 때, 함께 취소될 다른 예약",
            "description": "취소될 예약은 시설 이름과 시간만 알려 줍니다 (다른 시설의 예약 정보는 그 시설의 것).",
            "parameters": _BOOKING_ID,
            "responses": {
                "200": {
                    "description": "노쇼 처리 미리보기",
                    "content": _ref("NoShowPreview"),
                },
                **_DENIED,
            },
        },
        "post": {
            **_AUTH,
            "summary": "노쇼 처리 (시작 후 시설 설정 분, 기본 30분부터): 보호자 예약 제한과 그 기간의 다른 예약 취소",
            "parameters": _BOOKING_ID,
            "responses": {
                "200": {
                    "description": "노쇼 처리됨 (banned_until, cancelled_bookings)",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["id", "code", "status", "banned_until", "cancelled_bookings"],
                                "properties": {
                                    "id": _INT,
                                    "code": {"type": "string"},
                                    "status": {"type": "string", "enum": [BookingStatus.NO_SHOW.value]},
                                    "banned_until": _TIME,
                                    "cancelled_bookings": _CODES,
                                },
                            }
                        }
                    },
                },
                "409": _error("not_confirmed; too_early: 시작 후 시설이 정한 시간(기본 30분)이 지나기 전"),
                **_DENIED,
            },
        },
    },
    "/api/operator/bookings/{booking_id}/no-show/undo": {
        "post": {
            **_AUTH,
            "summary": "노쇼 되돌리기 (24시간 안): 예약 확정으로, 예약 제한은 이전 값으로, 함께 취소된 예약은 "
            "회차가 아직 남았고 자리가 있으면 되살림",
            "parameters": _BOOKING_ID,
            "responses": {
                "200": {
                    "description": "되돌림 (되살리지 못한 예약은 not_restored에 이유와 함께)",
                    "content": _ref("NoShowUndo"),
                },
                "409": _error("not_undoable (노쇼가 아니거나 이미 되돌림); undo_expired (24시간 지남)"),
                **_DENIED,
            },
        }
    },
}
