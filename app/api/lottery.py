"""Weekend lottery API: a parent's entries (bearer token) and each weekend's public draw record."""

from __future__ import annotations

from flask import request

from app.api.bookings import booking_json
from app.auth.tokens import api_login_required, current_api_user
from app.database import unit_of_work
from app.errors import ApiError
from app.extensions import db
from app.lottery import services
from app.lottery.models import ENTRY_STATUSES, LotteryEntry
from app.lottery.public import draw_json
from app.params import ID_SCHEMA, body_int, day, id_param, items_response, json_body, json_content, json_response
from app.routing import Routes
from app.timeutil import kst_iso, utcnow
from app.validation import CHILDREN_MAX, GUARDIANS_MAX, check_id

bp = Routes()
_LIST_MAX = 20  # longer lists are refused before any id is read (a ranked list holds at most 3)


def entry_json(entry: LotteryEntry) -> dict:
    """A household's entry as its owner sees it."""
    return {
        "id": entry.id,
        "ref": entry.ref,
        "weekend": entry.weekend.isoformat(),
        "status": entry.status,
        "slot_ids": list(entry.slot_ids),
        "child_ids": list(entry.child_ids),
        "guardians": entry.guardians,
        "won_slot_id": entry.won_slot_id,
        "reserve": {k: int(v) for k, v in (entry.reserve or {}).items()},
        "reserve_position": services.reserve_position(entry),
        "claim_by": kst_iso(entry.claim_by),
        "offer_expires_at": kst_iso(services.offer_expires_at(entry)),
        "booking_id": entry.booking_id,
    }


def _ids(body: dict, name: str) -> list[int]:
    values = body.get(name)
    if not isinstance(values, list) or len(values) > _LIST_MAX:
        raise ApiError("invalid_parameter", f"{name}: 정수 id 목록이어야 합니다", 400, parameter=name)
    return [check_id(v, name) for v in values]


@bp.post("/lottery/entries")
@api_login_required
def api_lottery_enter():
    body = json_body()
    slot_ids, child_ids = _ids(body, "slot_ids"), _ids(body, "child_ids")
    if len(child_ids) > CHILDREN_MAX:
        raise ApiError("invalid_parameter", f"child_ids: {CHILDREN_MAX}명까지입니다", 400, parameter="child_ids")
    guardians = body_int(body, "guardians", 1, GUARDIANS_MAX, 1)
    with unit_of_work():
        entry = services.enter(db.session, current_api_user(), slot_ids, child_ids, guardians, utcnow())
    return entry_json(entry), 201


@bp.get("/lottery/entries")
@api_login_required
def api_lottery_entries():
    return {"items": [entry_json(e) for e in services.entries_of(db.session, current_api_user())]}


@bp.delete("/lottery/entries/<id:entry_id>")
@api_login_required
def api_lottery_withdraw(entry_id: int):
    with unit_of_work():
        entry = services.withdraw(db.session, current_api_user(), entry_id, utcnow())
    return entry_json(entry)


@bp.post("/lottery/entries/<id:entry_id>/claim")
@api_login_required
def api_lottery_claim(entry_id: int):
    with unit_of_work():  # a refusal rolls back: the entry stays won / offered
        booking = services.claim(db.session, current_api_user(), entry_id, utcnow())
        body = booking_json(booking)
    return body, 201


@bp.post("/lottery/entries/<id:entry_id>/decline")
@api_login_required
def api_lottery_decline(entry_id: int):
    with unit_of_work():
        entry = services.decline(db.session, current_api_user(), entry_id, utcnow())
        body = entry_json(entry)
    return body


@bp.get("/draws")
def api_draw():
    weekend = day(request.args, "weekend")
    if weekend.weekday() != 5:
        raise ApiError("invalid_parameter", "weekend: 토요일 날짜여야 합니다", 400, parameter="weekend")
    answer = draw_json(db.session, weekend)
    if answer is None:
        raise ApiError("not_found", "이 주말의 추첨이 아직 없습니다 (신청이 열리면 공개됩니다)", 404)
    return answer


