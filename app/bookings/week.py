"""The week of slots a facility page shows: gathered by the view in one slot query, shown by bookings/_week.html.

Kids cafés show each day's few sessions as a list; an hourly daycare (12 hours × 5 days) shows a compact
grid of hours × days instead of 60 buttons. Each cell's state and words come from app.bookings.availability.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from app.bookings import services
from app.bookings.choices import SlotState
from app.bookings.policy import get_policy
from app.facilities.choices import WEEKDAY_LABELS, FacilityKind
from app.facilities.models import Facility
from app.timeutil import KST

WEEK_DAYS = 7
MAX_WEEKS_AHEAD = 8


def day_label(day: date) -> str:
    """ "11/24 (화)"."""
    return f"{day.month}/{day.day} ({WEEKDAY_LABELS[day.weekday()]})"


def slot_view(item: dict) -> dict:
    """A slot dict from the engine with display strings added."""
    starts, ends = datetime.fromisoformat(item["starts_at"]), datetime.fromisoformat(item["ends_at"])
    # A grid cell is narrow: the places left or a word (its accessible name is the whole label).
    short = str(item["remaining"]) if item["bookable"] else SlotState(item["state"]).short
    return {**item, "time": f"{starts:%H:%M}–{ends:%H:%M}", "start": f"{starts:%H:%M}", "short": short}


def day_note(slots: list[dict], closed: str | None, weekly_off: bool = False) -> str | None:
    """What a whole day says when none of it can be booked for one reason (휴관 (성탄절), 12/9 09:00 오픈…)."""
    if closed and not slots:
        return f"휴관 ({closed})"
    if weekly_off and not slots:
        return "정기 휴무"
    labels = {s["label"] for s in slots}
    if slots and not any(s["bookable"] for s in slots) and len(labels) == 1:
        return labels.pop()
    return None


def week_start(raw: str | None, today: date) -> date:
    """The first day of the shown week: `?week=` clamped to today … MAX_WEEKS_AHEAD weeks."""
    try:
        start = date.fromisoformat(raw) if raw else today
    except ValueError:
        start = today
    return min(max(start, today), today + timedelta(weeks=MAX_WEEKS_AHEAD))


def hour_grid(days: list[dict]) -> dict:
    """Rows of start times × the days that have sessions (or a closure), for an hourly daycare."""
    columns = [d for d in days if d["slots"] or d["note"]]
    times = sorted({s["start"] for d in columns for s in d["slots"]})
    rows = [
        {"time": t, "cells": [next((s for s in d["slots"] if s["start"] == t), None) for d in columns]} for t in times
    ]
    return {"days": columns, "rows": rows}


def booking_week(session: Session, facility_id: int, raw_start: str | None, now: datetime) -> dict:
    """Seven days of slots from `raw_start` (the `?week=` value) for the facility page's week view."""
    today = now.astimezone(KST).date()
    start = week_start(raw_start, today)
    facility = session.get(Facility, facility_id)
    policy = get_policy(session, facility)
    by_day, closed = services.slots_and_closures(session, facility_id, start, WEEK_DAYS, now, policy)
    days = []
    for offset in range(WEEK_DAYS):
        day = start + timedelta(days=offset)
        slots = [slot_view(s) for s in by_day.get(day, [])]
        days.append(
            {
                "date": day.isoformat(),
                "label": day_label(day),
                "today": day == today,
                "slots": slots,
                "note": day_note(slots, closed.get(day), not facility.open_days >> day.weekday() & 1),
            }
        )
    prev_start = max(start - timedelta(days=WEEK_DAYS), today)
    next_start = start + timedelta(days=WEEK_DAYS)
    return {
        "start": start.isoformat(),
        "policy": policy,  # for what draws on the week (the lottery's cells) without reading it again
        "days": days,
        "grid": hour_grid(days) if facility.kind == FacilityKind.HOURLY_DAYCARE else None,
        "today": today.isoformat(),
        "max": (today + timedelta(weeks=MAX_WEEKS_AHEAD)).isoformat(),
        "prev": prev_start.isoformat() if start > today else None,
        "next": next_start.isoformat() if next_start <= today + timedelta(weeks=MAX_WEEKS_AHEAD) else None,
    }
