"""Booking API: slots of a day (public) and a parent's bookings (bearer token)."""
from __future__ import annotations

from datetime import date

from flask import Response, jsonify, request

from app.api import bp
from app.api.errors import ApiError
from app.auth.tokens import api_login_required, current_api_user
from app.bookings import services
from app.bookings.services import BookingError
from app.extensions import db
from app.facilities.models import Facility
from app.timeutil import KST, utcnow


def booking_json(booking) -> dict:
    """The public shape of a booking."""
    return {
        "id": booking.id, "code": booking.code, "status": booking.status,
        "facility": {"id": booking.facility_id, "name": booking.facility.name},
        "slot_id": booking.slot_id,
        "starts_at": booking.starts_at.astimezone(KST).isoformat(),
        "ends_at": booking.ends_at.astimezone(KST).isoformat(),
        "guardians": booking.guardians, "hours": booking.hours,
        "children": [{"id": c.id, "name": c.name} for c in booking.children],
        "created_at": booking.created_at.astimezone(KST).isoformat(),
        "cancelled_at": booking.cancelled_at.astimezone(KST).isoformat() if booking.cancelled_at else None,
    }


def _refused(error: BookingError) -> ApiError:
    db.session.rollback()  # nothing half-written
    return ApiError(error.code, error.message, error.status)


def _int(body: dict, name: str, default=None) -> int:
    value = body.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ApiError("invalid_parameter", f"{name}: 정수여야 합니다", 400, parameter=name)
    return value


def _booking_request(body) -> tuple[int, list[int], int, int]:
    if not isinstance(body, dict):
        raise ApiError("invalid_body", "JSON 객체 본문이 필요합니다 (Content-Type: application/json)", 400)
    child_ids = body.get("child_ids")
    if not isinstance(child_ids, list) or not all(isinstance(c, int) and not isinstance(c, bool) for c in child_ids):
        raise ApiError("invalid_parameter", "child_ids: 정수 목록이어야 합니다", 400, parameter="child_ids")
    return _int(body, "slot_id"), child_ids, _int(body, "guardians", 1), _int(body, "hours", 1)


@bp.get("/facilities/<int:facility_id>/slots")
def api_slots(facility_id: int):
    raw = request.args.get("date", "")
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise ApiError("invalid_parameter", f"date: YYYY-MM-DD 형식이어야 합니다: {raw!r}", 400,
                       parameter="date") from None
    if db.session.get(Facility, facility_id) is None:
        raise ApiError("not_found", "시설을 찾을 수 없습니다", 404)
    return jsonify(items=services.slots_for_day(db.session, facility_id, day, utcnow()))


@bp.post("/bookings")
@api_login_required
def api_book():
    slot_id, child_ids, guardians, hours = _booking_request(request.get_json(silent=True))
    try:
        booking = services.book(db.session, current_api_user(), slot_id, child_ids, guardians, hours, utcnow())
    except BookingError as error:
        raise _refused(error) from None
    body = booking_json(booking)  # before the commit expires it: no reload queries after
    db.session.commit()
    return jsonify(body), 201


@bp.get("/bookings")
@api_login_required
def api_my_bookings():
    return jsonify(items=[booking_json(b) for b in services.bookings_of(db.session, current_api_user())])


def _mine(booking_id: int):
    booking = services.booking_of(db.session, current_api_user(), booking_id)
    if booking is None:  # another parent's booking is indistinguishable from a missing one
        raise ApiError("not_found", "예약을 찾을 수 없습니다", 404)
    return booking


@bp.get("/bookings/<int:booking_id>")
@api_login_required
def api_booking(booking_id: int):
    return jsonify(booking_json(_mine(booking_id)))


@bp.post("/bookings/<int:booking_id>/cancel")
@api_login_required
def api_cancel(booking_id: int):
    try:
        booking = services.cancel(db.session, current_api_user(), booking_id, utcnow())
    except BookingError as error:
        raise _refused(error) from None
    db.session.commit()
    return jsonify(booking_json(booking))  # reloaded: the cancellation was written by UPDATE


@bp.get("/bookings/<int:booking_id>.ics")
@api_login_required
def api_booking_ics(booking_id: int):
    booking = _mine(booking_id)
    return Response(services.booking_ics(booking), mimetype="text/calendar",
                    headers={"Content-Disposition": f'attachment; filename="nadeuri-{booking.code}.ics"'})


def _ref(name: str) -> dict:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}


def _error(description: str) -> dict:
    return {"description": description, "content": _ref("Error")}


