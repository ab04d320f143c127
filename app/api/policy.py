"""Operator API for a facility's booking policy: every setting as JSON; the page's settings can be changed."""

from __future__ import annotations

from app.auth.roles import api_roles_required, can_manage_facility
from app.auth.tokens import api_login_required, current_api_user
from app.bookings.models import BookingPolicy
from app.bookings.policy import ALLOCATIONS, get_policy
from app.database import unit_of_work
from app.errors import ApiError
from app.extensions import db
from app.facilities.models import Facility
from app.operators import settings
from app.operators.forms import policy_values
from app.params import id_param, json_body
from app.routing import Routes
from app.timeutil import utcnow

bp = Routes()

# Every column but the keys; only the settings page's fields (settings.POLICY_FIELDS) can be PATCHed.
SETTINGS = tuple(c.name for c in BookingPolicy.__table__.columns if c.name not in ("facility_id", "updated_at"))


def _facility(facility_id: int) -> Facility:
    facility = db.session.get(Facility, facility_id)
    if facility is None:
        raise ApiError("not_found", "시설을 찾을 수 없습니다", 404)
    if not can_manage_facility(current_api_user(), facility_id):
        raise ApiError("forbidden", "이 시설을 관리할 권한이 없습니다", 403)
    return facility


def policy_document(policy: BookingPolicy) -> dict:
    """Every setting of a policy (stored or the kind's defaults)."""
    return {name: getattr(policy, name) for name in SETTINGS}


@bp.get("/operator/facilities/<id:facility_id>/policy")
@api_login_required
@api_roles_required("operator", "admin")
def api_operator_policy(facility_id: int):
    return policy_document(get_policy(db.session, _facility(facility_id)))


@bp.patch("/operator/facilities/<id:facility_id>/policy")
@api_login_required
@api_roles_required("operator", "admin")
def api_operator_policy_update(facility_id: int):
    facility = _facility(facility_id)
    body = json_body()
    unknown = sorted(set(body) - set(SETTINGS))
    if unknown:
        raise ApiError("invalid_body", f"알 수 없는 설정입니다: {', '.join(unknown)}", 400)
    fixed = sorted(set(body) - set(settings.POLICY_FIELDS))
    if fixed:
        raise ApiError("read_only", f"설정 화면에서 바꿀 수 없는 항목입니다: {', '.join(fixed)}", 422)
    for name, value in body.items():
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise ApiError("invalid_form", f"{name}: 문자열이나 정수여야 합니다", 422)
    current = settings.policy_json(get_policy(db.session, facility))
    # The page's own parser (app/operators/forms.py), so the API validates exactly as the page does.
    values = policy_values({k: str(v) for k, v in {**current, **body}.items()})
    with unit_of_work():
        policy = settings.save_policy(db.session, current_api_user(), facility, values, utcnow())
    return policy_document(policy)


_NULLABLE_INT = {"type": ["integer", "null"]}
_CYCLE = {"type": "string", "pattern": "^(MON|TUE|WED|THU|FRI|SAT|SUN) [0-2][0-9]:[0-5][0-9]$"}
_EDITABLE = {
    "opening_mode": {"type": "string", "enum": ["days_ahead", "weekly"]},
    "days_ahead": {"type": "integer", "minimum": 0, "maximum": 90},
    "open_weekday": {"type": "integer", "minimum": 0, "maximum": 6},
    "open_time": {"type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]$"},
    "cancel_deadline_minutes": {"type": "integer", "minimum": 0, "maximum": 10080},
    "no_show_after_minutes": {"type": "integer", "minimum": 0, "maximum": 240},
    "allocation": {"type": "string", "enum": list(ALLOCATIONS)},
    **dict.fromkeys(("lottery_opens", "lottery_closes", "lottery_draw", "lottery_claim_by"), _CYCLE),
}
OPENAPI_SCHEMAS = {
    "BookingPolicy": {
        "type": "object",
        "required": list(SETTINGS),
        "properties": {
            **_EDITABLE,
            "same_day": {"type": "boolean"},
            "same_day_until": {"type": ["string", "null"]},
            "max_children": {"type": "integer"},
            "max_guardians": {"type": "integer"},
            "one_visit_per_day": {"type": "boolean"},
            **dict.fromkeys(("daily_cap_hours", "monthly_cap_hours", "age_min", "age_max"), _NULLABLE_INT),
            "age_basis": {"type": "string", "enum": ["korean_year", "months"]},
            "closed_on_holidays": {"type": "boolean"},
            "ratios": {"type": "object", "additionalProperties": {"type": "integer"}},
        },
    },
    "BookingPolicyChange": {
        "type": "object",
        "description": "설정 화면에서 바꿀 수 있는 항목만 (나머지는 422 read_only); 검증은 설정 화면과 같음",
        "properties": _EDITABLE,
        "additionalProperties": False,
    },
}
_JSON = {"application/json": {"schema": {"$ref": "#/components/schemas/BookingPolicy"}}}
_ERR = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
_COMMON = {
    "security": [{"bearer": []}],
    "tags": ["operator"],
    "parameters": [id_param("facility_id", "facility id")],
}
_DENIED = {"403": {"description": "운영자·관리자가 아니거나 담당 시설이 아님", "content": _ERR}}
OPENAPI_PATHS = {
    "/api/operator/facilities/{facility_id}/policy": {
        "get": {
            **_COMMON,
            "summary": "시설의 예약 규칙 전체 (주말 추첨 설정 포함)",
            "responses": {"200": {"description": "예약 규칙", "content": _JSON}, **_DENIED},
        },
        "patch": {
            **_COMMON,
            "summary": "예약 규칙 변경 (설정 화면과 같은 항목·검증)",
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/BookingPolicyChange"}}},
            },
            "responses": {
                "200": {"description": "바뀐 예약 규칙", "content": _JSON},
                "422": {"description": "invalid_form (값 오류), read_only (화면에 없는 항목)", "content": _ERR},
                **_DENIED,
            },
        },
    }
}
