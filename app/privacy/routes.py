"""Pages: the privacy policy (처리방침), my data (download, delete) and the account deletion confirmation."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required, logout_user

from app.database import unit_of_work
from app.errors import refuse
from app.extensions import db
from app.privacy.account import PrivacyError, delete_account
from app.privacy.forms import DeleteAccountForm
from app.privacy.retention import Retention
from app.routing import Routes
from app.timeutil import utcnow

bp = Routes()


@bp.get("/privacy")
def policy():
    return render_template(
        "privacy/policy.html",
        retention=Retention.from_config(),
        version=current_app.config["PRIVACY_POLICY_VERSION"],
    )


@bp.get("/account")
@login_required
def account():
    return render_template("privacy/account.html")


@bp.route("/account/delete", methods=["GET", "POST"])
@login_required
def delete():
    form = DeleteAccountForm()
    status = 200
    if form.is_submitted():
        status = 422
        if form.validate():
            try:
                with unit_of_work():
                    cancelled = delete_account(db.session, current_user, form.password.data, utcnow())
            except PrivacyError as error:
                status = refuse(error, form)
            else:
                logout_user()
                note = f" 다가오던 예약 {len(cancelled)}건을 취소했습니다." if cancelled else ""
                flash(f"계정을 삭제했습니다.{note} 그동안 이용해 주셔서 고맙습니다.", "info")
                return redirect(url_for("facilities.index"), code=303)
    return render_template(
        "privacy/delete.html", form=form, retention=Retention.from_config(), is_parent=current_user.role == "parent"
    ), status