_AUTH = {"security": [{"bearer": []}], "tags": ["bookings"]}
_ID = [{"name": "booking_id", "in": "path", "required": True, "schema": {"type": "integer"}}]
_REFUSALS = ("slot_full, duplicate, one_visit_per_day, daily_cap, monthly_cap (409); window_not_open, slot_past, "
             "age_out_of_range, too_many_children, too_many_guardians, banned, closed, invalid_children (422)")

OPENAPI_SCHEMAS = {
    "Slot": {
        "type": "object", "required": ["id", "starts_at", "ends_at", "capacity", "remaining", "bookable"],
        "properties": {"id": {"type": "integer"}, "starts_at": {"type": "string", "format": "date-time"},
                       "ends_at": {"type": "string", "format": "date-time"}, "capacity": {"type": "integer"},
                       "remaining": {"type": "integer"}, "bookable": {"type": "boolean"}},
    },
    "BookingRequest": {
        "type": "object", "required": ["slot_id", "child_ids"],
        "properties": {
            "slot_id": {"type": "integer"},
            "child_ids": {"type": "array", "items": {"type": "integer"}, "minItems": 1},
            "guardians": {"type": "integer", "default": 1, "minimum": 1},
            "hours": {"type": "integer", "default": 1, "minimum": 1,
                      "description": "시간제보육: 이 시간대부터 연속 이용 시간"},
        },
    },
    "Booking": {
        "type": "object", "required": ["id", "code", "status", "starts_at", "ends_at", "children"],
        "properties": {
            "id": {"type": "integer"}, "code": {"type": "string", "example": "K7QD-3MZA"},
            "status": {"type": "string", "enum": ["confirmed", "cancelled", "checked_in", "no_show"]},
            "facility": {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}},
            "slot_id": {"type": "integer"}, "starts_at": {"type": "string", "format": "date-time"},
            "ends_at": {"type": "string", "format": "date-time"}, "guardians": {"type": "integer"},
            "hours": {"type": "integer"},
            "children": {"type": "array", "items": {"type": "object", "properties": {
                "id": {"type": "integer"}, "name": {"type": "string"}}}},
            "created_at": {"type": "string", "format": "date-time"},
            "cancelled_at": {"type": ["string", "null"], "format": "date-time"},
        },
    },
}

OPENAPI_PATHS = {
    "/api/facilities/{facility_id}/slots": {"get": {
        "summary": "하루의 예약 시간대와 남은 자리 (로그인 불필요)", "tags": ["bookings"],
        "parameters": [{"name": "facility_id", "in": "path", "required": True, "schema": {"type": "integer"}},
                       {"name": "date", "in": "query", "required": True,
                        "schema": {"type": "string", "format": "date"}}],
        "responses": {"200": {"description": "시간대", "content": {"application/json": {"schema": {
            "type": "object", "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Slot"}}}}}}},
            "400": _error("date 형식 오류"), "404": _error("시설 없음")},
    }},
    "/api/bookings": {
        "get": {**_AUTH, "summary": "내 예약 목록", "responses": {
            "200": {"description": "예약들", "content": {"application/json": {"schema": {"type": "object",
                    "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Booking"}}}}}}},
            "401": _error("인증 필요")}},
        "post": {**_AUTH, "summary": "예약하기", "requestBody": {"required": True, "content": _ref("BookingRequest")},
                 "responses": {"201": {"description": "확정된 예약", "content": _ref("Booking")},
                               "400": _error("요청 형식 오류"), "401": _error("인증 필요"),
                               "404": _error("시간대 없음"), "409": _error(_REFUSALS), "422": _error(_REFUSALS)}},
    },
    "/api/bookings/{booking_id}": {"get": {
        **_AUTH, "summary": "내 예약 하나", "parameters": _ID,
        "responses": {"200": {"description": "예약", "content": _ref("Booking")}, "401": _error("인증 필요"),
                      "404": _error("없거나 다른 보호자의 예약")}}},
    "/api/bookings/{booking_id}/cancel": {"post": {
        **_AUTH, "summary": "예약 취소 (기본: 시작 30분 전까지)", "parameters": _ID,
        "responses": {"200": {"description": "취소된 예약", "content": _ref("Booking")}, "401": _error("인증 필요"),
                      "404": _error("없거나 다른 보호자의 예약"),
                      "409": _error("too_late_to_cancel, not_cancellable")}}},
    "/api/bookings/{booking_id}.ics": {"get": {
        **_AUTH, "summary": "예약을 캘린더 파일(iCalendar)로", "parameters": _ID,
        "responses": {"200": {"description": "text/calendar", "content": {"text/calendar": {
            "schema": {"type": "string"}}}}, "401": _error("인증 필요"), "404": _error("없거나 다른 보호자의 예약")}}},
}
