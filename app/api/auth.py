"""Account API: POST /api/auth/register, POST /api/auth/token and DELETE /api/auth/token."""

from __future__ import annotations

from flask import jsonify

from app.auth import services
from app.auth.tokens import api_login_required, bearer_token, issue_token, revoke_token
from app.database import unit_of_work
from app.errors import ApiError
from app.extensions import db
from app.params import json_body, json_content, json_response
from app.routing import Routes
from app.timeutil import utcnow

bp = Routes()


def _text(body: dict, name: str) -> str | None:
    value = body.get(name)
    if value is not None and not isinstance(value, str):
        raise ApiError("invalid_parameter", f"{name}: 문자열이어야 합니다", 400, parameter=name)
    return value


@bp.post("/auth/register")
def api_register():
    body = json_body()
    with unit_of_work():
        user = services.register_parent(db.session, _text(body, "email"), _text(body, "password"), _text(body, "name"))
    return jsonify(id=user.id, email=user.email, name=user.name), 201


@bp.post("/auth/token")
def api_token():
    body = json_body()
    try:
        user = services.authenticate(db.session, _text(body, "email"), _text(body, "password"))
    except services.AccountError as error:
        # Locked or wrong: both are "not authenticated" for an API client.
        raise ApiError("unauthorized", error.message, 401) from None
    with unit_of_work():
        raw, token = issue_token(db.session, user, utcnow())
    return jsonify(token=raw, token_type="Bearer", expires_at=token.expires_at.isoformat())


@bp.delete("/auth/token")
@api_login_required
def api_revoke_token():
    """Log an API client out: the token sent with this request stops working."""
    raw = bearer_token()
    if not raw:
        raise ApiError(
            "no_token", "토큰으로 로그인한 요청이 아닙니다. Authorization: Bearer <토큰> 헤더로 보내 주세요", 400
        )
    with unit_of_work():
        revoke_token(db.session, raw)
    return "", 204


_ERRORS = {
    "400": json_response("잘못된 요청"),
    "429": json_response("시도가 너무 많음: 한 주소의 로그인·가입 횟수 제한 (http_429, Retry-After 헤더)"),
}

OPENAPI_SCHEMAS = {
    "RegisterRequest": {
        "type": "object",
        "required": ["email", "password", "name"],
        "properties": {
            "email": {"type": "string", "format": "email", "description": "trimmed and lower-cased"},
            "password": {
                "type": "string",
                "minLength": services.PASSWORD_MIN_LENGTH,
                "maxLength": services.PASSWORD_MAX_LENGTH,
                "description": services.PASSWORD_RULE,
            },
            "name": {"type": "string", "maxLength": 100},
        },
    },
    "Account": {
        "type": "object",
        "required": ["id", "email", "name"],
        "properties": {"id": {"type": "integer"}, "email": {"type": "string"}, "name": {"type": "string"}},
    },
    "TokenRequest": {
        "type": "object",
        "required": ["email", "password"],
        "properties": {"email": {"type": "string"}, "password": {"type": "string"}},
    },
    "Token": {
        "type": "object",
        "required": ["token", "expires_at"],
        "properties": {
            "token": {"type": "string", "description": "send as `Authorization: Bearer <token>`; shown once"},
            "token_type": {"type": "string", "enum": ["Bearer"]},
            "expires_at": {"type": "string", "format": "date-time"},
        },
    },
}

OPENAPI_PATHS = {
    "/api/auth/register": {
        "post": {
            "summary": "보호자 계정 만들기",
            "tags": ["auth"],
            "requestBody": {"required": True, "content": json_content("RegisterRequest")},
            "responses": {
                "201": json_response("만들어진 계정", "Account"),
                **_ERRORS,
                "409": json_response("이미 가입된 이메일 (email_taken)"),
            },
        }
    },
    "/api/auth/token": {
        "post": {
            "summary": "API 토큰 받기 (30일 유효)",
            "tags": ["auth"],
            "requestBody": {"required": True, "content": json_content("TokenRequest")},
            "responses": {
                "200": json_response("새 토큰", "Token"),
                **_ERRORS,
                "401": json_response("이메일·비밀번호가 틀렸거나 잠긴 계정"),
            },
        },
        "delete": {
            "summary": "API 토큰 폐기 (로그아웃): 이 요청에 보낸 토큰이 더는 통하지 않습니다",
            "tags": ["auth"],
            "security": [{"bearer": []}],
            "responses": {
                "204": {"description": "폐기됨"},
                "400": json_response("토큰 없이 세션으로 보낸 요청 (no_token)"),
                "401": json_response("토큰이 없거나 이미 폐기·만료됨"),
            },
        },
    },
}
