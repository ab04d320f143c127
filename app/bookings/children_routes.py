"""A parent's child: edit and remove pages (the list and the add form are auth's /children).

They live here because removal depends on bookings: a child with bookings still to come is not removed.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from app.auth import services as accounts
from app.auth.forms import AddChildForm, ChildForm
from app.bookings.children import remove_child
from app.bookings.rules import BookingError
from app.database import unit_of_work
from app.errors import refuse
from app.extensions import db
from app.routing import Routes
from app.timeutil import KST, utcnow

bp = Routes()


def children_page(form: AddChildForm | None = None, error: BookingError | None = None, error_child: int | None = None):
    """The children list and add form (templates/auth/children.html), with a refusal next to one child."""
    return render_template(
        "auth/children.html",
        form=form or AddChildForm(formdata=None),
        children=accounts.child_rows(db.session, current_user, utcnow().astimezone(KST).date()),
        next="",
        error=error,
        error_child=error_child,
    )


@bp.route("/children/<id:child_id>/edit", methods=["GET", "POST"])
@login_required
def edit_child(child_id: int):
    child = accounts.child_of(db.session, current_user, child_id)
    if child is None:  # another parent's child is not found either
        abort(404)
    form = ChildForm(data={"name": child.name, "birth_date": child.birth_date.isoformat()})
    status = 200
    if form.is_submitted():
        status = 422
        if form.validate():
            today = utcnow().astimezone(KST).date()
            birth_date = accounts.parse_birth_date(form.birth_date.data)
            try:
                with unit_of_work():
                    changed = accounts.update_child(
                        db.session, current_user, child.id, form.name.data, birth_date, today
                    )
                    name = changed.name
            except accounts.AccountError as error:
                status = refuse(error, form, default_field="birth_date")
            else:
                flash(f"{name} 아이 정보를 고쳤습니다.", "success")
                return redirect(url_for("auth.children"), code=303)
    return render_template("auth/child_edit.html", form=form, child=child), status


@bp.post("/children/<id:child_id>/delete")
@login_required
def delete_child(child_id: int):
    try:
        with unit_of_work():
            name = remove_child(db.session, current_user, child_id, utcnow()).name
    except BookingError as error:
        if error.status == 404:
            abort(404)
        return children_page(error=error, error_child=child_id), error.status
    flash(f"{name} 아이를 목록에서 지웠습니다.", "success")
    return redirect(url_for("auth.children"), code=303)
