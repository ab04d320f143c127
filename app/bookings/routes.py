"""Booking pages: the week of slots on a facility page, the booking form, 내 예약, cancel and .ics.

Rules live in app.bookings.services; these views parse, check login/ownership, call it and render.
"""

from __future__ import annotations

from datetime import datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.auth.services import children_of
from app.bookings import services
from app.bookings.choices import BookingStatus
from app.bookings.models import Booking, Slot
from app.bookings.policy import city_policy, get_policy
from app.bookings.week import booking_week
from app.database import unit_of_work
from app.extensions import db
from app.facilities.choices import WEEKDAY_LABELS, FacilityKind
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


def _form_context(slot: Slot) -> dict:
    facility = slot.facility
    policy = get_policy(db.session, facility)
    starts, ends = slot.starts_at.astimezone(KST), slot.ends_at.astimezone(KST)
    return {
        "slot": slot,
        "facility": facility,
        "policy": policy,
        "ban_days": city_policy(db.session).no_show_ban_days,
        "slot_time": f"{starts:%Y-%m-%d} ({WEEKDAY_LABELS[starts.weekday()]}) {starts:%H:%M}–{ends:%H:%M}",
        "children": children_of(db.session, current_user),
        "hourly": facility.kind == FacilityKind.HOURLY_DAYCARE,
        "max_hours": policy.daily_cap_hours or 4,
    }


@bp.route("/bookings/new", methods=["GET", "POST"])
@login_required
def new():
    slot_id = _int(request.values.get("slot"), 0)
    slot = db.session.get(Slot, slot_id) if slot_id else None
    if slot is None:
        abort(404)
    context = _form_context(slot)
    if request.method == "GET":
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
    context = _form_context(db.session.get(Slot, slot_id))
    return render_template(
        "bookings/new.html", error=error, chosen=chosen, guardians=guardians or 1, hours=hours or 1, **context
    ), error.status


def booking_view(booking: Booking, now: datetime) -> dict:
    """A booking with the strings the pages show."""
    starts, ends = booking.starts_at.astimezone(KST), booking.ends_at.astimezone(KST)
    return {
        "booking": booking,
        "when": f"{starts:%Y-%m-%d} ({WEEKDAY_LABELS[starts.weekday()]}) {starts:%H:%M}–{ends:%H:%M}",
        "status_label": BookingStatus(booking.status).label,
        "upcoming": booking.ends_at > now,
        "cancellable": booking.status == BookingStatus.CONFIRMED and booking.starts_at > now,
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
    upcoming = [v for v in views if v["upcoming"]]
    past = [v for v in reversed(views) if not v["upcoming"]]
    return render_template(
        "bookings/mine.html", upcoming=upcoming, past=past, error=error, error_booking=error_booking
    ), status


@bp.get("/bookings")
@login_required
def mine():
    return _mine()


@bp.post("/bookings/<id:booking_id>/cancel")
@login_required
def cancel(booking_id: int):
    booking = _own_booking(booking_id)
    try:
        with unit_of_work():
            services.cancel(db.session, current_user, booking.id, utcnow())
    except services.BookingError as error:
        return _mine(error, error.status, booking_id)
    flash(f"예약 {booking.code}을(를) 취소했습니다. 자리는 다른 가족에게 돌아갑니다.", "success")
    return redirect(url_for("bookings.mine"), code=303)


@bp.get("/bookings/<id:booking_id>.ics")
@login_required
def ics(booking_id: int):
    booking = _own_booking(booking_id)
    body = services.booking_ics(booking)
    return (
        body,
        200,
        {
            "Content-Type": "text/calendar; charset=utf-8",
            "Content-Disposition": f'attachment; filename="nadeuri-{booking.code}.ics"',
        },
    )
