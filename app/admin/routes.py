"""Admin pages under /admin: dashboard, uploads, flagged rows, accounts, audit log (coverage in coverage_routes.py)."""

from __future__ import annotations

import json

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from app.admin import services, uploads
from app.admin.forms import ActionForm, CityPolicyForm, FlagFixForm, OperatorForm, UploadForm
from app.audit.services import AuditFilter, known_actions, list_entries
from app.auth.models import User
from app.auth.roles import roles_required
from app.bookings.policy import city_policy
from app.database import unit_of_work
from app.errors import refuse
from app.extensions import db
from app.facilities.choices import FlagReason
from app.facilities.models import District, FacilityFlag
from app.imports.service import NoDataError
from app.imports.sources import ImportDataError
from app.routing import Routes
from app.timeutil import to_kst, utcnow
from app.validation import PAGE_MAX, InvalidValue, parse_id, parse_int

bp = Routes()
AUDIT_PAGE = 50


@bp.app_template_filter("pretty_json")
def pretty_json(value) -> str:
    """JSON for people: Korean kept readable (the template still escapes it)."""
    return json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True)


@bp.app_template_filter("kst")
def kst_text(value) -> str:
    """A stored UTC moment as Seoul time, to the second."""
    return to_kst(value).strftime("%Y-%m-%d %H:%M:%S")


@bp.before_request
@roles_required("admin")
def require_admin():
    """Every page of this blueprint is for admins only (the upload's body limit: app/limits.py)."""
    return None


@bp.get("/")
def dashboard():
    counts = services.dashboard_counts(db.session)
    recent, _ = list_entries(db.session, AuditFilter(), limit=5)
    return render_template("admin/dashboard.html", counts=counts, recent=recent)


def _upload_page(form, error=None, status=200):
    limit_mb = current_app.config["ADMIN_UPLOAD_MAX_BYTES"] / 1024 / 1024
    return render_template("admin/upload.html", form=form, error=error, limit_mb=limit_mb), status


def _import_error(exc) -> str:
    # ImportDataError names the file, line and column (its str); the others carry a Korean message.
    return str(exc) if isinstance(exc, ImportDataError) else exc.message


@bp.route("/import", methods=["GET", "POST"])
def upload():
    """Choose files; POST stages them and shows the preview (nothing is written until it is applied)."""
    form = UploadForm()
    if not form.validate_on_submit():
        return _upload_page(form, status=422 if form.is_submitted() else 200)
    try:
        staged = uploads.stage_uploads(
            db.session, current_user, request.files.getlist("files"), bool(form.complete.data), utcnow()
        )
    except (ImportDataError, NoDataError, services.AdminError) as exc:
        return _upload_page(form, _import_error(exc), 422)
    return redirect(url_for("admin.import_preview", token=staged.token))


def _staged_or_abort(token: str):
    try:
        return uploads.load_staged(token, current_user, utcnow())
    except services.AdminError as exc:
        abort(exc.status, description=exc.message)


@bp.get("/import/<token>")
def import_preview(token: str):
    staged = _staged_or_abort(token)
    return render_template("admin/import_preview.html", staged=staged, action_form=ActionForm())


@bp.post("/import/<token>/apply")
def import_apply(token: str):
    staged = _staged_or_abort(token)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        with unit_of_work():
            result = uploads.apply_staged(db.session, current_user, staged, utcnow())
    except (ImportDataError, NoDataError, services.AdminError) as exc:
        status = exc.status if isinstance(exc, services.AdminError) else 422
        return _upload_page(UploadForm(formdata=None), _import_error(exc), status)
    uploads.discard_staged(staged)
    totals = {k: sum(f[k] for f in result["files"]) for k in ("new", "updated", "unchanged")}
    flash(
        f"적용했습니다: 새로 {totals['new']}곳, 갱신 {totals['updated']}곳, 변화 없음 {totals['unchanged']}곳.",
        "success",
    )
    return redirect(url_for("admin.upload"))


@bp.post("/import/<token>/discard")
def import_discard(token: str):
    staged = _staged_or_abort(token)
    if not ActionForm().validate_on_submit():
        abort(400)
    uploads.discard_staged(staged)
    flash("미리보기를 버렸습니다. 데이터베이스는 그대로입니다.", "success")
    return redirect(url_for("admin.upload"))


def _district_choices() -> list[tuple[str, str]]:
    rows = db.session.execute(select(District.code, District.name).order_by(District.name))
    return [("", "바꾸지 않음")] + [(code, f"{name} ({code})") for code, name in rows]


@bp.get("/flags")
def flags():
    reason, status = request.args.get("reason", ""), request.args.get("status", "open")
    if status not in ("", *services.FLAG_STATUSES):
        abort(400)
    rows, total = services.list_flags(db.session, reason, status)
    return render_template(
        "admin/flags.html",
        rows=rows,
        total=total,
        reason=reason,
        status=status,
        reasons=services.flag_reasons(db.session),
        statuses=services.FLAG_STATUSES,
        counts=services.flag_counts(db.session),
        districts=_district_choices(),
        fix_form=FlagFixForm(),
        action_form=ActionForm(),
        reason_labels=FlagReason.labels(),
    )


def _back_to_flags():
    return redirect(
        url_for("admin.flags", reason=request.args.get("reason") or None, status=request.args.get("status", "open"))
    )


