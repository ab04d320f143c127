"""Per-facility booking policy: the stored row, or the defaults for the facility's kind."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from app.bookings.models import DEFAULT_RATIOS, BookingPolicy, CityPolicy
from app.facilities.choices import FacilityKind
from app.facilities.hours import is_public_holiday
from app.timeutil import KST

# Defaults from the domain notes; every value can be overridden per facility.
_COMMON_DEFAULTS = dict(
    opening_mode="days_ahead",
    days_ahead=14,
    open_weekday=1,
    same_day_until=None,
    cancel_deadline_minutes=30,
    no_show_after_minutes=30,
    max_guardians=2,
    closed_on_holidays=True,
    allocation="first_come",
    lottery_opens="TUE 09:00",
    lottery_closes="WED 23:59",
    lottery_draw="THU 10:00",
    lottery_claim_by="FRI 12:00",
)
# Where the two bookable kinds differ: setting → (kids café, hourly daycare).
_KIND_SETTINGS = {
    "open_time": ("09:00", "00:00"),
    "same_day": (True, False),  # daycare: 14 days ahead up to the day before
    "max_children": (4, 2),
    "one_visit_per_day": (True, False),
    "daily_cap_hours": (None, 4),
    "monthly_cap_hours": (None, 60),
    "age_basis": ("korean_year", "months"),
    "age_min": (None, 6),  # daycare: 6 months up to the 7th birthday
    "age_max": (None, 83),
}
KIND_DEFAULTS: dict[str, dict] = {
    kind: {**_COMMON_DEFAULTS, **{name: values[i] for name, values in _KIND_SETTINGS.items()}}
    for i, kind in enumerate((FacilityKind.KIDS_CAFE, FacilityKind.HOURLY_DAYCARE))
}


# City-wide rules (app.bookings.models.CityPolicy): the default and the range an admin may choose.
NO_SHOW_BAN_DAYS_DEFAULT = 30
NO_SHOW_BAN_DAYS_MAX = 90


# The weekend lottery's cycle (#12): "DAY HH:MM" within the weekend's Mon–Sun week, in this order.
ALLOCATIONS = ("first_come", "lottery_weekends")
CYCLE_FIELDS = ("lottery_opens", "lottery_closes", "lottery_draw", "lottery_claim_by")
WEEKDAY_CODES = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
_CYCLE_TIME = re.compile(r"^(MON|TUE|WED|THU|FRI|SAT|SUN) ([01]\d|2[0-3]):([0-5]\d)$")


def cycle_minutes(value: str) -> int | None:
    """Minutes from Monday 00:00 of a "DAY HH:MM" cycle time, or None when malformed."""
    match = _CYCLE_TIME.match(value or "")
    if match is None:
        return None
    return WEEKDAY_CODES.index(match[1]) * 1440 + int(match[2]) * 60 + int(match[3])


# Lottery places left unclaimed go first-come once offers stop, this long before the session (#12).
LOTTERY_OFFERS_STOP = timedelta(hours=2)


def is_lottery_session(policy: BookingPolicy, starts_at: datetime) -> bool:
    """A session the weekend lottery allocates: the facility chose it, and it falls on a Sat, Sun or holiday."""
    day = starts_at.astimezone(KST).date()
    return policy.allocation == "lottery_weekends" and (day.weekday() >= 5 or is_public_holiday(day))


def lottery_allocates(policy: BookingPolicy, starts_at: datetime, now: datetime) -> bool:
    """Whether the lottery still hands out a session's places at `now`: a lottery session, until
    LOTTERY_OFFERS_STOP before it starts (from then on what is left is first-come)."""
    return is_lottery_session(policy, starts_at) and now < starts_at - LOTTERY_OFFERS_STOP


def city_policy(session: Session) -> CityPolicy:
    """The stored city-wide rules, or the defaults (not added to the session)."""
    stored = session.get(CityPolicy, 1)
    return stored if stored is not None else CityPolicy(id=1, no_show_ban_days=NO_SHOW_BAN_DAYS_DEFAULT)


def kind_defaults(kind: str) -> dict:
    """The default settings of a facility kind (a kids café's for a kind without its own)."""
    return KIND_DEFAULTS.get(kind, KIND_DEFAULTS[FacilityKind.KIDS_CAFE])


def default_policy(kind: str, facility_id: int | None = None) -> BookingPolicy:
    """An unsaved policy holding the defaults for a facility kind."""
    return BookingPolicy(facility_id=facility_id, ratios=dict(DEFAULT_RATIOS), **kind_defaults(kind))


def get_policy(session: Session, facility) -> BookingPolicy:
    """The facility's stored policy, or its kind's defaults (not added to the session)."""
    stored = session.get(BookingPolicy, facility.id)
    return stored if stored is not None else default_policy(facility.kind, facility.id)


def ratio_for_age(policy: BookingPolicy, age_years: int) -> int:
    """Children per teacher for a class whose youngest child is `age_years` old."""
    ratios = {int(k): int(v) for k, v in (policy.ratios or DEFAULT_RATIOS).items()}
    eligible = [k for k in ratios if k <= age_years]
    return ratios[max(eligible)] if eligible else ratios[min(ratios)]


def age_on(policy: BookingPolicy, birth: date, day: date) -> int:
    """A child's age on `day` in the policy's unit: 연나이 (years) or full months."""
    if policy.age_basis == "korean_year":
        return day.year - birth.year
    months = (day.year - birth.year) * 12 + (day.month - birth.month)
    return months - 1 if day.day < birth.day else months
