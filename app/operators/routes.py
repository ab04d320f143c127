"""Operator console pages: my facilities, the day's roster and its actions, CSV export, utilisation.

Each view parses, checks the role and the facility (admin any, operator only assigned), calls a
service in app.operators and renders; each change runs in one unit of work (app.database.unit_of_work:
commit, or roll back on a refusal).
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import partial

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.auth.roles import roles_required
from app.bookings.choices import BookingStatus
from app.bookings.models import Booking, Slot
from app.bookings.policy import get_policy
from app.bookings.rules import BookingError
from app.bookings.services import NO_SHOW_UNDO_HOURS
from app.database import unit_of_work
from app.errors import refuse
from app.extensions import db
from app.facilities.models import Facility
from app.lottery.stats import roster_lottery
from app.operators import services, stats
from app.operators.access import STAFF, managed_facility, today
from app.operators.export import roster_csv
from app.operators.forms import FormError, integer, parse_date_arg
from app.operators.people import guardian_view
from app.routing import Routes
from app.timeutil import KST, utcnow
from app.validation import CAPACITY_MAX

bp = Routes()


def _managed(model, row_id: int):
    """A slot or booking of a facility the current user manages (404 when missing, 403 when not theirs)."""
    row = db.session.get(model, row_id)
    if row is None:
        abort(404)
    managed_facility(row.facility_id)
    return row


def managed_slot(slot_id: int) -> Slot:
    return _managed(Slot, slot_id)


def managed_booking(booking_id: int) -> Booking:
    return _managed(Booking, booking_id)


@bp.get("/")
@roles_required(*STAFF)
def index():
    return render_template(
        "operators/index.html", facilities=services.facilities_for(db.session, current_user), today=today()
    )


def _opening_day(facility: Facility, now) -> date:
    """The day of the session under way (even one that began before midnight) or still to come today, else the next
    day with sessions."""
    day = today()
    return (
        services.day_under_way(db.session, facility.id, now)
        or services.next_day_with_slots(db.session, facility.id, day)
        or day
    )


@bp.get("/facilities/<id:facility_id>/roster")
@roles_required(*STAFF)
def roster(facility_id: int):
    facility = managed_facility(facility_id)
    now = utcnow()
    code = (request.args.get("code") or "").strip()
    if code:
        found = services.find_booking(db.session, facility.id, code)
        if found is not None:
            return redirect(_roster_url(found), code=303)
        flash(f"이 시설에서 예약번호 {code[:20]}을(를) 찾지 못했습니다", "error")
    day = parse_date_arg(request.args.get("date"), None) or _opening_day(facility, now)
    slots = services.slots_on(db.session, facility.id, day)
    current = next((s.id for s in slots if s.ends_at > now), None)
    sessions = [
        {
            "slot": s,
            "label": services.slot_label(s),
            "start": f"{s.starts_at.astimezone(KST):%H:%M}",
            "rows": services.roster(db.session, s, now),
            "started": s.starts_at <= now,
            "ended": s.ends_at <= now,
            "current": s.id == current,
        }
        for s in slots
    ]
    return render_template(
        "operators/roster.html",
        facility=facility,
        day=day,
        sessions=sessions,
        prev_day=day - timedelta(days=1),
        next_day=day + timedelta(days=1),
        today=today(),
        code=code,
        next_open=None if sessions else services.next_day_with_slots(db.session, facility.id, day),
        labels=BookingStatus.labels(),
        lottery=roster_lottery(db.session, get_policy(db.session, facility), slots, now),
    )


@bp.get("/facilities/<id:facility_id>/roster.csv")
@roles_required(*STAFF)
def roster_export(facility_id: int):
    facility = managed_facility(facility_id)
    day = parse_date_arg(request.args.get("date"), today())
    now = utcnow()
    body = roster_csv(
        [(s, services.roster(db.session, s, now)) for s in services.slots_on(db.session, facility.id, day)]
    )
    return Response(
        body,
        mimetype="text/csv",
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="roster-{facility.id}-{day.isoformat()}.csv"',
        },
    )


def _roster_url(target: Slot | Booking) -> str:
    """The roster of the target's day, scrolled to the target (a booking's row, a slot's session)."""
    day = target.starts_at.astimezone(KST).date().isoformat()
    anchor = f"booking-{target.id}" if isinstance(target, Booking) else f"slot-{target.id}"
    return url_for("operators.roster", facility_id=target.facility_id, date=day) + "#" + anchor


