"""Parsing of operator form input into typed values; a bad field raises FormError with a Korean message."""

from __future__ import annotations

import re
from datetime import date

from werkzeug.exceptions import BadRequest

from app.bookings.policy import ALLOCATIONS, CYCLE_FIELDS, cycle_minutes
from app.errors import DomainError
from app.facilities.choices import WEEKDAY_LABELS
from app.validation import CAPACITY_MAX, InvalidValue, parse_date, parse_int

HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class FormError(DomainError, ValueError):
    """A field that could not be read (422)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__("invalid_form", message, 422, field)


def integer(form, name: str, label: str, lo: int = 0, hi: int = 10_000, optional: bool = False) -> int | None:
    """An integer field within [lo, hi]; empty gives None when optional."""
    raw = (form.get(name) or "").strip()
    if raw == "" and optional:
        return None
    try:
        return parse_int(raw, label, lo, hi)
    except InvalidValue as error:
        message = "숫자를 입력해 주세요" if error.status == 400 else f"{lo}~{hi} 사이로 입력해 주세요"
        raise FormError(f"{label}: {message}") from None


def hhmm(form, name: str, label: str) -> str:
    """A "HH:MM" field."""
    raw = (form.get(name) or "").strip()
    if not HHMM.match(raw):
        raise FormError(f"{label}: 09:30 형식으로 입력해 주세요")
    return raw


def day(form, name: str, label: str) -> date:
    """A YYYY-MM-DD field within app.validation's DATE_MIN … DATE_MAX."""
    try:
        return parse_date(form.get(name) or "", label)
    except InvalidValue as error:
        raise FormError(error.message) from None


CYCLE_LABELS = {
    "lottery_opens": "추첨 신청 시작",
    "lottery_closes": "추첨 신청 마감",
    "lottery_draw": "추첨 시각",
    "lottery_claim_by": "당첨 확정 마감",
}


def lottery_values(form) -> dict:
    """The weekend lottery settings: allocation and the cycle, each "DAY HH:MM", strictly in order before Saturday."""
    allocation = form.get("allocation")
    if allocation not in ALLOCATIONS:
        raise FormError("배정 방식을 골라 주세요 (선착순 또는 주말 추첨)")
    values, previous = {"allocation": allocation}, -1
    for name in CYCLE_FIELDS:
        raw = (form.get(name) or "").strip().upper()
        minutes = cycle_minutes(raw)
        if minutes is None:
            raise FormError(f"{CYCLE_LABELS[name]}: TUE 09:00 형식(MON~SUN 요일과 시각)으로 입력해 주세요", name)
        # Each step follows the one before, and winners must claim before the weekend's first session (Saturday).
        if minutes <= previous or minutes >= 5 * 1440:
            order = "신청 시작 → 마감 → 추첨 → 확정 마감 순서로, 금요일까지여야 합니다"
            raise FormError(f"{CYCLE_LABELS[name]}: {order}", name)
        values[name], previous = raw, minutes
    return values


def policy_values(form) -> dict:
    """The booking-policy form: opening rule, cancellation deadline and the weekend lottery (the ban is the city's)."""
    mode = form.get("opening_mode")
    if mode not in ("days_ahead", "weekly"):
        raise FormError("예약 오픈 방식을 골라 주세요")
    values = {
        "opening_mode": mode,
        "days_ahead": integer(form, "days_ahead", "며칠 전 오픈", 0, 90),
        "open_weekday": integer(form, "open_weekday", "오픈 요일", 0, 6),
        "open_time": hhmm(form, "open_time", "오픈 시각"),
        "cancel_deadline_minutes": integer(form, "cancel_deadline_minutes", "취소 마감(분)", 0, 7 * 24 * 60),
        "no_show_after_minutes": integer(form, "no_show_after_minutes", "노쇼 처리 가능(시작 후 분)", 0, 240),
    }
    return {**values, **lottery_values(form)}


def week_values(form, hourly: bool) -> dict[tuple[int, str, str], tuple[int | None, int]]:
    """The weekly grid: rows `starts-N`/`ends-N` (N = 0, 1, … and "new"), a cell per row and weekday with
    `on-N-W` ticked, `cap-N-W` (individual places; daycare may leave it empty) and `grp-N-W` (group places)."""
    rows = sorted({k.split("-", 1)[1] for k in form if k.startswith("starts-")})
    wanted: dict[tuple[int, str, str], tuple[int | None, int]] = {}
    for row in rows:
        ticked = [w for w in range(7) if form.get(f"on-{row}-{w}")]
        if not ticked:
            continue  # a row with no day ticked (also the empty "new session" row)
        starts, ends = hhmm(form, f"starts-{row}", "시작"), hhmm(form, f"ends-{row}", "종료")
        if starts >= ends:
            raise FormError(f"{starts} 회차: 끝나는 시각은 시작 시각보다 늦어야 합니다")
        for w in ticked:
            label = f"{WEEKDAY_LABELS[w]} {starts}"
            capacity = integer(form, f"cap-{row}-{w}", f"{label} 개인 정원", 0, CAPACITY_MAX, optional=hourly)
            group = integer(form, f"grp-{row}-{w}", f"{label} 단체 정원", 0, CAPACITY_MAX, optional=True) or 0
            wanted[(w, starts, ends)] = (capacity, group)
    return wanted


def parse_date_arg(raw: str | None, default: date) -> date:
    """A ?date= query value, or the default when missing; 400 (Korean) when malformed or out of range."""
    if not raw:
        return default
    try:
        return parse_date(raw, "date")
    except InvalidValue as error:
        raise BadRequest(description=error.message) from None
