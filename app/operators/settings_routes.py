"""Operator settings pages: weekly sessions, daycare classes, closures (with confirmation) and policy."""

from __future__ import annotations

from functools import partial

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.auth.roles import roles_required
from app.bookings.policy import city_policy, get_policy
from app.database import unit_of_work
from app.errors import refuse
from app.extensions import db
from app.facilities.choices import WEEKDAY_LABELS, FacilityKind
from app.operators import settings
from app.operators.access import STAFF, managed_facility, today
from app.operators.forms import FormError, day, integer, policy_values, week_values
from app.operators.services import OperatorError
from app.routing import Routes
from app.timeutil import utcnow
from app.validation import ID_MAX

bp = Routes()


def _page(facility, status: int = 200, grid=None, removals=None, closure=None):
    """The settings page; `grid` keeps what the operator typed when a save was refused or needs confirming."""
    templates = settings.templates_of(db.session, facility.id)
    return render_template(
        "operators/settings.html",
        facility=facility,
        pending=closure,
        removals=removals,
        grid=grid if grid is not None else _grid_cells(settings.week_grid(templates)),
        weekdays=WEEKDAY_LABELS,
        classes=settings.classes_of(db.session, facility.id),
        closures=settings.closures_of(db.session, facility.id),
        policy=get_policy(db.session, facility),
        ban_days=city_policy(db.session).no_show_ban_days,
        hourly=facility.kind == FacilityKind.HOURLY_DAYCARE,
    ), status


def _grid_cells(rows: list[dict]) -> list[dict]:
    """Grid rows as the form shows them: per weekday ticked or not, with the capacities."""
    return [
        {
            "starts": r["starts"],
            "ends": r["ends"],
            "cells": [
                {"on": w in r["days"], "was_on": w in r["days"]}
                | (
                    {"cap": r["days"][w].capacity_individual, "grp": r["days"][w].capacity_group}
                    if w in r["days"]
                    else {}
                )
                for w in range(7)
            ],
        }
        for r in rows
    ]


def _posted_grid(form, rows: list[dict]) -> list[dict]:
    """The grid as posted (kept on a refused or to-be-confirmed save), marking which cells were on before."""
    before = {(r["starts"], w) for r in rows for w in r["days"]}
    out = []
    for key in sorted({k.split("-", 1)[1] for k in form if k.startswith("starts-")}, key=lambda k: (k == "new", k)):
        starts, ends = form.get(f"starts-{key}", ""), form.get(f"ends-{key}", "")
        cells = [
            {
                "on": bool(form.get(f"on-{key}-{w}")),
                "was_on": (starts, w) in before,
                "cap": form.get(f"cap-{key}-{w}", ""),
                "grp": form.get(f"grp-{key}-{w}", ""),
            }
            for w in range(7)
        ]
        if key != "new" or starts or any(c["on"] for c in cells):
            out.append({"starts": starts, "ends": ends, "cells": cells, "new": key == "new"})
    return out


def _closure_pending(facility) -> dict | None:
    """A closure over booked days waiting for confirmation (?close_from=&close_to=&reason=), with who it cancels."""
    args = request.args
    if not args.get("close_from"):
        return None
    try:
        starts_on, ends_on = day(args, "close_from", "시작일"), day(args, "close_to", "종료일")
    except FormError as error:
        refuse(error)
        return None
    affected = settings.affected_json(settings.bookings_in(db.session, facility.id, starts_on, ends_on))
    return {"starts_on": starts_on, "ends_on": ends_on, "reason": args.get("reason", "")[:200], "affected": affected}


def _back(facility, section: str = ""):
    return redirect(url_for("operators.settings_page", facility_id=facility.id) + section, code=303)


def _run(facility, action, message: str, section: str = ""):
    """Run the change in one unit of work, then back to the settings page (Post/Redirect/Get) with the outcome."""
    try:
        with unit_of_work():
            action()
    except (OperatorError, FormError) as error:
        refuse(error)
    else:
        flash(message, "success")
    return _back(facility, section)


@bp.get("/facilities/<id:facility_id>/settings")
@roles_required(*STAFF)
def settings_page(facility_id: int):
    facility = managed_facility(facility_id)
    return _page(facility, closure=_closure_pending(facility))


