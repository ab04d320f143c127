"""Revealing a guardian's contact from the roster: a separate action with a reason, written to the access log."""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user

from app.auth.roles import roles_required
from app.database import unit_of_work
from app.errors import refuse
from app.extensions import db
from app.operators.access import STAFF
from app.operators.people import RevealError, reveal_contact
from app.operators.routes import _roster_url, managed_booking
from app.routing import Routes
from app.timeutil import utcnow

bp = Routes()


@bp.post("/bookings/<id:booking_id>/contact")
@roles_required(*STAFF)
def reveal(booking_id: int):
    booking = managed_booking(booking_id)  # staff of another facility: 403 before anything is read
    status, shown = 200, None
    try:
        with unit_of_work():
            shown = reveal_contact(db.session, current_user, booking, request.form.get("reason"), utcnow())
    except RevealError as error:
        status = refuse(error)
    page = render_template("operators/contact.html", shown=shown, booking=booking, back=_roster_url(booking))
    return page, status
