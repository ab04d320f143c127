"""What a parent sees on a session (회차): one answer for the week view, the booking form and the API.

Ordered like pretix's availability states: the first reason that applies wins (past, closed, blocked, full,
not open yet, same day), so a cell, the form's disabled button and the engine's refusal never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.bookings.choices import SlotState
from app.bookings.models import BookingPolicy, Slot
from app.bookings.rules import kst_day
from app.bookings.schedule import check_window, closed_reason, closures_between
from app.facilities.models import Facility
from app.timeutil import KST

__all__ = ["SessionState", "session_state", "closed_days", "slot_item", "next_free_slot", "bookable_hours"]


@dataclass(frozen=True)
class SessionState:
    """`label` is the cell's short word ("마감", "12/9 09:00 오픈", "휴관 (성탄절)"); `reason` the form's sentence."""

    code: SlotState
    label: str
    reason: str = ""

    @property
    def bookable(self) -> bool:
        return self.code == SlotState.OPEN


def session_state(
    policy: BookingPolicy, slot: Slot, now: datetime, closed: str | None = None, places: int = 1
) -> SessionState:
    """The state of `slot` at `now` for `places` children; `closed` is the day's closed_reason (schedule.py)."""
    if slot.starts_at <= now:
        return SessionState(SlotState.PAST, SlotState.PAST.label, "이미 시작했거나 지난 회차입니다")
    if closed:
        return SessionState(SlotState.CLOSED, f"휴관 ({closed})", f"이 날은 휴관입니다 ({closed})")
    if slot.blocked:
        return SessionState(SlotState.BLOCKED, SlotState.BLOCKED.label, "시설이 이 시간에는 예약을 받지 않습니다")
    if slot.remaining < places:
        return SessionState(SlotState.FULL, SlotState.FULL.label, "남은 자리가 없습니다")
    window = check_window(policy, slot.starts_at, now)
    if window.why == "not_open" and window.opens is not None:
        opens = window.opens
        return SessionState(SlotState.NOT_OPEN, f"{opens.month}/{opens.day} {opens:%H:%M} 오픈", window.message)
    if not window.ok:
        return SessionState(SlotState.SAME_DAY, SlotState.SAME_DAY.label, window.message)
    return SessionState(SlotState.OPEN, f"{slot.remaining}자리 남음")


def closed_days(session: Session, facility: Facility, policy: BookingPolicy, first: date, days: int) -> dict:
    """{day: why it is closed} for the closed days among `days` Seoul days from `first` (one closures query)."""
    closures = closures_between(session, facility.id, first, first + timedelta(days=days - 1))
    reasons = {}
    for i in range(days):
        day = first + timedelta(days=i)
        if (reason := closed_reason(session, facility.id, policy, day, closures)) is not None:
            reasons[day] = reason
    return reasons


def slots_from(session: Session, first: Slot, count: int) -> list[Slot]:
    """The facility's `count` slots from `first` on, in time order (a daycare run is checked on these)."""
    query = select(Slot).where(Slot.facility_id == first.facility_id, Slot.starts_at >= first.starts_at)
    return list(session.scalars(query.order_by(Slot.starts_at).limit(count)))


def slot_item(slot: Slot, state: SessionState) -> dict:
    """The public shape of a slot with its state (the API's items, the week view's cells)."""
    starts, ends = slot.starts_at.astimezone(KST), slot.ends_at.astimezone(KST)
    return {
        "id": slot.id,
        **{"starts_at": starts.isoformat(), "ends_at": ends.isoformat()},
        "capacity": slot.capacity,
        "remaining": slot.remaining,
        "bookable": state.bookable,
        "state": state.code.value,
        "label": state.label,
    }


# How far ahead the booking form looks for the next session with a place.
NEXT_FREE_DAYS = 56


def next_free_slot(session: Session, slot: Slot, policy: BookingPolicy, now: datetime, places: int = 1) -> Slot | None:
    """The facility's first session after `slot` that `places` children could book now, or None."""
    after = max(slot.starts_at, now)
    candidates = session.scalars(
        select(Slot)
        .where(
            Slot.facility_id == slot.facility_id,
            Slot.starts_at > after,
            Slot.starts_at < after + timedelta(days=NEXT_FREE_DAYS),
            Slot.capacity - Slot.booked - Slot.held >= places,
            Slot.blocked.is_(False),
        )
        .order_by(Slot.starts_at)
    ).all()
    if not candidates:
        return None
    first_day, last_day = kst_day(candidates[0].starts_at), kst_day(candidates[-1].starts_at)
    closed = closed_days(session, slot.facility, policy, first_day, (last_day - first_day).days + 1)
    for candidate in candidates:
        if session_state(policy, candidate, now, closed.get(kst_day(candidate.starts_at)), places).bookable:
            return candidate
    return None


def bookable_hours(session: Session, slot: Slot, policy: BookingPolicy, now: datetime, places: int = 1) -> int:
    """How many back-to-back hours from `slot` `places` children could book now (daycare; 0 when none)."""
    run = slots_from(session, slot, policy.daily_cap_hours or 4)
    day = kst_day(slot.starts_at)
    closed = closed_days(session, slot.facility, policy, day, 1).get(day)
    hours, previous = 0, None
    for s in run:
        contiguous = previous is None or previous.ends_at == s.starts_at
        if not contiguous or kst_day(s.starts_at) != day or not session_state(policy, s, now, closed, places).bookable:
            break
        hours, previous = hours + 1, s
    return hours
