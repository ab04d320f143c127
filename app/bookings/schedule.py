"""Schedules: session templates, closures, public holidays, booking windows and slot generation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import bindparam, insert, select
from sqlalchemy.orm import Session

from app.bookings.models import BookingPolicy, Closure, DaycareClass, SessionTemplate, Slot
from app.bookings.policy import get_policy, ratio_for_age
from app.facilities.choices import BOOKABLE_KINDS, FacilityKind
from app.facilities.hours import holiday_name, is_public_holiday
from app.facilities.models import Facility
from app.timeutil import KST

KIDS_CAFE_WEEKDAY_SESSIONS = (("09:30", "11:30"), ("13:00", "15:00"), ("15:30", "17:30"))
KIDS_CAFE_WEEKEND_SESSIONS = (("09:30", "11:30"), ("12:00", "14:00"), ("14:30", "16:30"), ("17:00", "19:00"))
DAYCARE_HOURS = ("07:30", "19:30")
DAYCARE_DAYS = 0b0011111  # Monday to Friday
# Used when a daycare has no classes configured: 0세반, 1–2세반, 3세 이상반 with one teacher each.
DEFAULT_CLASSES = (("0세반", 0, 1), ("1-2세반", 1, 1), ("3세 이상반", 3, 1))


def hhmm(value: str) -> time:
    """ "09:30" → time(9, 30)."""
    h, m = value.split(":")
    return time(int(h), int(m))


def at_kst(day: date, value: str) -> datetime:
    """The moment `value` ("HH:MM") on `day` in Seoul."""
    return datetime.combine(day, hhmm(value), tzinfo=KST)


def closures_between(session: Session, facility_id: int, first: date, last: date) -> list[Closure]:
    """The facility's closures overlapping first..last, for checking many days with one query."""
    return list(session.scalars(_CLOSURES_BETWEEN, {"facility_id": facility_id, "first": first, "last": last}))


# Built once (every booking asks): the values are bound per call.
_CLOSURES_BETWEEN = select(Closure).where(
    Closure.facility_id == bindparam("facility_id"),
    Closure.starts_on <= bindparam("last"),
    Closure.ends_on >= bindparam("first"),
)


def closed_reason(
    session: Session, facility_id: int, policy: BookingPolicy, day: date, closures: list[Closure] | None = None
) -> str | None:
    """Why the facility is closed on `day` in a word or two ("성탄절", the closure's reason, "휴관일"), or None.

    `closures`, from ``closures_between``, spares a query per day when checking a range.
    """
    if closures is None:
        closures = closures_between(session, facility_id, day, day)
    closure = next((c for c in closures if c.starts_on <= day <= c.ends_on), None)
    if closure is not None:
        return closure.reason or "휴관일"
    if policy.closed_on_holidays and is_public_holiday(day):
        return holiday_name(day) or "공휴일"
    return None


def window_opens_at(policy: BookingPolicy, day: date) -> datetime:
    """When booking for sessions on `day` opens (Seoul time)."""
    if policy.opening_mode == "weekly":
        # The release on open_weekday covers that weekday + 7 … + 13 days.
        back = 7 + (day.weekday() - policy.open_weekday) % 7
        return at_kst(day - timedelta(days=back), policy.open_time)
    return at_kst(day - timedelta(days=policy.days_ahead), policy.open_time)


@dataclass(frozen=True)
class WindowCheck:
    ok: bool
    message: str = ""
    # Why not: "not_open" (then `opens` says when it will) or "same_day".
    why: str = ""
    opens: datetime | None = None


def check_window(policy: BookingPolicy, starts_at: datetime, now: datetime) -> WindowCheck:
    """Whether a session starting at `starts_at` may be booked at `now` (past sessions are not covered)."""
    day = starts_at.astimezone(KST).date()
    today = now.astimezone(KST).date()
    opens = window_opens_at(policy, day)
    if now < opens:
        return WindowCheck(False, f"예약은 {opens:%m월 %d일 %H:%M}에 열립니다", "not_open", opens)
    if day == today:
        if not policy.same_day:
            return WindowCheck(False, "당일 예약은 온라인으로 받지 않습니다. 시설에 전화로 문의해 주세요", "same_day")
        if policy.same_day_until and now.astimezone(KST) >= at_kst(day, policy.same_day_until):
            return WindowCheck(False, f"당일 예약은 {policy.same_day_until}까지입니다", "same_day")
    return WindowCheck(True)