@bp.post("/flags/<id:flag_id>/fix")
def fix_flag(flag_id: int):
    flag = db.get_or_404(FacilityFlag, flag_id)
    form = FlagFixForm()
    if not form.validate_on_submit():
        flash("위도·경도는 숫자로 입력해 주세요.", "error")
        return _back_to_flags()
    try:
        with unit_of_work():
            services.fix_flag(
                db.session, current_user, flag, form.lat.data, form.lon.data, form.district_code.data or None, utcnow()
            )
    except services.AdminError as exc:
        refuse(exc)
    else:
        flash(f"{flag.facility.name}: 수정하고 '고침'으로 표시했습니다.", "success")
    return _back_to_flags()


@bp.post("/flags/<id:flag_id>/accept")
def accept_flag(flag_id: int):
    flag = db.get_or_404(FacilityFlag, flag_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    with unit_of_work():
        services.accept_flag(db.session, current_user, flag, utcnow())
    flash(f"{flag.facility.name}: 그대로 두기로 했습니다 ('수용').", "success")
    return _back_to_flags()


def _facility_ids(raw: str | None) -> list[int]:
    parts = [p.strip() for p in (raw or "").replace(" ", ",").split(",") if p.strip()]
    try:
        return [parse_id(p, "시설 ID") for p in parts]
    except InvalidValue:
        raise services.AdminError("시설 ID는 숫자(1 이상)를 쉼표로 구분해 입력해 주세요.", "facilities") from None


@bp.route("/users", methods=["GET", "POST"])
def users():
    form, status = OperatorForm(), 200
    if form.is_submitted():
        status = 422
        if form.validate():
            try:
                with unit_of_work():
                    user = services.create_user(
                        db.session,
                        current_user,
                        form.email.data,
                        form.role.data,
                        form.password.data,
                        form.name.data,
                        _facility_ids(form.facilities.data),
                        utcnow(),
                    )
            except services.AdminError as exc:
                status = refuse(exc, form, default_field="email")
            else:
                flash(f"{user.email} 계정을 만들었습니다.", "success")
                return redirect(url_for("admin.users"))
    role = request.args.get("role", "")
    return render_template(
        "admin/users.html", form=form, users=services.list_users(db.session, role), role=role, action_form=ActionForm()
    ), status


@bp.post("/users/<id:user_id>/lock")
def lock_user(user_id: int):
    user = db.get_or_404(User, user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    locked = request.form.get("locked") == "1"
    try:
        with unit_of_work():
            changed = services.set_locked(db.session, current_user, user, locked, utcnow())
    except services.AdminError as exc:
        refuse(exc)
    else:
        if changed:
            flash(f"{user.email} 계정을 {'잠갔습니다' if locked else '잠금 해제했습니다'}.", "success")
    return redirect(url_for("admin.users"))


@bp.post("/users/<id:user_id>/facilities")
def assign_facility(user_id: int):
    user = db.get_or_404(User, user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    assigned = request.form.get("action", "assign") == "assign"
    try:
        ids = _facility_ids(request.form.get("facility_id"))
        if len(ids) != 1:
            raise services.AdminError(
                "시설 ID를 하나만 입력해 주세요." if ids else "시설 ID를 입력해 주세요.", "facilities"
            )
        facility_id = ids[0]
        with unit_of_work():
            changed = services.set_assignment(db.session, current_user, user, facility_id, assigned, utcnow())
    except services.AdminError as exc:
        refuse(exc)
    else:
        if changed:
            flash(f"{user.email}: 시설 {facility_id} {'배정' if assigned else '배정 해제'}.", "success")
    return redirect(url_for("admin.users"))


@bp.route("/rules", methods=["GET", "POST"])
def rules():
    """City-wide booking rules (the no-show ban's length), which no operator can change."""
    form, status = CityPolicyForm(obj=city_policy(db.session)), 200
    if form.is_submitted():
        status = 422
        if form.validate():
            with unit_of_work():
                changed = services.save_city_policy(db.session, current_user, form.no_show_ban_days.data, utcnow())
            if changed:
                flash(f"노쇼 예약 제한을 {form.no_show_ban_days.data}일로 바꿨습니다.", "success")
            return redirect(url_for("admin.rules"))
    return render_template("admin/rules.html", form=form), status


@bp.get("/audit")
def audit():
    try:
        actor = request.args.get("actor", "")
        actor_id = parse_id(actor, "actor") if actor else None
        page = parse_int(request.args.get("page") or "1", "page", 1, PAGE_MAX)
    except InvalidValue as error:
        abort(400, description=error.message)
    filters = AuditFilter(
        action=request.args.get("action", ""),
        target_type=request.args.get("target_type", ""),
        actor_id=actor_id,
        target_id=request.args.get("target_id", "").strip()[:100],
    )
    rows, total = list_entries(db.session, filters, limit=AUDIT_PAGE, offset=(page - 1) * AUDIT_PAGE)
    admins = services.list_users(db.session, "admin") + services.list_users(db.session, "operator")
    return render_template(
        "admin/audit.html",
        rows=rows,
        total=total,
        filters=filters,
        page=page,
        pages=max((total + AUDIT_PAGE - 1) // AUDIT_PAGE, 1),
        actions=known_actions(db.session),
        actors=admins,
    )
