"""Admin: failed notifications (/admin/notifications) and a retry button for each."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for

from app.admin.forms import ActionForm
from app.database import unit_of_work
from app.extensions import db
from app.notifications.choices import Channel
from app.notifications.messages import EVENT_LABELS
from app.notifications.services import failures, retry
from app.routing import Routes
from app.timeutil import utcnow

bp = Routes()


@bp.get("/notifications")
def notifications():
    rows = failures(db.session)
    return render_template(
        "admin/notifications.html", rows=rows, events=EVENT_LABELS, channels=Channel.labels(), form=ActionForm()
    )


@bp.post("/notifications/<id:outbox_id>/retry")
def retry_notification(outbox_id: int):
    if not ActionForm().validate_on_submit():
        abort(400)
    with unit_of_work():
        moved = retry(db.session, outbox_id, utcnow())
    if moved:
        flash("다시 보내도록 대기열에 넣었습니다.", "success")
    else:
        flash("실패 상태인 알림이 아닙니다.", "error")
    return redirect(url_for("admin.notifications"))