def daycare_capacity(session: Session, facility_id: int, policy: BookingPolicy) -> int:
    """Places per hour: the sum over classes of teachers × the ratio for the class's age."""
    classes = session.scalars(select(DaycareClass).where(DaycareClass.facility_id == facility_id)).all()
    bands = [(c.age_years, c.teachers) for c in classes] or [(age, t) for _, age, t in DEFAULT_CLASSES]
    return sum(teachers * ratio_for_age(policy, age) for age, teachers in bands)


def _daycare_hours() -> list[tuple[str, str]]:
    """The daycare's one-hour sessions, ("07:30", "08:30") … ("18:30", "19:30")."""
    start, end = hhmm(DAYCARE_HOURS[0]), hhmm(DAYCARE_HOURS[1])
    hours = []
    t = datetime.combine(date.min, start)
    while t.time() < end:
        nxt = t + timedelta(hours=1)
        hours.append((t.strftime("%H:%M"), nxt.strftime("%H:%M")))
        t = nxt
    return hours


def default_templates(facility: Facility, fallback_capacity: int) -> list[SessionTemplate]:
    """Templates for a facility without any: kids-café sessions on its open days, or daycare hours.

    Daycare hours have no fixed capacity (None: derived from the classes); kids-café weekend sessions are
    individual-only, as at many branches.
    """
    daycare = facility.kind == FacilityKind.HOURLY_DAYCARE
    days = DAYCARE_DAYS if daycare else facility.open_days
    individual = None if daycare else facility.capacity_individual or fallback_capacity
    made = []
    for wd in (wd for wd in range(7) if days >> wd & 1):
        weekend = wd >= 5
        if daycare:
            sessions = _daycare_hours()
        else:
            sessions = KIDS_CAFE_WEEKEND_SESSIONS if weekend else KIDS_CAFE_WEEKDAY_SESSIONS
        group = 0 if daycare or weekend else facility.capacity_group or 0
        caps = dict(capacity_individual=individual, capacity_group=group)
        made += [SessionTemplate(facility_id=facility.id, weekday=wd, starts=s, ends=e, **caps) for s, e in sessions]
    return made


def ensure_templates(session: Session, facility: Facility, fallback_capacity: int) -> list[SessionTemplate]:
    """The facility's templates, creating the defaults the first time."""
    rows = session.scalars(select(SessionTemplate).where(SessionTemplate.facility_id == facility.id)).all()
    if rows:
        return list(rows)
    rows = default_templates(facility, fallback_capacity)
    session.add_all(rows)
    session.flush()
    return rows


def generate_slots(
    session: Session, today: date, weeks: int = 4, fallback_capacity: int = 20, facility_ids: list[int] | None = None
) -> int:
    """Create missing slots from today for `weeks` weeks; idempotent. Returns how many were created."""
    query = select(Facility).where(Facility.kind.in_(BOOKABLE_KINDS)).order_by(Facility.id)
    if facility_ids is not None:
        query = query.where(Facility.id.in_(facility_ids))
    created = 0
    end = today + timedelta(weeks=weeks)
    for facility in session.scalars(query).all():
        policy = get_policy(session, facility)
        templates = ensure_templates(session, facility, fallback_capacity)
        hourly = (
            daycare_capacity(session, facility.id, policy) if facility.kind == FacilityKind.HOURLY_DAYCARE else None
        )
        existing = set(
            session.scalars(
                select(Slot.starts_at).where(
                    Slot.facility_id == facility.id,
                    Slot.starts_at >= at_kst(today, "00:00"),
                    Slot.starts_at < at_kst(end, "00:00"),
                )
            ).all()
        )
        closures = closures_between(session, facility.id, today, end)
        rows = []
        day = today
        while day < end:
            if closed_reason(session, facility.id, policy, day, closures) is None:
                for t in (t for t in templates if t.weekday == day.weekday()):
                    starts = at_kst(day, t.starts)
                    if starts in existing:
                        continue
                    capacity = t.capacity_individual if t.capacity_individual is not None else hourly
                    rows.append(
                        dict(
                            facility_id=facility.id,
                            starts_at=starts,
                            ends_at=at_kst(day, t.ends),
                            capacity=capacity or 0,
                            capacity_group=t.capacity_group,
                            booked=0,
                            blocked=False,
                        )
                    )
            day += timedelta(days=1)
        if rows:
            # One executemany per facility: the unit of work per object took a minute for the real data.
            session.execute(insert(Slot), rows)
            created += len(rows)
    return created
