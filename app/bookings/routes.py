"""Booking pages: the week of slots on a facility page, the booking form, 내 예약, cancel and .ics.

Rules live in app.bookings.services; these views parse, check login/ownership, call it and render.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.auth.services import children_of
from app.bookings import services
from app.bookings.availability import bookable_hours, next_free_slot, session_state
from app.bookings.children import child_choices
from app.bookings.choices import BookingStatus
from app.bookings.models import Booking, Slot
from app.bookings.policy import city_policy, get_policy
from app.bookings.schedule import closed_reason
from app.bookings.week import booking_week
from app.database import unit_of_work
from app.extensions import db
from app.facilities.choices import WEEKDAY_LABELS, FacilityKind
from app.facilities.hours import when_label
from app.facilities.models import Facility
from app.routing import Routes
from app.timeutil import KST, utcnow
from app.validation import GUARDIANS_MAX, HOURS_MAX, ID_MAX, InvalidValue, parse_int

bp = Routes()


@bp.get("/facilities/<id:facility_id>/week")
def week_fragment(facility_id: int):
    """The week view's days and navigation alone, for bookings.js to swap in (the same template as the page)."""
    facility = db.session.get(Facility, facility_id)
    if facility is None or not facility.bookable:
        abort(404)
    week = booking_week(db.session, facility.id, request.args.get("week"), utcnow())
    return render_template("bookings/_week_fragment.html", week=week)


def _own_booking(booking_id: int) -> Booking:
    """The logged-in parent's booking, or 404 (someone else's booking is not found either)."""
    booking = db.session.get(Booking, booking_id)
    if booking is None or booking.user_id != current_user.id:
        abort(404)
    return booking


def _int(raw, default: int, maximum: int = ID_MAX) -> int | None:
    """A form number in 1 … maximum (default when empty), None when it is not one."""
    try:
        return parse_int(raw, "value", 1, maximum) if raw not in (None, "") else default
    except InvalidValue:
        return None


def _form_context(slot: Slot, hours: int = 1) -> dict:
    """What the booking form shows: the session's state, and if it cannot be booked why and the next free one."""
    facility = slot.facility
    policy = get_policy(db.session, facility)
    now = utcnow()
    starts, ends = slot.starts_at.astimezone(KST), slot.ends_at.astimezone(KST)
    hourly = facility.kind == FacilityKind.HOURLY_DAYCARE
    state = session_state(policy, slot, now, closed_reason(db.session, facility.id, policy, starts.date()))
    max_hours = bookable_hours(db.session, slot, policy, now) if hourly and state.bookable else 1
    blocked_by = None if state.bookable else state.reason
    if current_user.banned_until is not None and current_user.banned_until > now:
        blocked_by = f"노쇼로 {current_user.banned_until.astimezone(KST):%Y년 %m월 %d일 %H:%M}까지 예약할 수 없습니다"
    following = next_free_slot(db.session, slot, policy, now) if blocked_by else None
    children = children_of(db.session, current_user)
    held = services.held_by(db.session, [c.id for c in children], slot.starts_at) if children else []
    return {
        "slot": slot,
        "facility": facility,
        "policy": policy,
        "state": state,
        "blocked_by": blocked_by,
        "next_slot": following and {"id": following.id, "when": when_label(following.starts_at, following.ends_at)},
        "ban_days": city_policy(db.session).no_show_ban_days,
        "slot_time": when_label(starts, ends),
        "day_text": f"{starts:%Y-%m-%d} ({WEEKDAY_LABELS[starts.weekday()]})",
        "start_hhmm": f"{starts:%H:%M}",
        "children": child_choices(db.session, policy, facility, slot, children, min(hours, max_hours), held),
        "hourly": hourly,
        "max_hours": max_hours,
        "hour_options": [
            {"hours": h, "ends": f"{starts + timedelta(hours=h):%H:%M}", "ok": h <= max_hours}
            for h in range(1, (policy.daily_cap_hours or 4) + 1)
        ],
    }


@bp.route("/bookings/new", methods=["GET", "POST"])
@login_required
def new():
    slot_id = _int(request.values.get("slot"), 0)
    slot = db.session.get(Slot, slot_id) if slot_id else None
    if slot is None:
        abort(404)
    if request.method == "GET":
        context = _form_context(slot)
        return render_template("bookings/new.html", error=None, chosen=set(), guardians=1, hours=1, **context)
    chosen = {i for i in (_int(v, 0) for v in request.form.getlist("child")) if i}
    guardians = _int(request.form.get("guardians"), 1, GUARDIANS_MAX)
    hours = _int(request.form.get("hours"), 1, HOURS_MAX)
    error = None
    if guardians is None or hours is None:
        error = services.BookingError("invalid_request", "보호자 수와 이용 시간은 숫자로 골라 주세요", 422)
    else:
        try:
            with unit_of_work():
                booking = services.book(
                    db.session, current_user, slot.id, sorted(chosen), guardians, hours, now=utcnow()
                )
        except services.BookingError as caught:
            error = caught
        else:
            return redirect(url_for("bookings.show", booking_id=booking.id, new=1), code=303)
    context = _form_context(db.session.get(Slot, slot_id), hours or 1)
    return render_template(
        "bookings/new.html", error=error, chosen=chosen, guardians=guardians or 1, hours=hours or 1, **context
    ), error.status


