"""Parsing of operator form input into typed values; a bad field raises FormError with a Korean message."""

from __future__ import annotations

import re
from datetime import date

from werkzeug.exceptions import BadRequest

from app.errors import DomainError
from app.validation import InvalidValue, parse_date, parse_int

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


def policy_values(form) -> dict:
    """The booking-policy form: opening rule and cancellation deadline (the no-show ban is the city's)."""
    mode = form.get("opening_mode")
    if mode not in ("days_ahead", "weekly"):
        raise FormError("예약 오픈 방식을 골라 주세요")
    return {
        "opening_mode": mode,
        "days_ahead": integer(form, "days_ahead", "며칠 전 오픈", 0, 90),
        "open_weekday": integer(form, "open_weekday", "오픈 요일", 0, 6),
        "open_time": hhmm(form, "open_time", "오픈 시각"),
        "cancel_deadline_minutes": integer(form, "cancel_deadline_minutes", "취소 마감(분)", 0, 7 * 24 * 60),
    }


def parse_date_arg(raw: str | None, default: date) -> date:
    """A ?date= query value, or the default when missing; 400 (Korean) when malformed or out of range."""
    if not raw:
        return default
    try:
        return parse_date(raw, "date")
    except InvalidValue as error:
        raise BadRequest(description=error.message) from None
