"""Password reset by e-mail: the request runs in the worker, so the page does the same work for any address."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy.orm import Session

from app.auth.services import find_user_by_email, normalise_email
from app.database import unit_of_work
from app.notifications.services import notify


def request_reset(session: Session, email: str, now: datetime) -> bool:
    """Write the reset e-mail's outbox row if the address has an unlocked account (the worker's job body)."""
    user = find_user_by_email(session, normalise_email(email))
    if user is None or user.is_locked:
        return False
    with unit_of_work(session):
        notify(session, user, "password_reset", now=now, minutes=current_app.config["PASSWORD_RESET_MINUTES"])
    return True