_AUTH = {"security": [{"bearer": []}], "tags": ["lottery"]}
_REFUSALS = (
    "lottery_closed, duplicate_entry (409); not_lottery, too_many_choices, different_weekends (422); "
    "예약 규칙의 코드: too_many_children, too_many_guardians, age_out_of_range, banned, duplicate, "
    "one_visit_per_day, closed, slot_past, invalid_children"
)
_CLAIM_REFUSALS = (
    "not_claimable, claim_expired (409); 예약 규칙의 코드: banned, age_out_of_range, too_many_children, "
    "too_many_guardians, duplicate, one_visit_per_day, closed, slot_past, invalid_children, slot_full"
)
_IDS = {"type": "array", "items": ID_SCHEMA}
_HEX = {"type": "string", "pattern": "^[0-9a-f]+$"}
OPENAPI_SCHEMAS = {
    "LotteryEntryRequest": {
        "type": "object",
        "required": ["slot_ids", "child_ids"],
        "properties": {
            "slot_ids": {**_IDS, "description": "희망 회차 1~3개, 순위대로", "maxItems": _LIST_MAX},
            "child_ids": {**_IDS, "maxItems": _LIST_MAX},
            "guardians": {"type": "integer", "minimum": 1, "maximum": GUARDIANS_MAX},
        },
    },
    "LotteryEntry": {
        "type": "object",
        "required": ["id", "ref", "status", "slot_ids"],
        "properties": {
            "id": {"type": "integer"},
            "ref": _HEX,
            "weekend": {"type": "string", "format": "date"},
            "status": {"type": "string", "enum": list(ENTRY_STATUSES)},
            "slot_ids": _IDS,
            "child_ids": _IDS,
            "guardians": {"type": "integer"},
            "won_slot_id": {"type": ["integer", "null"]},
            "reserve": {
                "type": "object",
                "additionalProperties": {"type": "integer"},
                "description": "예비 순번: 회차 id → 순번 (추첨 후)",
            },
            "reserve_position": {
                "type": ["integer", "null"],
                "description": "예비 n번: 제안받은 회차의 순번, 없으면 가장 앞 순위 희망 회차의 순번",
            },
            "claim_by": {
                "type": ["string", "null"],
                "format": "date-time",
                "description": "당첨·제안 확정 기한 (won, offered)",
            },
            "offer_expires_at": {
                "type": ["string", "null"],
                "format": "date-time",
                "description": "제안(offered)이 유지되는 기한 (claim_by와 같음)",
            },
            "booking_id": {"type": ["integer", "null"], "description": "확정(claimed)된 예약"},
        },
    },
    "Draw": {
        "type": "object",
        "required": ["weekend", "status", "commitment", "opens_at", "closes_at", "draw_at"],
        "description": "마감 후 refs·digest, 추첨 후 secret·seed·entries·capacities·order·results가 더해집니다",
        "properties": {
            "weekend": {"type": "string", "format": "date"},
            "status": {"type": "string", "enum": ["open", "closed", "drawn"]},
            "commitment": _HEX,
            **dict.fromkeys(("opens_at", "closes_at", "draw_at"), {"type": "string", "format": "date-time"}),
            "refs": {"type": "array", "items": _HEX},
            "digest": _HEX,
            "secret": _HEX,
            "seed": _HEX,
            "entries": {"type": "array", "items": {"type": "object"}},
            "capacities": {"type": "object", "additionalProperties": {"type": "integer"}},
            "order": {"type": "array", "items": _HEX},
            "results": {"type": "array", "items": {"type": "object"}},
        },
    },
}
OPENAPI_PATHS = {
    "/api/lottery/entries": {
        "get": {
            **_AUTH,
            "summary": "내 추첨 신청 목록",
            "responses": {"200": items_response("추첨 신청들", "LotteryEntry"), "401": json_response("인증 필요")},
        },
        "post": {
            **_AUTH,
            "summary": "주말 추첨 신청 (가구당 주말 한 번, 희망 회차 1~3개)",
            "requestBody": {"required": True, "content": json_content("LotteryEntryRequest")},
            "responses": {
                "201": json_response("신청됨", "LotteryEntry"),
                "401": json_response("인증 필요"),
                "404": json_response("회차 없음"),
                "409": json_response(_REFUSALS),
                "422": json_response(_REFUSALS),
            },
        },
    },
    "/api/lottery/entries/{entry_id}": {
        "delete": {
            **_AUTH,
            "summary": "추첨 신청 취소 (마감 전)",
            "parameters": [id_param("entry_id", "entry id")],
            "responses": {
                "200": json_response("취소됨", "LotteryEntry"),
                "404": json_response("없음 또는 다른 가구의 신청"),
                "409": json_response("lottery_closed, not_entered"),
            },
        }
    },
    "/api/lottery/entries/{entry_id}/claim": {
        "post": {
            **_AUTH,
            "summary": "당첨·제안받은 자리 확정 (기한 전, 예약 규칙을 다시 확인해 확정 예약을 만듦)",
            "parameters": [id_param("entry_id", "entry id")],
            "responses": {
                "201": json_response("확정된 예약", "Booking"),
                "401": json_response("인증 필요"),
                "404": json_response("없음 또는 다른 가구의 신청"),
                "409": json_response(_CLAIM_REFUSALS),
                "422": json_response(_CLAIM_REFUSALS),
            },
        }
    },
    "/api/lottery/entries/{entry_id}/decline": {
        "post": {
            **_AUTH,
            "summary": "당첨·제안받은 자리 거절 (자리는 예비 순서대로 제안됨)",
            "parameters": [id_param("entry_id", "entry id")],
            "responses": {
                "200": json_response("거절됨", "LotteryEntry"),
                "401": json_response("인증 필요"),
                "404": json_response("없음 또는 다른 가구의 신청"),
                "409": json_response("not_claimable, claim_expired"),
            },
        }
    },
    "/api/draws": {
        "get": {
            "tags": ["lottery"],
            "summary": "주말 추첨의 공개 기록 (누구나 다시 계산해 볼 수 있음: scripts/verify_draw.py)",
            "parameters": [
                {
                    "name": "weekend",
                    "in": "query",
                    "required": True,
                    "schema": {"type": "string", "format": "date"},
                    "description": "토요일",
                }
            ],
            "responses": {"200": json_response("추첨", "Draw"), "404": json_response("이 주말의 추첨 없음")},
        }
    },
}
