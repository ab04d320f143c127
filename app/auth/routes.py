"""Account pages: sign-up, login, logout and the children list."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, flash, g, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from app.auth import services
from app.auth.forms import AddChildForm, LoginForm, RegisterForm
from app.database import unit_of_work
from app.errors import refuse
from app.extensions import db
from app.routing import Routes
from app.security import local_target
from app.timeutil import KST, utcnow

bp = Routes()


def _safe_next(default: str) -> str:
    """The `next` target if it stays on this site, else `default` (no open redirects)."""
    return local_target(request.args.get("next") or request.form.get("next"), default)


# Where each role starts after logging in (a `next` page other than the finder's front page wins).
HOME_BY_ROLE = {"operator": "operators.index", "admin": "admin.dashboard"}


def _landing(user) -> str:
    """The page to go to after logging in: a `next` page on this site, else the user's own start page."""
    home = url_for(HOME_BY_ROLE.get(user.role, "facilities.index"))
    target = _safe_next(home)
    return home if urlsplit(target).path == url_for("facilities.index") else target


def _add_errors(form, problems: dict) -> bool:
    """Attach service rule messages to fields that have none yet; True if the form is clean."""
    for name, message in problems.items():
        field = getattr(form, name)
        if message and not field.errors:
            field.errors = [*field.errors, message]
    return not any(field.errors for field in form)


def _drop_csrf_token() -> None:
    """Forget the CSRF token (session and this request's cache): Flask-WTF makes a new one when next asked."""
    session.pop("csrf_token", None)
    g.pop("csrf_token", None)


def _start_session(user) -> None:
    """Log `user` in with a fresh CSRF token, so a token seen before login is worthless after it."""
    _drop_csrf_token()
    login_user(user)


@bp.route("/register", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("auth.children"))
    form = RegisterForm()
    status = 200
    if form.is_submitted():
        status = 422
        form.validate()
        problems = {
            "email": services.email_problem(services.normalise_email(form.email.data)),
            "password": services.password_problem(form.password.data),
        }
        if _add_errors(form, problems):
            try:
                with unit_of_work():
                    user = services.register_parent(db.session, form.email.data, form.password.data, form.name.data)
            except services.AccountError as error:
                refuse(error, form, default_field="email")
                status = error.status if error.status == 409 else 422
            else:
                _start_session(user)
                flash("가입을 환영합니다! 예약하려면 먼저 아이를 등록해 주세요.", "success")
                return redirect(_safe_next(url_for("auth.children")))
    return render_template("auth/register.html", form=form, next=_safe_next("")), status


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(_landing(current_user))
    form = LoginForm()
    status, error_message = 200, None
    if form.is_submitted():
        status = 422
        if form.validate():
            try:
                user = services.authenticate(db.session, form.email.data, form.password.data)
            except services.AccountError as error:
                status, error_message = error.status, error.message
            else:
                _start_session(user)
                return redirect(_landing(user))
    return render_template("auth/login.html", form=form, error_message=error_message, next=_safe_next("")), status


@bp.post("/logout")
def logout():
    # CSRFProtect checks the token of this POST before we get here.
    if current_user.is_authenticated:
        # End the session on the server too: a copy of this cookie (or a remember cookie) stops working.
        with unit_of_work():
            current_user.end_sessions()
    logout_user()
    _drop_csrf_token()
    flash("로그아웃했습니다.", "info")
    return redirect(url_for("facilities.index"))


@bp.route("/children", methods=["GET", "POST"])
@login_required
def children():
    form = AddChildForm()
    status = 200
    if form.is_submitted():
        status = 422
        form.validate()
        birth_date = services.parse_birth_date(form.birth_date.data)
        today = utcnow().astimezone(KST).date()
        problems = services.child_problems((form.name.data or "").strip(), birth_date, today)
        problems["consent"] = services.consent_problem(form.consent.data)
        if _add_errors(form, problems):
            try:
                with unit_of_work():
                    child = services.add_child(
                        db.session,
                        current_user,
                        form.name.data,
                        birth_date,
                        today,
                        consent=form.consent.data,
                        policy_version=current_app.config["PRIVACY_POLICY_VERSION"],
                        now=utcnow(),
                    )
            except services.AccountError as error:
                status = refuse(error, form)  # 409 duplicate_child: shown on the name field
            else:
                flash(f"{child.name} 아이를 등록했습니다.", "success")
                return redirect(_safe_next(url_for("auth.children")))
    kids = services.child_rows(db.session, current_user, utcnow().astimezone(KST).date())
    return render_template("auth/children.html", form=form, children=kids, next=_safe_next("")), status