@bp.post("/facilities/<id:facility_id>/settings")
@roles_required(*STAFF)
def week_save(facility_id: int):
    """The weekly grid's one save, posted to the page's own address: a refusal re-renders it there as typed."""
    facility = managed_facility(facility_id)
    hourly = facility.kind == FacilityKind.HOURLY_DAYCARE
    rows = settings.week_grid(settings.templates_of(db.session, facility.id))
    try:
        with unit_of_work():
            done = settings.save_week(
                db.session,
                current_user,
                facility,
                week_values(request.form, hourly),
                request.form.get("confirm") == "1",
                today(),
                utcnow(),
            )
    except (OperatorError, FormError) as error:
        return _page(facility, refuse(error), grid=_posted_grid(request.form, rows))
    if not done["applied"]:
        return _page(facility, 409, grid=_posted_grid(request.form, rows), removals=done["removals"])
    flash(
        f"주간 회차를 저장했습니다: 추가 {done['added']}, 정원 변경 {done['changed']}, 삭제 {done['removed']}. "
        "앞으로 4주 예약 시간에 적용했습니다",
        "success",
    )
    return _back(facility, "#h-templates")


@bp.post("/facilities/<id:facility_id>/classes")
@roles_required(*STAFF)
def class_save(facility_id: int):
    facility = managed_facility(facility_id)
    f = request.form

    def act():
        settings.save_class(
            db.session,
            current_user,
            facility,
            integer(f, "class_id", "반", 1, ID_MAX, optional=True),
            f.get("name", ""),
            integer(f, "age_years", "연령", 0, 7),
            integer(f, "teachers", "교사 수", 0, 20),
            utcnow(),
        )

    return _run(facility, act, "반 정보를 저장하고 시간당 정원을 다시 계산했습니다", "#h-classes")


@bp.post("/facilities/<id:facility_id>/classes/<id:class_id>/remove")
@roles_required(*STAFF)
def class_remove(facility_id: int, class_id: int):
    f = managed_facility(facility_id)
    return _run(f, lambda: settings.remove_class(db.session, current_user, f, class_id, utcnow()), "반을 삭제했습니다")


@bp.post("/facilities/<id:facility_id>/closures")
@roles_required(*STAFF)
def closure_add(facility_id: int):
    facility = managed_facility(facility_id)
    f = request.form
    try:
        starts_on, ends_on = day(f, "starts_on", "시작일"), day(f, "ends_on", "종료일")
        with unit_of_work():  # without confirmation over booked sessions add_closure writes nothing
            closure, affected = settings.add_closure(
                db.session,
                current_user,
                facility,
                starts_on,
                ends_on,
                f.get("reason", ""),
                f.get("confirm") == "1",
                utcnow(),
            )
    except (OperatorError, FormError) as error:
        refuse(error)
        return _back(facility, "#h-closures")
    if closure is None:
        # First submit over booked sessions: the page (GET) shows who would be cancelled and asks again.
        query = {"close_from": starts_on.isoformat(), "close_to": ends_on.isoformat(), "reason": f.get("reason", "")}
        return redirect(url_for("operators.settings_page", facility_id=facility.id, **query) + "#closure-confirm", 303)
    flash(f"휴관일을 등록했습니다. 취소된 예약 {len(affected)}건", "success")
    return _back(facility, "#h-closures")


@bp.post("/facilities/<id:facility_id>/closures/<id:closure_id>/remove")
@roles_required(*STAFF)
def closure_remove(facility_id: int, closure_id: int):
    f = managed_facility(facility_id)
    remove = partial(settings.remove_closure, db.session, current_user, f, closure_id, today(), utcnow())
    return _run(f, remove, "휴관일을 삭제했습니다", "#h-closures")


@bp.post("/facilities/<id:facility_id>/policy")
@roles_required(*STAFF)
def policy_save(facility_id: int):
    facility = managed_facility(facility_id)
    return _run(
        facility,
        lambda: settings.save_policy(db.session, current_user, facility, policy_values(request.form), utcnow()),
        "예약 규칙을 저장했습니다",
    )
