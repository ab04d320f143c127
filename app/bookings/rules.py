"""Booking rules as small pure checks raising BookingError with a stable code and a Korean message."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from app.bookings.models import BookingPolicy
from app.bookings.policy import age_on
from app.errors import DomainError
from app.facilities.choices import FacilityKind
from app.timeutil import KST

# HTTP status per error code: 409 = conflicts with the current state, 422 = not allowed for this request.
STATUS = {
    "slot_full": 409,
    "duplicate": 409,
    "one_visit_per_day": 409,
    "daily_cap": 409,
    "monthly_cap": 409,
    "too_late_to_cancel": 409,
    "not_cancellable": 409,
    "too_early": 409,
    "not_undoable": 409,
    "undo_expired": 409,
    "child_has_bookings": 409,
    "cancelled": 409,
    "lottery_only": 409,
    "window_not_open": 422,
    "slot_past": 422,
    "age_out_of_range": 422,
    "too_many_children": 422,
    "too_many_guardians": 422,
    "banned": 422,
    "closed": 422,
    "invalid_children": 422,
    "invalid_hours": 422,
    "not_found": 404,
}


class BookingError(DomainError):
    """A refused booking or cancellation: `code` is stable, `message` is for people (Korean)."""

    def __init__(self, code: str, message: str, status: int | None = None):
        super().__init__(code, message, status or STATUS.get(code, 409))


def kst_day(moment: datetime) -> date:
    """The Seoul calendar day of a moment."""
    return moment.astimezone(KST).date()


def check_counts(policy: BookingPolicy, n_children: int, guardians: int) -> None:
    """Children and guardians within the policy's limits."""
    if n_children < 1:
        raise BookingError("invalid_children", "예약할 아이를 한 명 이상 선택해 주세요")
    if n_children > policy.max_children:
        raise BookingError("too_many_children", f"한 번에 아이 {policy.max_children}명까지 예약할 수 있습니다")
    if guardians < 1 or guardians > policy.max_guardians:
        raise BookingError("too_many_guardians", f"보호자는 1명에서 {policy.max_guardians}명까지입니다")


def check_ban(banned_until: datetime | None, now: datetime) -> None:
    """No new bookings while a no-show ban runs."""
    if banned_until is not None and banned_until > now:
        until = banned_until.astimezone(KST)
        raise BookingError("banned", f"노쇼로 {until:%Y년 %m월 %d일 %H:%M}까지 예약할 수 없습니다")


def age_range(policy: BookingPolicy, facility) -> tuple[int | None, int | None]:
    """The allowed ages in the policy's unit; for 연나이 the facility's stated range is the fallback."""
    lo, hi = policy.age_min, policy.age_max
    if policy.age_basis == "korean_year":
        lo = facility.age_min if lo is None else lo
        hi = facility.age_max if hi is None else hi
    return lo, hi


def check_ages(policy: BookingPolicy, facility, children, day: date) -> None:
    """Every child within the facility's age range on the session's day."""
    lo, hi = age_range(policy, facility)
    years = policy.age_basis == "korean_year"
    for child in children:
        age = age_on(policy, child.birth_date, day)
        if (lo is not None and age < lo) or (hi is not None and age > hi):
            span = f"{'' if lo is None else lo}~{'' if hi is None else hi}{'세' if years else '개월'}"
            if years:
                span = f"연나이 {span}"
            raise BookingError(
                "age_out_of_range", f"{child.name}: 이용 연령은 {span}입니다 (이 날 {age_text(policy, age)})"
            )


def age_text(policy: BookingPolicy, age: int) -> str:
    """An age in the policy's unit as parents read it: "연나이 5세" or "38개월"."""
    return f"연나이 {age}세" if policy.age_basis == "korean_year" else f"{age}개월"


@dataclass(frozen=True)
class Held:
    """An active booking a child already holds (one row per booking and child)."""

    child_id: int
    booking_id: int
    slot_id: int
    facility_id: int
    kind: str
    starts_at: datetime
    ends_at: datetime
    hours: int


def check_child_conflicts(
    policy: BookingPolicy,
    kind: str,
    slot_ids: set[int],
    starts_at: datetime,
    ends_at: datetime,
    hours: int,
    held: list[Held],
    names: dict[int, str],
) -> None:
    """Duplicates, overlaps, one visit a day and the daily/monthly hour caps, against what each child holds."""
    day = kst_day(starts_at)
    for child_id, name in sorted(names.items()):
        mine = [h for h in held if h.child_id == child_id]
        for h in mine:
            if h.slot_id in slot_ids or (h.starts_at < ends_at and starts_at < h.ends_at):
                raise BookingError("duplicate", f"{name}: 같은 시간에 이미 예약이 있습니다")
        if policy.one_visit_per_day and any(h.kind == kind and kst_day(h.starts_at) == day for h in mine):
            raise BookingError("one_visit_per_day", f"{name}: 하루에 한 번만 이용할 수 있습니다")
        counted = [h for h in mine if h.kind == FacilityKind.HOURLY_DAYCARE]
        if policy.daily_cap_hours is not None:
            used = sum(h.hours for h in counted if kst_day(h.starts_at) == day)
            if used + hours > policy.daily_cap_hours:
                raise BookingError(
                    "daily_cap", f"{name}: 하루 {policy.daily_cap_hours}시간까지 이용할 수 있습니다 (이미 {used}시간)"
                )
        if policy.monthly_cap_hours is not None:
            month = (day.year, day.month)
            used = sum(h.hours for h in counted if (kst_day(h.starts_at).year, kst_day(h.starts_at).month) == month)
            if used + hours > policy.monthly_cap_hours:
                raise BookingError(
                    "monthly_cap",
                    f"{name}: 한 달 {policy.monthly_cap_hours}시간까지 이용할 수 있습니다 (이미 {used}시간)",
                )
