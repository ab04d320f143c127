"""Who may use the operator pages, and for which facility (shared by routes.py and settings_routes.py)."""

from __future__ import annotations

from datetime import date

from flask import abort
from flask_login import current_user

from app.auth.roles import can_manage_facility
from app.extensions import db
from app.facilities.models import Facility
from app.timeutil import KST, utcnow

STAFF = ("operator", "admin")


def today() -> date:
    return utcnow().astimezone(KST).date()


def managed_facility(facility_id: int) -> Facility:
    """The facility if the current user may manage it: 404 if missing, 403 if not theirs."""
    facility = db.session.get(Facility, facility_id)
    if facility is None:
        abort(404)
    if not can_manage_facility(current_user, facility_id):
        abort(403)
    return facility
