"""Booking API: slots of a day (public) and a parent's bookings (bearer token)."""

from __future__ import annotations

from flask import Response, jsonify, request

from app.auth.tokens import api_login_required, current_api_user, current_api_user_id
from app.bookings import services
from app.bookings.choices import BookingStatus, SlotState
from app.bookings.policy import get_policy
from app.database import lock_on_demand, unit_of_work
from app.errors import ApiError
from app.extensions import db
from app.facilities.models import Facility
from app.lottery.stats import FIRST_COME, LOTTERY, add_allocation
from app.params import (
    DATE_SCHEMA,
    ID_SCHEMA,
    body_id,
    body_ids,
    body_int,
    day,
    id_param,
    items_response,
    json_body,
    json_content,
    json_response,
    object_schema,
)
from app.routing import Routes
from app.timeutil import KST, utcnow
from app.validation import CHILDREN_MAX, GUARDIANS_MAX, HOURS_MAX

bp = Routes()


def booking_json(booking) -> dict:
    """The public shape of a booking."""
    return {
        "id": booking.id,
        "code": booking.code,
        "status": booking.status,
        "facility": {"id": booking.facility_id, "name": booking.facility.name},
        "slot_id": booking.slot_id,
        "starts_at": booking.starts_at.astimezone(KST).isoformat(),
        "ends_at": booking.ends_at.astimezone(KST).isoformat(),
        "guardians": booking.guardians,
        "hours": booking.hours,
        "children": [{"id": c.id, "name": c.name} for c in booking.children],
        "created_at": booking.created_at.astimezone(KST).isoformat(),
        "cancelled_at": booking.cancelled_at.astimezone(KST).isoformat() if booking.cancelled_at else None,
        "cancel_reason": booking.cancel_reason,
    }


def _booking_request(body: dict) -> tuple[int, list[int], int, int]:
    return (
        body_id(body, "slot_id"),
        body_ids(body, "child_ids", CHILDREN_MAX),
        body_int(body, "guardians", 1, GUARDIANS_MAX, 1),
        body_int(body, "hours", 1, HOURS_MAX, 1),
    )


@bp.get("/facilities/<id:facility_id>/slots")
def api_slots(facility_id: int):
    when = day(request.args, "date")
    facility = db.session.get(Facility, facility_id)
    if facility is None:
        raise ApiError("not_found", "시설을 찾을 수 없습니다", 404)
    now = utcnow()
    items = services.slots_for_day(db.session, facility_id, when, now)
    return jsonify(items=add_allocation(db.session, get_policy(db.session, facility), items, now))


@bp.post("/bookings")
def api_book():
    # The 09:00 rush: the token check and book()'s reads run before any transaction, so refusing a full session
    # never waits for SQLite's write lock (nor sends BEGIN/ROLLBACK to PostgreSQL). book() locks the children's
    # rows before the reads its rules rest on, and that lock begins the transaction (app/database.py).
    with lock_on_demand():
        return _book()


@api_login_required
def _book():
    slot_id, child_ids, guardians, hours = _booking_request(json_body())
    session = db.session()
    expire_on_commit = session.expire_on_commit
    # The answer is built after the commit from the objects as written (not expired: no reload queries), so the
    # write lock (SQLite) or the slot's row lock (PostgreSQL) is not held while it is.
    session.expire_on_commit = False
    try:
        with unit_of_work():  # a BookingError rolls back (nothing half-written); app/api/__init__.py answers it
            booking = services.book(session, current_api_user_id(), slot_id, child_ids, guardians, hours, utcnow())
        return jsonify(booking_json(booking)), 201
    finally:
        session.expire_on_commit = expire_on_commit


@bp.get("/bookings")
@api_login_required
def api_my_bookings():
    return jsonify(items=[booking_json(b) for b in services.bookings_of(db.session, current_api_user())])


def _mine(booking_id: int):
    booking = services.booking_of(db.session, current_api_user(), booking_id)
    if booking is None:  # another parent's booking is indistinguishable from a missing one
        raise ApiError("not_found", "예약을 찾을 수 없습니다", 404)
    return booking


@bp.get("/bookings/<id:booking_id>")
@api_login_required
def api_booking(booking_id: int):
    return jsonify(booking_json(_mine(booking_id)))


@bp.post("/bookings/<id:booking_id>/cancel")
@api_login_required
def api_cancel(booking_id: int):
    with unit_of_work():
        booking = services.cancel(db.session, current_api_user(), booking_id, utcnow())
    return jsonify(booking_json(booking))  # reloaded: the cancellation was written by UPDATE


@bp.get("/bookings/<id:booking_id>.ics")
@api_login_required
def api_booking_ics(booking_id: int):
    booking = _mine(booking_id)
    return Response(
        services.booking_ics(booking),
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="nadeuri-{booking.code}.ics"'},
    )


_AUTH = {"security": [{"bearer": []}], "tags": ["bookings"]}
_ID = [id_param("booking_id", "booking id")]
_REFUSALS = (
    "slot_full, duplicate, one_visit_per_day, daily_cap, monthly_cap (409); window_not_open, slot_past, "
    "age_out_of_range, too_many_children, too_many_guardians, banned, closed, invalid_children (422)"
)
_TIMES = {"starts_at": {"type": "string", "format": "date-time"}, "ends_at": {"type": "string", "format": "date-time"}}
_LOTTERY = object_schema(
    ["opens_at", "closes_at", "draw_at", "claim_by", "entries"],
    {
        **{name: {"type": "string", "format": "date-time"} for name in ("opens_at", "closes_at", "draw_at")},
        "claim_by": {"type": "string", "format": "date-time", "description": "당첨자 확정 마감"},
        "entries": {"type": "integer", "minimum": 0, "description": "이 회차를 고른 추첨 신청 수 (취소 제외)"},
    },
)
_ID_NAME = {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}}

