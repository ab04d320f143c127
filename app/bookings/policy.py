"""Per-facility booking policy: the stored row, or the defaults for the facility's kind."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from app.bookings.models import DEFAULT_RATIOS, BookingPolicy, CityPolicy
from app.facilities.choices import FacilityKind

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


def city_policy(session: Session) -> CityPolicy:
    """The stored city-wide rules, or the defaults (not added to the session)."""
    stored = session.get(CityPolicy, 1)
    return stored if stored is not None else CityPolicy(id=1, no_show_ban_days=NO_SHOW_BAN_DAYS_DEFAULT)


def default_policy(kind: str, facility_id: int | None = None) -> BookingPolicy:
    """An unsaved policy holding the defaults for a facility kind."""
    values = dict(KIND_DEFAULTS.get(kind, KIND_DEFAULTS[FacilityKind.KIDS_CAFE]))
    return BookingPolicy(facility_id=facility_id, ratios=dict(DEFAULT_RATIOS), **values)


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
