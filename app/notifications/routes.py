"""Notification settings page and the password-reset pages (forgot → e-mail → reset)."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from app.auth.reset import user_for_token
from app.auth.services import normalise_email, password_problem
from app.database import unit_of_work
from app.errors import refuse
from app.extensions import db
from app.jobs import current_jobs
from app.masking import mask_phone
from app.notifications.choices import Channel, OutboxStatus
from app.notifications.forms import ForgotForm, ResetForm, SettingsForm
from app.notifications.messages import EVENT_LABELS
from app.notifications.services import messages_of, offered_channels, settings_of
from app.notifications.settings import SettingsError, save_settings
from app.routing import Routes
from app.timeutil import utcnow

bp = Routes()
SENT_MESSAGE = "입력한 주소로 가입된 계정이 있으면 비밀번호 재설정 링크를 보냈습니다. 메일함을 확인해 주세요."


@bp.route("/settings/notifications", methods=["GET", "POST"])
@login_required
def settings():
    prefs = settings_of(db.session, current_user)
    offered = offered_channels()
    form = SettingsForm(data={"email": prefs.email, "kakao": prefs.kakao, "reminders": prefs.reminders})
    status = 200
    if form.validate_on_submit():
        try:
            with unit_of_work():
                save_settings(
                    db.session,
                    current_user,
                    prefs,
                    utcnow(),
                    channels={c: form[c].data for c in offered},
                    reminders=form.reminders.data,
                    phone=form.phone.data,
                    clear_phone=form.clear_phone.data,
                )
        except SettingsError as error:
            status = refuse(error, form)
        else:
            flash("알림 설정을 저장했습니다.", "success")
            return redirect(url_for("notifications.settings"))
    elif form.is_submitted():
        status = 422
    recent = messages_of(db.session, current_user, limit=20)
    return render_template(
        "notifications/settings.html",
        form=form,
        offered=offered,
        phone=mask_phone(prefs.phone),
        recent=recent,
        labels={"event": EVENT_LABELS, "channel": Channel.labels(), "status": OutboxStatus.labels()},
        sent=OutboxStatus.SENT,
    ), status


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password():
    form = ForgotForm()
    if form.validate_on_submit():
        # The same work for every address (one enqueue; the worker looks the account up): the answer and its
        # timing never tell whether an account exists.
        current_jobs().enqueue("request_password_reset", normalise_email(form.email.data))
        flash(SENT_MESSAGE, "info")
        return redirect(url_for("notifications.forgot_password"))
    return render_template("notifications/forgot.html", form=form), 422 if form.is_submitted() else 200


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    user = user_for_token(db.session, token)
    if user is None:
        return render_template("notifications/reset.html", form=None)  # a page that says what happened
    form = ResetForm()
    if form.validate_on_submit():
        problem = password_problem(form.password.data)
        if problem is None:
            with unit_of_work():
                user.set_password(form.password.data)  # new hash: this link and every older one stop working
            flash("비밀번호를 바꿨습니다. 새 비밀번호로 로그인해 주세요.", "success")
            return redirect(url_for("auth.login"))
        form.password.errors = [*form.password.errors, problem]
    return render_template("notifications/reset.html", form=form), 422 if form.is_submitted() else 200
