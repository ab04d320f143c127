"""Admin pages under /admin: dashboard, uploads, flagged rows, accounts, audit log (coverage in coverage_routes.py)."""

from __future__ import annotations

import json
import re

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
from app.facilities.choices import FacilityKind, FlagReason, FlagStatus
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


FLAGS_PAGE = 50


def _districts() -> list[tuple[str, str]]:
    rows = db.session.execute(select(District.code, District.name).order_by(District.name))
    return [(code, name) for code, name in rows]


def _flag_filter() -> services.FlagFilter:
    """The flags page's filters from the query string; 400 (Korean) for a value that is not on offer."""
    args = request.args
    filters = services.FlagFilter(
        reason=args.get("reason", ""),
        district=args.get("district", ""),
        kind=args.get("kind", ""),
        status=args.get("status", FlagStatus.OPEN.value),
    )
    offered = (
        (filters.reason, FlagReason.values(), "문제"),
        (filters.kind, FacilityKind.values(), "종류"),
        (filters.status, services.FLAG_STATUSES, "상태"),
    )
    for value, allowed, label in offered:
        if value and value not in allowed:
            abort(400, description=f"{label}: 고를 수 있는 값이 아닙니다.")
    if filters.district and filters.district != services.NO_DISTRICT and not re.fullmatch(r"\d{5}", filters.district):
        abort(400, description="자치구: 고를 수 있는 값이 아닙니다.")
    return filters


def _flag_args(filters: services.FlagFilter, page: int | None = None) -> dict:
    """The query string that keeps the filters (and page) across a POST and its redirect."""
    args = {"reason": filters.reason, "district": filters.district, "kind": filters.kind, "status": filters.status}
    return {k: v for k, v in args.items() if v} | ({"page": page} if page and page > 1 else {})


def _paging(total: int, page: int, per_page: int) -> dict:
    """The pager's figures: rows in all, this page, how many pages (at least one)."""
    return {"total": total, "page": page, "pages": max((total + per_page - 1) // per_page, 1)}


def _page() -> int:
    try:
        return parse_int(request.args.get("page") or "1", "page", 1, PAGE_MAX)
    except InvalidValue as error:
        abort(400, description=error.message)


@bp.get("/flags")
def flags():
    filters, page = _flag_filter(), _page()
    rows, total = services.list_flags(db.session, filters, limit=FLAGS_PAGE, offset=(page - 1) * FLAGS_PAGE)
    districts = _districts()
    return render_template(
        "admin/flags.html",
        rows=rows,
        filters=filters,
        **_paging(total, page, FLAGS_PAGE),
        args=_flag_args(filters),
        here=_flag_args(filters, page),
        counts=services.flag_counts(db.session),
        districts=districts,
        no_district=services.NO_DISTRICT,
        fix_form=FlagFixForm(),
        action_form=ActionForm(),
        reason_labels=FlagReason.labels(),
        status_labels=FlagStatus.labels(),
        kind_labels=FacilityKind.labels(),
        bulk_max=services.BULK_MAX,
    )


def _back_to_flags():
    return redirect(url_for("admin.flags", **_flag_args(_flag_filter(), _page())))


@bp.post("/flags/bulk")
def bulk_flags():
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        ids = [parse_id(raw, "flag_ids") for raw in request.form.getlist("flag_ids")]
    except InvalidValue as error:
        abort(400, description=error.message)
    action = request.form.get("action", "")
    try:
        with unit_of_work():
            changed = services.bulk_flags(
                db.session,
                current_user,
                services.flags_by_id(db.session, ids),
                action,
                request.form.get("district_code") or None,
                utcnow(),
            )
    except services.AdminError as exc:
        refuse(exc)
    else:
        done = "수용했습니다" if action == "accept" else "자치구를 고치고 '고침'으로 표시했습니다"
        flash(f"{changed}건을 {done}.", "success")
    return _back_to_flags()


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


def _chosen_facilities() -> list[int]:
    """Facilities picked from the search list (ids) plus any typed names, each of which must mean one facility."""
    try:
        ids = [parse_id(raw, "facility_ids") for raw in request.form.getlist("facility_ids") if raw]
    except InvalidValue:
        raise services.AdminError("고른 시설을 알 수 없습니다. 다시 골라 주세요.", "facilities") from None
    names = [n.strip() for n in (request.form.get("facilities") or "").split(",") if n.strip()]
    return ids + [services.facility_by_name(db.session, name).id for name in names]


@bp.get("/facilities/search")
def facility_search():
    """Facilities by name for the operator-assignment picker (JSON; names are set with textContent)."""
    found = services.search_facilities(db.session, request.args.get("q", ""))
    return {"results": [services.facility_choice(f) for f in found]}


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
                        _chosen_facilities(),
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


def _user_change(user_id: int, change) -> None:
    """A CSRF-checked change to one account in one transaction; a refusal is flashed (back to the users page)."""
    user = db.get_or_404(User, user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        with unit_of_work():
            message = change(user)
    except services.AdminError as exc:
        refuse(exc)
    else:
        if message:
            flash(message, "success")


@bp.post("/users/<id:user_id>/lock")
def lock_user(user_id: int):
    locked = request.form.get("locked") == "1"

    def change(user):
        if services.set_locked(db.session, current_user, user, locked, utcnow()):
            return f"{user.email} 계정을 {'잠갔습니다' if locked else '잠금 해제했습니다'}."

    _user_change(user_id, change)
    return redirect(url_for("admin.users"))


@bp.post("/users/<id:user_id>/facilities")
def assign_facility(user_id: int):
    assigned = request.form.get("action", "assign") == "assign"

    def change(user):
        raw = request.form.get("facility_id", "")
        if raw:
            try:
                facility = services.facilities_by_id(db.session, [parse_id(raw, "facility_id")])[0]
            except InvalidValue:
                raise services.AdminError("고른 시설을 알 수 없습니다. 다시 골라 주세요.", "facilities") from None
        elif (request.form.get("facility_query") or "").strip():
            facility = services.facility_by_name(db.session, request.form["facility_query"])
        else:
            raise services.AdminError("배정할 시설의 이름을 입력하고 목록에서 골라 주세요.", "facilities")
        if services.set_assignment(db.session, current_user, user, facility.id, assigned, utcnow()):
            return f"{user.email}: {facility.name} {'배정' if assigned else '배정 해제'}."

    _user_change(user_id, change)
    return redirect(url_for("admin.users", _anchor=f"user-{user_id}"))


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
        filters=filters,
        **_paging(total, page, AUDIT_PAGE),
        actions=known_actions(db.session),
        actors=admins,
    )
