"""Opening hours: is a facility open at a given moment, and what are today's hours."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache

import holidays

from app.facilities.choices import WEEKDAY_LABELS
from app.timeutil import KST

# The library's legal names where parents (and 키움포털) use another one.
_COMMON_NAMES = {"기독탄신일": "성탄절", "신정연휴": "신정"}


@lru_cache(maxsize=16)
def _korean_holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("KR", years=year, language="ko")


@lru_cache(maxsize=4096)
def is_public_holiday(day: date) -> bool:
    """Korean public holiday, including lunar and substitute holidays."""
    # Cached per day: the library's own look-up costs ~85 µs, and a 5,000-item page asks 5,000 times.
    return day in _korean_holidays(day.year)


@lru_cache(maxsize=4096)
def holiday_name(day: date) -> str | None:
    """The holiday's Korean name as parents say it (성탄절, 설날), or None on an ordinary day."""
    name = _korean_holidays(day.year).get(day)
    return _COMMON_NAMES.get(name, name) if name else None


def _minutes(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


def _day_open(f, day: date) -> bool:
    if f["closed_on_holidays"] and is_public_holiday(day):
        return False
    return bool(f["open_days"] >> day.weekday() & 1)


def is_open_at(f, moment: datetime) -> bool | None:
    """True/False, or None when the hours are unknown.

    ``f`` is a mapping (row or dict) with open_days, opens_at, closes_at, always_open and
    closed_on_holidays. Hours past midnight (closes_at < opens_at) belong to the day they start.
    """
    local = moment.astimezone(KST)
    if f["always_open"]:
        return _day_open(f, local.date())
    if not f["opens_at"] or not f["closes_at"]:
        return None
    now_m = local.hour * 60 + local.minute
    opens, closes = _minutes(f["opens_at"]), _minutes(f["closes_at"])
    if closes > opens:
        return _day_open(f, local.date()) and opens <= now_m < closes
    # Overnight: open from `opens` today, or still open from yesterday's start.
    if now_m >= opens and _day_open(f, local.date()):
        return True
    yesterday = date.fromordinal(local.date().toordinal() - 1)
    return now_m < closes and _day_open(f, yesterday)


def hours_on(f, day: date) -> str:
    """A short Korean text for the facility's hours on a day, e.g. "09:00–18:00" or "휴무"."""
    if not _day_open(f, day):
        name = holiday_name(day) if f["closed_on_holidays"] else None
        return f"휴무 ({name})" if name else "휴무"
    if f["always_open"]:
        return "24시간"
    if f["opens_at"] and f["closes_at"]:
        return f"{f['opens_at']}–{f['closes_at']}"
    return "시간 정보 없음"


def days_label(open_days: int) -> str:
    """The open weekdays as Korean text, e.g. "화~일" or "월·수·금"."""
    days = [i for i in range(7) if open_days >> i & 1]
    if len(days) == 7:
        return "매일"
    if not days:
        return "없음"
    if days == list(range(days[0], days[-1] + 1)) and len(days) >= 3:
        return f"{WEEKDAY_LABELS[days[0]]}~{WEEKDAY_LABELS[days[-1]]}"
    return "·".join(WEEKDAY_LABELS[i] for i in days)


def when_label(starts_at: datetime, ends_at: datetime) -> str:
    """ "2026-11-24 (화) 10:00–12:00" in Seoul time: how pages, exports, audit entries and messages name a session."""
    starts, ends = starts_at.astimezone(KST), ends_at.astimezone(KST)
    return f"{starts:%Y-%m-%d} ({WEEKDAY_LABELS[starts.weekday()]}) {starts:%H:%M}–{ends:%H:%M}"
