"""Notifications: the outbox, channels (e-mail, 알림톡/SMS, development), messages, settings and password reset.

Services above (bookings, operators) call ``notify(...)`` where a booking changes; the rows ride in that
transaction and the worker (app/jobs.py) sends them.
"""

from __future__ import annotations

from flask import Blueprint

from app.notifications import routes
from app.notifications.services import notify

__all__ = ["bp", "notify"]

bp = Blueprint("notifications", __name__)
routes.bp.add_to(bp)
