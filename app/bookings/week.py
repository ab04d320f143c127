"""The week of slots a facility page shows: gathered by the view in one slot query, shown by bookings/_week.html."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from app.bookings import services
from app.facilities.choices import WEEKDAY_LABELS
from app.timeutil import KST

WEEK_DAYS = 7
MAX_WEEKS_AHEAD = 8


def day_label(day: date) -> str:
    """ "11/24 (화)"."""
    return f"{day.month}/{day.day} ({WEEKDAY_LABELS[day.weekday()]})"


def slot_view(item: dict) -> dict:
    """A slot dict from the engine with display strings added."""
    starts, ends = datetime.fromisoformat(item["starts_at"]), datetime.fromisoformat(item["ends_at"])
    state = "open" if item["bookable"] else ("full" if item["remaining"] <= 0 else "closed")
    return {**item, "time": f"{starts:%H:%M}–{ends:%H:%M}", "state": state}


def week_start(raw: str | None, today: date) -> date:
    """The first day of the shown week: `?week=` clamped to today … MAX_WEEKS_AHEAD weeks."""
    try:
        start = date.fromisoformat(raw) if raw else today
    except ValueError:
        start = today
    return min(max(start, today), today + timedelta(weeks=MAX_WEEKS_AHEAD))


def booking_week(session: Session, facility_id: int, raw_start: str | None, now: datetime) -> dict:
    """Seven days of slots from `raw_start` (the `?week=` value) for the facility page's week view."""
    today = now.astimezone(KST).date()
    start = week_start(raw_start, today)
    by_day = services.slots_for_days(session, facility_id, start, WEEK_DAYS, now)
    days = []
    for offset in range(WEEK_DAYS):
        day = start + timedelta(days=offset)
        slots = [slot_view(s) for s in by_day.get(day, [])]
        days.append({"date": day.isoformat(), "label": day_label(day), "today": day == today, "slots": slots})
    prev_start = max(start - timedelta(days=WEEK_DAYS), today)
    next_start = start + timedelta(days=WEEK_DAYS)
    return {
        "start": start.isoformat(),
        "days": days,
        "today": today.isoformat(),
        "max": (today + timedelta(weeks=MAX_WEEKS_AHEAD)).isoformat(),
        "prev": prev_start.isoformat() if start > today else None,
        "next": next_start.isoformat() if next_start <= today + timedelta(weeks=MAX_WEEKS_AHEAD) else None,
    }
