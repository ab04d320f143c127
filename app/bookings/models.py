"""Booking models: per-facility policy, session templates, classes, closures, slots and bookings."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.bookings.choices import ACTIVE_STATUSES, BookingStatus
from app.extensions import db
from app.timeutil import UTCDateTime, utcnow

# Staff:child ratios by age in years (만 나이); an age above the last key uses the last ratio.
DEFAULT_RATIOS = {"0": 2, "1": 3, "2": 3, "3": 5, "4": 10}


class BookingPolicy(db.Model):
    """A facility's booking rules; facilities without a row use the defaults for their kind."""

    __tablename__ = "booking_policies"
    __table_args__ = (
        CheckConstraint("opening_mode IN ('days_ahead', 'weekly')", name="ck_booking_policies_mode"),
        CheckConstraint("age_basis IN ('korean_year', 'months')", name="ck_booking_policies_age_basis"),
        CheckConstraint("open_weekday BETWEEN 0 AND 6", name="ck_booking_policies_weekday"),
        CheckConstraint("max_children >= 1 AND max_guardians >= 1", name="ck_booking_policies_max"),
        CheckConstraint("allocation IN ('first_come', 'lottery_weekends')", name="ck_booking_policies_allocation"),
    )

    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id", ondelete="CASCADE"), primary_key=True)
    # days_ahead: a day opens `days_ahead` days before at open_time;
    # weekly: every open_weekday at open_time for the following week (that weekday + 7 … + 13).
    opening_mode: Mapped[str] = mapped_column(String(10), default="days_ahead")
    days_ahead: Mapped[int] = mapped_column(Integer, default=14)
    open_weekday: Mapped[int] = mapped_column(Integer, default=1)
    open_time: Mapped[str] = mapped_column(String(5), default="00:00")
    same_day: Mapped[bool] = mapped_column(Boolean, default=True)
    # Same-day booking only until this Seoul time ("HH:MM"); None = until the session starts.
    same_day_until: Mapped[str | None] = mapped_column(String(5))
    cancel_deadline_minutes: Mapped[int] = mapped_column(Integer, default=30)
    # A booking can be marked a no-show only this many minutes after its start (the family may be running late).
    no_show_after_minutes: Mapped[int] = mapped_column(Integer, default=30, server_default="30")
    max_children: Mapped[int] = mapped_column(Integer, default=4)
    max_guardians: Mapped[int] = mapped_column(Integer, default=2)
    one_visit_per_day: Mapped[bool] = mapped_column(Boolean, default=True)
    daily_cap_hours: Mapped[int | None] = mapped_column(Integer)
    monthly_cap_hours: Mapped[int | None] = mapped_column(Integer)
    # korean_year: 연나이 in years; months: full months of age. None = the facility's own range / no limit.
    age_basis: Mapped[str] = mapped_column(String(12), default="korean_year")
    age_min: Mapped[int | None] = mapped_column(Integer)
    age_max: Mapped[int | None] = mapped_column(Integer)
    closed_on_holidays: Mapped[bool] = mapped_column(Boolean, default=True)
    ratios: Mapped[dict] = mapped_column(JSON, default=lambda: dict(DEFAULT_RATIOS))
    # Weekend lottery (#12): lottery_weekends allocates Sat/Sun/holiday sessions by the city-wide draw.
    # The cycle times are "DAY HH:MM" (MON … SUN, Seoul time) in the calendar week (Mon–Sun) of the weekend.
    allocation: Mapped[str] = mapped_column(String(20), default="first_come", server_default="first_come")
    lottery_opens: Mapped[str] = mapped_column(String(9), default="TUE 09:00", server_default="TUE 09:00")
    lottery_closes: Mapped[str] = mapped_column(String(9), default="WED 23:59", server_default="WED 23:59")
    lottery_draw: Mapped[str] = mapped_column(String(9), default="THU 10:00", server_default="THU 10:00")
    lottery_claim_by: Mapped[str] = mapped_column(String(9), default="FRI 12:00", server_default="FRI 12:00")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class CityPolicy(db.Model):
    """Rules the city sets for every facility at once (one row, id 1); admins own it.

    A no-show ban stops a parent booking anywhere in the city, so its length is not a facility's choice.
    """

    __tablename__ = "city_policy"
    __table_args__ = (
        CheckConstraint("id = 1", name="ck_city_policy_single_row"),
        CheckConstraint("no_show_ban_days BETWEEN 0 AND 90", name="ck_city_policy_ban_days"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, default=1)
    no_show_ban_days: Mapped[int] = mapped_column(Integer, default=30)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class FacilitySetting:
    """Columns of a row an operator keeps for one facility (sessions, classes, closures); deleted with it."""

    # sort_order keeps these first in the table, where the migrations put them.
    id: Mapped[int] = mapped_column(primary_key=True, sort_order=-2)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id", ondelete="CASCADE"), index=True, sort_order=-1)


class SessionTemplate(FacilitySetting, db.Model):
    """A recurring session (회차) on a weekday; capacity None means derived from the daycare classes."""

    __tablename__ = "session_templates"
    __table_args__ = (
        UniqueConstraint("facility_id", "weekday", "starts", name="uq_session_templates_start"),
        CheckConstraint("weekday BETWEEN 0 AND 6", name="ck_session_templates_weekday"),
        CheckConstraint("starts < ends", name="ck_session_templates_order"),
        CheckConstraint("capacity_individual IS NULL OR capacity_individual >= 0", name="ck_session_templates_cap"),
        CheckConstraint("capacity_group >= 0", name="ck_session_templates_group"),
    )

    weekday: Mapped[int] = mapped_column(Integer)
    starts: Mapped[str] = mapped_column(String(5))
    ends: Mapped[str] = mapped_column(String(5))
    capacity_individual: Mapped[int | None] = mapped_column(Integer)
    capacity_group: Mapped[int] = mapped_column(Integer, default=0)


class DaycareClass(FacilitySetting, db.Model):
    """A class (반) of an hourly daycare: its youngest age sets the ratio, teachers × ratio the places."""

    __tablename__ = "daycare_classes"
    __table_args__ = (CheckConstraint("age_years >= 0 AND teachers >= 0", name="ck_daycare_classes_values"),)

    name: Mapped[str] = mapped_column(String(40))
    age_years: Mapped[int] = mapped_column(Integer)
    teachers: Mapped[int] = mapped_column(Integer, default=1)


class Closure(FacilitySetting, db.Model):
    """Days a facility is closed (inclusive range), e.g. maintenance."""

    __tablename__ = "closures"
    __table_args__ = (CheckConstraint("starts_on <= ends_on", name="ck_closures_order"),)

    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(200), default="")


