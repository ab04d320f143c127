"""Operator settings pages: weekly sessions, daycare classes, closures (with confirmation) and policy."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.auth.roles import roles_required
from app.bookings.models import SessionTemplate
from app.bookings.policy import city_policy, get_policy
from app.database import unit_of_work
from app.extensions import db
from app.facilities.choices import WEEKDAY_LABELS, FacilityKind
from app.operators import settings
from app.operators.access import STAFF, managed_facility, today
from app.operators.forms import FormError, day, hhmm, integer, policy_values
from app.operators.services import OperatorError
from app.routing import Routes
from app.timeutil import utcnow
from app.validation import CAPACITY_MAX, ID_MAX

bp = Routes()


def _page(facility, error=None, status: int = 200, pending=None, form=None):
    return render_template(
        "operators/settings.html",
        facility=facility,
        error=error,
        pending=pending,
        form=form or {},
        templates=settings.templates_of(db.session, facility.id),
        weekdays=WEEKDAY_LABELS,
        classes=settings.classes_of(db.session, facility.id),
        closures=settings.closures_of(db.session, facility.id),
        policy=get_policy(db.session, facility),
        ban_days=city_policy(db.session).no_show_ban_days,
        hourly=facility.kind == FacilityKind.HOURLY_DAYCARE,
    ), status


def _run(facility, action, message: str):
    """Run the change in one unit of work and return to the settings page, or show why it was refused."""
    try:
        with unit_of_work():
            action()
    except (OperatorError, FormError) as error:
        return _page(facility, error, error.status)
    flash(message, "success")
    return redirect(url_for("operators.settings_page", facility_id=facility.id), code=303)


@bp.get("/facilities/<id:facility_id>/settings")
@roles_required(*STAFF)
def settings_page(facility_id: int):
    return _page(managed_facility(facility_id))


def _capacity(form, hourly: bool) -> int | None:
    # Daycare sessions may leave it empty: places then follow the classes and teachers.
    return integer(form, "capacity_individual", "개인 정원", 0, CAPACITY_MAX, optional=hourly)


@bp.post("/facilities/<id:facility_id>/templates")
@roles_required(*STAFF)
def template_add(facility_id: int):
    facility = managed_facility(facility_id)
    f = request.form

    def act():
        settings.add_template(
            db.session,
            current_user,
            facility,
            integer(f, "weekday", "요일", 0, 6),
            hhmm(f, "starts", "시작"),
            hhmm(f, "ends", "종료"),
            _capacity(f, facility.kind == FacilityKind.HOURLY_DAYCARE),
            integer(f, "capacity_group", "단체 정원", 0, CAPACITY_MAX),
            today(),
            utcnow(),
        )

    return _run(facility, act, "회차를 추가하고 앞으로 4주 예약 시간을 만들었습니다")


def _template(facility, template_id: int) -> SessionTemplate:
    row = db.session.get(SessionTemplate, template_id)
    if row is None or row.facility_id != facility.id:
        raise OperatorError("not_found", "회차를 찾을 수 없습니다", 404)
    return row


@bp.post("/facilities/<id:facility_id>/templates/<id:template_id>")
@roles_required(*STAFF)
def template_update(facility_id: int, template_id: int):
    facility = managed_facility(facility_id)
    f = request.form

    def act():
        settings.update_template(
            db.session,
            current_user,
            facility,
            _template(facility, template_id),
            _capacity(f, facility.kind == FacilityKind.HOURLY_DAYCARE),
            integer(f, "capacity_group", "단체 정원", 0, CAPACITY_MAX),
            utcnow(),
        )

    return _run(facility, act, "정원을 바꾸고 앞으로의 예약 시간에 적용했습니다")


@bp.post("/facilities/<id:facility_id>/templates/<id:template_id>/remove")
@roles_required(*STAFF)
def template_remove(facility_id: int, template_id: int):
    facility = managed_facility(facility_id)
    return _run(
        facility,
        lambda: settings.remove_template(
            db.session, current_user, facility, _template(facility, template_id), utcnow()
        ),
        "회차를 삭제했습니다",
    )


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

    return _run(facility, act, "반 정보를 저장하고 시간당 정원을 다시 계산했습니다")


@bp.post("/facilities/<id:facility_id>/classes/<id:class_id>/remove")
@roles_required(*STAFF)
def class_remove(facility_id: int, class_id: int):
    facility = managed_facility(facility_id)
    return _run(
        facility,
        lambda: settings.remove_class(db.session, current_user, facility, class_id, utcnow()),
        "반을 삭제했습니다",
    )


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
        return _page(facility, error, error.status)
    if closure is None:
        # First submit over booked sessions: show who would be cancelled and ask again.
        pending = {"starts_on": starts_on, "ends_on": ends_on, "reason": f.get("reason", ""), "affected": affected}
        return _page(facility, pending=pending, status=409)
    flash(f"휴관일을 등록했습니다. 취소된 예약 {len(affected)}건", "success")
    return redirect(url_for("operators.settings_page", facility_id=facility.id), code=303)


@bp.post("/facilities/<id:facility_id>/closures/<id:closure_id>/remove")
@roles_required(*STAFF)
def closure_remove(facility_id: int, closure_id: int):
    facility = managed_facility(facility_id)
    return _run(
        facility,
        lambda: settings.remove_closure(db.session, current_user, facility, closure_id, today(), utcnow()),
        "휴관일을 삭제했습니다",
    )


@bp.post("/facilities/<id:facility_id>/policy")
@roles_required(*STAFF)
def policy_save(facility_id: int):
    facility = managed_facility(facility_id)
    return _run(
        facility,
        lambda: settings.save_policy(db.session, current_user, facility, policy_values(request.form), utcnow()),
        "예약 규칙을 저장했습니다",
    )