OPENAPI_SCHEMAS = {
    "Slot": {
        "type": "object",
        "required": ["id", "starts_at", "ends_at", "capacity", "remaining", "bookable", "state", "label", "allocation"],
        "properties": {
            "id": {"type": "integer"},
            **_TIMES,
            "capacity": {"type": "integer"},
            "remaining": {"type": "integer"},
            "bookable": {"type": "boolean"},
            "state": {
                "type": "string",
                "enum": list(SlotState.values()),
                "description": "open 예약 가능, past 지난 회차, closed 휴관, blocked 예약 불가, full 마감, "
                "not_open 예약 오픈 전, same_day 당일 예약 불가",
            },
            "label": {
                "type": "string",
                "description": "화면에 보이는 말: 3자리 남음, 마감, 12/9 09:00 오픈, 휴관 (성탄절)",
            },
            "allocation": {
                "type": "string",
                "enum": [FIRST_COME, LOTTERY],
                "description": "지금 자리를 나누는 방식: lottery 주말 추첨 (시작 2시간 전부터는 first_come 선착순)",
            },
            "lottery": {**_LOTTERY, "description": "추첨 회차 (선착순 전환 전)만: 그 주말 추첨 일정과 신청 수"},
        },
    },
    "BookingRequest": {
        "type": "object",
        "required": ["slot_id", "child_ids"],
        "properties": {
            "slot_id": ID_SCHEMA,
            "child_ids": {"type": "array", "items": ID_SCHEMA, "minItems": 1, "maxItems": CHILDREN_MAX},
            "guardians": {"type": "integer", "default": 1, "minimum": 1, "maximum": GUARDIANS_MAX},
            "hours": {
                "type": "integer",
                "default": 1,
                "minimum": 1,
                "maximum": HOURS_MAX,
                "description": "시간제보육: 이 시간대부터 연속 이용 시간",
            },
        },
    },
    "Booking": {
        "type": "object",
        "required": ["id", "code", "status", "starts_at", "ends_at", "children"],
        "properties": {
            "id": {"type": "integer"},
            "code": {"type": "string", "example": "K7QD-3MZA"},
            "status": {"type": "string", "enum": list(BookingStatus.values())},
            "facility": _ID_NAME,
            "slot_id": {"type": "integer"},
            **_TIMES,
            "guardians": {"type": "integer"},
            "hours": {"type": "integer"},
            "children": {"type": "array", "items": _ID_NAME},
            "created_at": {"type": "string", "format": "date-time"},
            "cancelled_at": {"type": ["string", "null"], "format": "date-time"},
            "cancel_reason": {
                "type": ["string", "null"],
                "description": "보호자 취소, 휴관: …, 노쇼 이용 제한 (…까지)",
            },
        },
    },
}

OPENAPI_PATHS = {
    "/api/facilities/{facility_id}/slots": {
        "get": {
            "summary": "하루의 예약 시간대와 남은 자리·상태 (로그인 불필요)",
            "tags": ["bookings"],
            "parameters": [
                id_param("facility_id", "facility id"),
                {"name": "date", "in": "query", "required": True, "schema": DATE_SCHEMA},
            ],
            "responses": {
                "200": items_response("시간대", "Slot"),
                "400": json_response("date 형식 오류"),
                "404": json_response("시설 없음"),
            },
        }
    },
    "/api/bookings": {
        "get": {
            **_AUTH,
            "summary": "내 예약 목록",
            "responses": {"200": items_response("예약들", "Booking"), "401": json_response("인증 필요")},
        },
        "post": {
            **_AUTH,
            "summary": "예약하기",
            "requestBody": {"required": True, "content": json_content("BookingRequest")},
            "responses": {
                "201": json_response("확정된 예약", "Booking"),
                "400": json_response("요청 형식 오류"),
                "401": json_response("인증 필요"),
                "404": json_response("시간대 없음"),
                "409": json_response(_REFUSALS),
                "422": json_response(_REFUSALS),
            },
        },
    },
    "/api/bookings/{booking_id}": {
        "get": {
            **_AUTH,
            "summary": "내 예약 하나",
            "parameters": _ID,
            "responses": {
                "200": json_response("예약", "Booking"),
                "401": json_response("인증 필요"),
                "404": json_response("없거나 다른 보호자의 예약"),
            },
        }
    },
    "/api/bookings/{booking_id}/cancel": {
        "post": {
            **_AUTH,
            "summary": "예약 취소 (기본: 시작 30분 전까지)",
            "parameters": _ID,
            "responses": {
                "200": json_response("취소된 예약", "Booking"),
                "401": json_response("인증 필요"),
                "404": json_response("없거나 다른 보호자의 예약"),
                "409": json_response("too_late_to_cancel, not_cancellable"),
            },
        }
    },
    "/api/bookings/{booking_id}.ics": {
        "get": {
            **_AUTH,
            "summary": "예약을 캘린더 파일(iCalendar)로 (취소된 예약은 409 cancelled)",
            "parameters": _ID,
            "responses": {
                "200": {"description": "text/calendar", "content": {"text/calendar": {"schema": {"type": "string"}}}},
                "401": json_response("인증 필요"),
                "404": json_response("없거나 다른 보호자의 예약"),
                "409": json_response("취소된 예약 (cancelled)"),
            },
        }
    },
}