class Slot(db.Model):
    """One bookable session or hour; `booked` (and `held`) are the counters the conditional UPDATE guards."""

    __tablename__ = "slots"
    __table_args__ = (
        UniqueConstraint("facility_id", "starts_at", name="uq_slots_start"),
        # Booked places and places the lottery holds (won or offered, not yet claimed) never exceed the capacity.
        CheckConstraint("booked >= 0 AND held >= 0 AND booked + held <= capacity", name="ck_slots_booked"),
        CheckConstraint("starts_at < ends_at", name="ck_slots_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    capacity: Mapped[int] = mapped_column(Integer)
    # Group places (단체) are arranged by phone; kept for the operator's view.
    capacity_group: Mapped[int] = mapped_column(Integer, default=0)
    booked: Mapped[int] = mapped_column(Integer, default=0)
    # Places the weekend lottery holds for winners and offers until they claim (then booked) or free them (#12).
    held: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    blocked: Mapped[bool] = mapped_column(Boolean, default=False)

    facility = relationship("Facility")

    @property
    def remaining(self) -> int:
        return max(self.capacity - self.booked - (self.held or 0), 0)


class Booking(db.Model):
    """A parent's booking of one slot (or consecutive hourly slots) for named children."""

    __tablename__ = "bookings"
    __table_args__ = (
        CheckConstraint(BookingStatus.check_sql("status"), name="ck_bookings_status"),
        CheckConstraint("guardians >= 0 AND hours >= 1", name="ck_bookings_counts"),
        Index("ix_bookings_user_starts", "user_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    # None once anonymised (app/privacy): the visit still counts for the facility, it no longer names anyone.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    slot_id: Mapped[int] = mapped_column(ForeignKey("slots.id"), index=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(12), default=BookingStatus.CONFIRMED.value)
    guardians: Mapped[int] = mapped_column(Integer, default=1)
    hours: Mapped[int] = mapped_column(Integer, default=1)
    # Copied from the slot(s) so rules over a child's day or month need no join.
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Why it was cancelled or settled, in the parent's words ("보호자 취소", "휴관: 성탄절", "노쇼 이용 제한").
    cancel_reason: Mapped[str | None] = mapped_column(String(200))

    user = relationship("User")
    slot: Mapped[Slot] = relationship()
    facility = relationship("Facility")
    places: Mapped[list[BookingChild]] = relationship(back_populates="booking", cascade="all, delete-orphan")

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def child_ids(self) -> list[int]:
        return sorted({p.child_id for p in self.places if p.child_id is not None})

    @property
    def children(self) -> list:
        seen: dict = {}
        for p in self.places:
            if p.child_id is not None:  # an anonymised place names no child
                seen.setdefault(p.child_id, p.child)
        return [seen[k] for k in sorted(seen)]


class BookingChild(db.Model):
    """A child's place in one slot of a booking; active rows are unique per (slot, child)."""

    __tablename__ = "booking_children"
    __table_args__ = (
        # The backstop for "one booking per child per slot": cancelled rows drop out of the index.
        Index(
            "uq_booking_children_active",
            "slot_id",
            "child_id",
            unique=True,
            sqlite_where=text("active"),
            postgresql_where=text("active"),
        ),
        Index("ix_booking_children_child", "child_id", "active"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"), index=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("slots.id"))
    # None once anonymised (app/privacy): the place still counts in the facility's use statistics.
    child_id: Mapped[int | None] = mapped_column(ForeignKey("children.id", ondelete="CASCADE"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    booking: Mapped[Booking] = relationship(back_populates="places")
    child = relationship("Child")


class NoShow(db.Model):
    """A marked no-show and exactly what it changed, so the operator can undo it (within a day)."""

    __tablename__ = "no_shows"

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"), index=True)
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The guardian's ban before this no-show (None: none) and the ban it set.
    banned_before: Mapped[datetime | None] = mapped_column(UTCDateTime)
    banned_until: Mapped[datetime] = mapped_column(UTCDateTime)
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    booking: Mapped[Booking] = relationship()
    cancelled: Mapped[list[NoShowCancellation]] = relationship(cascade="all, delete-orphan")


class NoShowCancellation(db.Model):
    """A booking of the same guardian that a no-show cancelled (restored on undo while its session allows)."""

    __tablename__ = "no_show_cancellations"

    no_show_id: Mapped[int] = mapped_column(ForeignKey("no_shows.id", ondelete="CASCADE"), primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"), primary_key=True)

    booking: Mapped[Booking] = relationship()
