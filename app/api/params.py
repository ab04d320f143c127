"""Parsing query parameters into typed values, with a clear 400 for anything wrong."""
from __future__ import annotations

import math
from datetime import datetime

from app.api.errors import ApiError
from app.timeutil import KST


def _bad(name: str, message: str) -> ApiError:
    return ApiError("invalid_parameter", f"{name}: {message}", 400, parameter=name)


def number(args, name: str, default=None, *, minimum=None, maximum=None, integer=False):
    """A finite number from the query string, within bounds."""
    raw = args.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw) if integer else float(raw)
    except ValueError:
        kind = "정수" if integer else "숫자"
        raise _bad(name, f"{kind}가 아닙니다: {raw!r}") from None
    if not math.isfinite(value):
        raise _bad(name, "유한한 숫자여야 합니다")
    if minimum is not None and value < minimum:
        raise _bad(name, f"{minimum} 이상이어야 합니다")
    if maximum is not None and value > maximum:
        raise _bad(name, f"{maximum} 이하여야 합니다")
    return value


def choices(args, name: str, allowed) -> list[str]:
    """Values given repeated or comma-separated, each one of `allowed`."""
    values = []
    for raw in args.getlist(name):
        values += [v.strip() for v in raw.split(",") if v.strip()]
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise _bad(name, f"알 수 없는 값 {', '.join(unknown)} (가능: {', '.join(allowed)})")
    return list(dict.fromkeys(values))


def moment(args, name: str) -> datetime | None:
    """An ISO 8601 date-time; without a zone it is Seoul time. "now" is accepted."""
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    if raw == "now":
        return datetime.now(KST)
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise _bad(name, f"ISO 8601 날짜·시각이 아닙니다: {raw!r} (예: 2026-11-24T10:30)") from None
    return value if value.tzinfo else value.replace(tzinfo=KST)
