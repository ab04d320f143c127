"""Operator console pages: my facilities, the day's roster and its actions, CSV export, utilisation.

Each view parses, checks the role and the facility (admin any, operator only assigned), calls a
service in app.operators and renders; each change runs in one unit of work (app.database.unit_of_work:
commit, or roll back on a refusal).
"""

from __future__ import annotations

from datetime import date, timedelta

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.auth.roles import roles_required
from app.bookings.choices import BookingStatus
from app.bookings.models import Booking, Slot
from app.database import unit_of_work
from app.extensions import db
from app.facilities.models import Facility
from app.operators import services, stats
from app.operators.access import STAFF, managed_facility, today
from app.operators.export import roster_csv
from app.operators.forms import FormError, integer, parse_date_arg
from app.routing import Routes
from app.timeutil import KST, utcnow
from app.validation import CAPACITY_MAX

bp = Routes()


def managed_slot(slot_id: int) -> Slot:
    slot = db.session.get(Slot, slot_id)
    if slot is None:
        abort(404)
    managed_facility(slot.facility_id)
    return slot


def managed_booking(booking_id: int) -> Booking:
    booking = db.session.get(Booking, booking_id)
    if booking is None:
        abort(404)
    managed_facility(booking.facility_id)
    return booking


@bp.get("/")
@roles_required(*STAFF)
def index():
    return render_template(
        "operators/index.html", facilities=services.facilities_for(db.session, current_user), today=today()
    )


def _roster_page(facility: Facility, day: date, error=None, status: int = 200):
    now = utcnow()
    sessions = [
        {
            "slot": s,
            "label": services.slot_label(s),
            "rows": services.roster(db.session, s),
            "started": s.starts_at <= now,
            "ended": s.ends_at <= now,
        }
        for s in services.slots_on(db.session, facility.id, day)
    ]
    next_open = None if sessions else services.next_day_with_slots(db.session, facility.id, day)
    return render_template(
        "operators/roster.html",
        facility=facility,
        day=day,
        sessions=sessions,
        error=error,
        prev_day=day - timedelta(days=1),
        next_day=day + timedelta(days=1),
        today=today(),
        next_open=next_open,
        labels=BookingStatus.labels(),
    ), status


@bp.get("/facilities/<id:facility_id>/roster")
@roles_required(*STAFF)
def roster(facility_id: int):
    facility = managed_facility(facility_id)
    return _roster_page(facility, parse_date_arg(request.args.get("date"), today()))


@bp.get("/facilities/<id:facility_id>/roster.csv")
@roles_required(*STAFF)
def roster_export(facility_id: int):
    facility = managed_facility(facility_id)
    day = parse_date_arg(request.args.get("date"), today())
    body = roster_csv([(s, services.roster(db.session, s)) for s in services.slots_on(db.session, facility.id, day)])
    return Response(
        body,
        mimetype="text/csv",
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="roster-{facility.id}-{day.isoformat()}.csv"',
        },
    )


def _after(slot_or_booking, action, message: str):
    """Run an action; on success commit and go back to the roster, on refusal re-render it with the reason."""
    facility = db.session.get(Facility, slot_or_booking.facility_id)
    day = slot_or_booking.starts_at.astimezone(KST).date()
    try:
        with unit_of_work():
            action()
    except (services.OperatorError, FormError) as error:
        return _roster_page(facility, day, error, error.status)
    flash(message, "success")
    return redirect(url_for("operators.roster", facility_id=facility.id, date=day.isoformat()) + "#main", code=303)


@bp.post("/bookings/<id:booking_id>/check-in")
@roles_required(*STAFF)
def check_in(booking_id: int):
    booking = managed_booking(booking_id)
    return _after(
        booking,
        lambda: services.check_in(db.session, current_user, booking, utcnow()),
        f"{booking.code} 입장 처리했습니다",
    )


@bp.post("/bookings/<id:booking_id>/no-show")
@roles_required(*STAFF)
def no_show(booking_id: int):
    booking = managed_booking(booking_id)
    return _after(
        booking,
        lambda: services.no_show(db.session, current_user, booking, utcnow()),
        f"{booking.code} 노쇼 처리했습니다. 보호자의 예약이 제한됩니다",
    )


@bp.post("/slots/<id:slot_id>/block")
@roles_required(*STAFF)
def block(slot_id: int):
    slot = managed_slot(slot_id)
    blocked = request.form.get("blocked") == "1"
    return _after(
        slot,
        lambda: services.set_blocked(db.session, current_user, slot, blocked, utcnow()),
        "예약을 막았습니다" if blocked else "예약을 다시 열었습니다",
    )


@bp.post("/slots/<id:slot_id>/capacity")
@roles_required(*STAFF)
def capacity(slot_id: int):
    slot = managed_slot(slot_id)

    def act():
        value = integer(request.form, "capacity", "정원", 0, CAPACITY_MAX)
        services.set_capacity(db.session, current_user, slot, value, utcnow())

    return _after(slot, act, "정원을 바꿨습니다")


@bp.post("/slots/<id:slot_id>/walk-in")
@roles_required(*STAFF)
def walk_in(slot_id: int):
    slot = managed_slot(slot_id)

    def act():
        year = integer(request.form, "birth_year", "출생 연도", today().year - 13, today().year)
        guardians = integer(request.form, "guardians", "보호자 수", 0, 4)
        services.walk_in(
            db.session, current_user, slot, request.form.get("child_name", ""), date(year, 1, 1), guardians, utcnow()
        )

    return _after(slot, act, "현장 접수했습니다")


@bp.get("/facilities/<id:facility_id>/utilisation")
@roles_required(*STAFF)
def utilisation(facility_id: int):
    facility = managed_facility(facility_id)
    days = min(max(parse_int(request.args.get("days"), 7), 1), 31)
    start = parse_date_arg(request.args.get("start"), today() - timedelta(days=days - 1))
    rows = stats.utilisation(db.session, facility.id, start, days)
    return render_template(
        "operators/utilisation.html",
        facility=facility,
        rows=rows,
        chart=stats.chart(rows),
        start=start,
        days=days,
        totals={
            k: sum(r[k] for r in rows) for k in ("capacity", "booked", "attended", "no_show", "cancelled", "empty")
        },
    )


def parse_int(raw, default: int) -> int:
    try:
        return int(raw)
    except (TypeError, ValueError):
        return default