# 내 예약's sections, in page order, with the heading and what an empty one says.
SECTIONS = (
    ("upcoming", "다가오는 예약", "다가오는 예약이 없습니다."),
    ("past", "지난 예약", "지난 예약이 없습니다."),
    ("cancelled", "취소된 예약", "취소된 예약이 없습니다."),
    ("no_show", "노쇼 처리된 예약", "노쇼 처리된 예약이 없습니다."),
)


def booking_section(booking: Booking, now: datetime) -> str:
    """Which section of 내 예약 a booking belongs to."""
    if booking.status == BookingStatus.CANCELLED:
        return "cancelled"
    if booking.status == BookingStatus.NO_SHOW:
        return "no_show"
    return "upcoming" if booking.ends_at > now else "past"


def booking_reason(booking: Booking, banned_until: datetime | None, now: datetime) -> str | None:
    """Why a booking ended the way it did, in the parent's words (bookings.cancel_reason, or the no-show's ban)."""
    if booking.status == BookingStatus.CANCELLED:
        return f"취소 사유: {booking.cancel_reason}" if booking.cancel_reason else None
    if booking.status == BookingStatus.NO_SHOW:
        ban = f" · {banned_until.astimezone(KST):%Y-%m-%d %H:%M}까지 예약할 수 없습니다" if banned_until else ""
        return "취소하지 않고 오지 않아 노쇼로 처리되었습니다" + (ban if banned_until and banned_until > now else "")
    return None


def booking_view(booking: Booking, now: datetime) -> dict:
    """A booking with the strings the pages show."""
    return {
        "booking": booking,
        "when": when_label(booking.starts_at, booking.ends_at),
        "status_label": BookingStatus(booking.status).label,
        "section": booking_section(booking, now),
        "reason": booking_reason(booking, current_user.banned_until, now),
        "cancellable": booking.status == BookingStatus.CONFIRMED and booking.starts_at > now,
        "calendar": booking.status != BookingStatus.CANCELLED,
        "children": ", ".join(c.name for c in booking.children),
    }


@bp.get("/bookings/<id:booking_id>")
@login_required
def show(booking_id: int):
    booking = _own_booking(booking_id)
    policy = get_policy(db.session, booking.facility)
    return render_template(
        "bookings/show.html",
        view=booking_view(booking, utcnow()),
        policy=policy,
        just_booked=request.args.get("new") == "1",
    )


def _mine(error: services.BookingError | None = None, status: int = 200, error_booking: int | None = None):
    now = utcnow()
    views = [booking_view(b, now) for b in services.bookings_of(db.session, current_user)]
    sections = []
    for key, title, empty in SECTIONS:
        rows = [v for v in views if v["section"] == key]
        sections.append(
            {"key": key, "title": title, "empty": empty, "items": rows if key == "upcoming" else rows[::-1]}
        )
    return render_template("bookings/mine.html", sections=sections, error=error, error_booking=error_booking), status


@bp.get("/bookings")
@login_required
def mine():
    return _mine()


# How a letter or digit of a booking code is read aloud, for the object particle: those ending in a consonant.
_READ_WITH_FINAL_CONSONANT = set("LMNR013678")


def with_object_particle(word: str) -> str:
    """`word` with 을 or 를 as Korean reads it aloud: "RA3F-HJBB를", "K7QD-3MZM을", "예약을"."""
    last = word[-1:]
    if "가" <= last <= "힣":
        final = (ord(last) - ord("가")) % 28 != 0
    else:
        final = last.upper() in _READ_WITH_FINAL_CONSONANT
    return word + ("을" if final else "를")


@bp.post("/bookings/<id:booking_id>/cancel")
@login_required
def cancel(booking_id: int):
    booking = _own_booking(booking_id)
    try:
        with unit_of_work():
            services.cancel(db.session, current_user, booking.id, utcnow())
    except services.BookingError as error:
        return _mine(error, error.status, booking_id)
    flash(f"예약 {with_object_particle(booking.code)} 취소했습니다. 자리는 다른 가족에게 돌아갑니다.", "success")
    return redirect(url_for("bookings.mine"), code=303)


@bp.get("/bookings/<id:booking_id>.ics")
@login_required
def ics(booking_id: int):
    booking = _own_booking(booking_id)
    try:
        body = services.booking_ics(booking)
    except services.BookingError as error:  # a cancelled booking has no calendar entry
        return _mine(error, error.status, booking_id)
    return (
        body,
        200,
        {
            "Content-Type": "text/calendar; charset=utf-8",
            "Content-Disposition": f'attachment; filename="nadeuri-{booking.code}.ics"',
        },
    )
