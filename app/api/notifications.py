"""Notifications API: GET /api/me/notifications (my messages), GET/PUT /api/me/notification-settings."""

from __future__ import annotations

from flask import jsonify

from app.auth.tokens import api_login_required, current_api_user
from app.database import unit_of_work
from app.errors import ApiError
from app.extensions import db
from app.notifications.choices import Channel, OutboxStatus
from app.notifications.services import message_json, messages_of, offered_channels, settings_of
from app.notifications.settings import save_settings, settings_json
from app.params import items_response, json_body, json_content, json_response, object_schema
from app.routing import Routes
from app.timeutil import utcnow

bp = Routes()


@bp.get("/me/notifications")
@api_login_required
def api_my_notifications():
    return jsonify(items=[message_json(m) for m in messages_of(db.session, current_api_user())])


@bp.get("/me/notification-settings")
@api_login_required
def api_notification_settings():
    user = current_api_user()
    return jsonify(settings_json(settings_of(db.session, user), offered_channels()))


def _flag(value, name: str) -> bool | None:
    if value is not None and not isinstance(value, bool):
        raise ApiError("invalid_value", f"{name}: true 또는 false여야 합니다", 422, parameter=name)
    return value


@bp.put("/me/notification-settings")
@api_login_required
def api_save_notification_settings():
    body, user, offered = json_body(), current_api_user(), offered_channels()
    channels = body.get("channels") or {}
    if not isinstance(channels, dict) or any(k not in offered for k in channels):
        raise ApiError("invalid_channels", f"channels: {', '.join(offered)} 중에서 고르세요", 422, parameter="channels")
    phone = body.get("phone")
    if phone is not None and not isinstance(phone, str):
        raise ApiError("invalid_phone", "phone: 문자열이어야 합니다", 422, parameter="phone")
    with unit_of_work():
        prefs = save_settings(
            db.session,
            user,
            settings_of(db.session, user),
            utcnow(),
            channels={k: _flag(v, f"channels.{k}") for k, v in channels.items()},
            reminders=_flag(body.get("reminders"), "reminders"),
            phone=phone,
            clear_phone=phone == "",
        )
        result = settings_json(prefs, offered)
    return jsonify(result)


_AUTH = {"tags": ["notifications"], "security": [{"bearer": []}]}
_UNAUTHORIZED = json_response("토큰 없음·만료·잘못됨 (unauthorized)")
_SETTINGS = object_schema(
    ["channels", "reminders", "phone"],
    {
        "channels": {"type": "object", "additionalProperties": {"type": "boolean"}, "description": "email, kakao"},
        "reminders": {"type": "boolean", "description": "이용 전날 18시 알림"},
        "phone": {"type": ["string", "null"], "description": "가려서 보여 줌: 010-****-5678"},
    },
)

OPENAPI_SCHEMAS = {
    "Notification": object_schema(
        ["id", "event", "channel", "recipient", "status", "attempts", "created_at"],
        {
            "id": {"type": "integer"},
            "event": {"type": "string", "description": "booking_confirmed, booking_cancelled, booking_reminder, …"},
            "channel": {"type": "string", "enum": list(Channel.values())},
            "recipient": {"type": "string", "description": "가린 주소 (k***@example.com)"},
            "status": {"type": "string", "enum": list(OutboxStatus.values())},
            "attempts": {"type": "integer"},
            "booking_id": {"type": ["integer", "null"]},
            "created_at": {"type": "string", "format": "date-time"},
            "sent_at": {"type": ["string", "null"], "format": "date-time"},
            "last_error": {"type": ["string", "null"]},
        },
    ),
    "NotificationSettings": _SETTINGS,
    "NotificationSettingsUpdate": {
        "type": "object",
        "description": "보낸 항목만 바꿈; phone 빈 문자열은 번호 지우기",
        "properties": {
            "channels": {"type": "object", "additionalProperties": {"type": "boolean"}},
            "reminders": {"type": "boolean"},
            "phone": {"type": "string", "maxLength": 20, "description": "휴대전화 010-1234-5678"},
        },
    },
}

OPENAPI_PATHS = {
    "/api/me/notifications": {
        "get": {
            **_AUTH,
            "summary": "내 알림 (최근 100건, 주소는 가려서)",
            "responses": {"200": items_response("알림", "Notification"), "401": _UNAUTHORIZED},
        }
    },
    "/api/me/notification-settings": {
        "get": {
            **_AUTH,
            "summary": "내 알림 설정",
            "responses": {"200": json_response("설정", "NotificationSettings"), "401": _UNAUTHORIZED},
        },
        "put": {
            **_AUTH,
            "summary": "알림 설정 바꾸기 (채널, 전날 알림, 휴대전화 번호)",
            "requestBody": {"required": True, "content": json_content("NotificationSettingsUpdate")},
            "responses": {
                "200": json_response("바뀐 설정", "NotificationSettings"),
                "400": json_response("JSON 본문이 아님"),
                "401": _UNAUTHORIZED,
                "422": json_response("알 수 없는 채널, 잘못된 번호, 번호 없이 알림톡 (phone_required)"),
            },
        },
    },
}