def _after(target: Slot | Booking, action, message):
    """Run an action in one unit of work, then back to the roster where the operator was (Post/Redirect/Get):
    the success `message` (a string, or a function of the action's result) or the refusal, shown once."""
    try:
        with unit_of_work():
            result = action()
    except (services.OperatorError, FormError, BookingError) as error:
        refuse(error)
    else:
        flash(message(result) if callable(message) else message, "success")
    return redirect(_roster_url(target), code=303)


@bp.post("/bookings/<id:booking_id>/check-in")
@roles_required(*STAFF)
def check_in(booking_id: int):
    b = managed_booking(booking_id)
    return _after(b, lambda: services.check_in(db.session, current_user, b, utcnow()), f"{b.code} 입장 처리했습니다")


@bp.post("/bookings/<id:booking_id>/no-show/undo")
@roles_required(*STAFF)
def no_show_undo(booking_id: int):
    b = managed_booking(booking_id)
    return _after(
        b, lambda: services.undo_no_show(db.session, current_user, b, utcnow()), partial(undo_message, b.code)
    )


def undo_message(code: str, result: dict) -> str:
    """What an undone no-show gave back, in one sentence for the desk."""
    parts = [f"{code} 노쇼 처리를 되돌렸습니다 (예약 확정)."]
    still_banned = result["banned_until"] is not None and result["banned_until"] > utcnow()
    parts.append("보호자의 이전 예약 제한은 남습니다." if still_banned else "보호자 예약 제한을 풀었습니다.")
    if result["restored_bookings"]:
        parts.append(f"취소됐던 예약 {len(result['restored_bookings'])}건을 되살렸습니다.")
    for item in result["not_restored"]:
        parts.append(f"{item['code']}은(는) 되살리지 못했습니다: {item['reason']}.")
    return " ".join(parts)


@bp.get("/bookings/<id:booking_id>/no-show")
@roles_required(*STAFF)
def no_show_confirm(booking_id: int):
    booking = managed_booking(booking_id)
    if booking.status != BookingStatus.CONFIRMED:
        flash(f"{booking.code}은(는) 확정 상태가 아니어서 노쇼로 처리할 수 없습니다", "error")
        return redirect(_roster_url(booking), code=303)
    preview = services.no_show_preview(db.session, booking, utcnow())
    return render_template(
        "operators/no_show.html",
        booking=booking,
        facility=booking.facility,
        when=services.slot_label(booking),
        guardian=guardian_view(booking)["guardian"],
        preview=preview,
        allowed_from=f"{preview['allowed_from'].astimezone(KST):%H:%M}",
        banned_until=f"{preview['banned_until'].astimezone(KST):%Y-%m-%d %H:%M}",
        back=_roster_url(booking),
    )


@bp.post("/bookings/<id:booking_id>/no-show")
@roles_required(*STAFF)
def no_show(booking_id: int):
    booking = managed_booking(booking_id)
    if request.form.get("confirm") != "1":  # the confirmation page lists what it will cancel first
        return redirect(url_for("operators.no_show_confirm", booking_id=booking.id), code=303)

    def done(after: dict) -> str:
        n = len(after["cancelled_bookings"])
        return (
            f"{booking.code} 노쇼 처리했습니다. 보호자의 예약이 제한됩니다."
            + (f" 다른 예약 {n}건을 취소했습니다." if n else "")
            + f" 잘못 눌렀다면 {NO_SHOW_UNDO_HOURS}시간 안에 되돌릴 수 있습니다"
        )

    return _after(booking, lambda: services.no_show(db.session, current_user, booking, utcnow()), done)


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
    start = parse_date_arg(request.args.get("start"), today())  # the coming week, where places can still be filled
    rows = stats.utilisation(db.session, facility.id, start, days)
    totals = {k: sum(r[k] for r in rows) for k in ("capacity", "booked", "attended", "no_show", "cancelled", "empty")}
    return render_template(
        "operators/utilisation.html",
        facility=facility,
        rows=rows,
        chart=stats.chart(rows),
        start=start,
        days=days,
        totals={**totals, "rate": stats.rate(totals)},
        prev_start=start - timedelta(days=days),
        next_start=start + timedelta(days=days),
    )


def parse_int(raw, default: int) -> int:
    try:
        return int(raw)
    except (TypeError, ValueError):
        return default
