"""Live places for the finder's cards and map popups: GET /api/availability?facility_ids=1,2,3 (public)."""

from __future__ import annotations

from datetime import datetime

from flask import jsonify, request

from app.bookings.live import LiveState, live_places
from app.extensions import db
from app.params import ID_SCHEMA, id_list, object_schema
from app.routing import Routes
from app.timeutil import KST

bp = Routes()

MAX_IDS = 200  # a search page holds at most 200 results (the finder's limit)
MAX_AGE_SECONDS = 5  # every open page asks every 30 s: a shared cache may answer many of them, a little stale


@bp.get("/availability")
def availability():
    ids = id_list(request.args, "facility_ids", MAX_IDS)
    _read_without_transaction()
    places = live_places(db.session, ids, datetime.now(KST))
    response = jsonify(items=[{"id": i, **places[i]} for i in ids if i in places])
    # The same answer for everyone (no personal data), so any cache may keep it for a few seconds.
    response.cache_control.public = True
    response.cache_control.max_age = MAX_AGE_SECONDS
    return response


def _read_without_transaction() -> None:
    """On PostgreSQL, read in autocommit: each statement its own snapshot, and no BEGIN and ROLLBACK round trips.

    The request only reads (the sessions, then at times the lottery policies), so a transaction around it buys
    nothing but two more round trips to the server, ~1 ms of a 10 ms budget on a busy machine. Only when the
    request's session has not begun (a signed-in user's loader may have read already).
    """
    if db.session.get_bind().dialect.name == "postgresql" and not db.session().in_transaction():
        db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


OPENAPI_SCHEMAS = {
    "Availability": object_schema(
        ["id", "state", "left", "starts_at", "text"],
        {
            "id": {"type": "integer"},
            "state": {
                "type": "string",
                "enum": [LiveState.OPEN.value, LiveState.LOTTERY.value, LiveState.FULL.value],
                "description": "open: 예약 가능, lottery: 추첨 (다음 회차가 주말 추첨 회차, 시작 2시간 전까지), "
                "full: 마감 (모든 회차)",
            },
            "left": {"type": "integer", "minimum": 0, "description": "다음 예약 가능 회차의 잔여석 (마감이면 0)"},
            "starts_at": {"type": "string", "format": "date-time", "description": "그 회차의 시작 (Asia/Seoul)"},
            "text": {
                "type": "string",
                "description": "카드·지도의 문구 (예: 다음 회차 12/3(수) 09:30 · 잔여 12석, 추첨 · 12/13(토) 10:00)",
            },
        },
    ),
}

OPENAPI_PATHS = {
    "/api/availability": {
        "get": {
            "summary": "실시간 잔여석: 시설마다 다음 예약 가능 회차의 잔여석, 추첨 또는 마감 (Live remaining places)",
            "parameters": [
                {
                    "name": "facility_ids",
                    "in": "query",
                    "required": True,
                    "style": "form",
                    "explode": False,
                    "schema": {"type": "array", "minItems": 1, "maxItems": MAX_IDS, "items": ID_SCHEMA},
                    "description": f"시설 id, 쉼표로 구분 (1~{MAX_IDS}개). 회차가 없거나 없는 id는 답에서 빠짐",
                },
            ],
            "responses": {
                "200": {
                    "description": "시설별 잔여석 (Cache-Control: public, max-age=5)",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["items"],
                                "properties": {
                                    "items": {"type": "array", "items": {"$ref": "#/components/schemas/Availability"}}
                                },
                            }
                        }
                    },
                },
            },
        }
    },
}
