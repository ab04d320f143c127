"""Job bodies the worker runs (registered in the app factory); each opens its own transaction."""

from __future__ import annotations

from app.extensions import db
from app.notifications import reset, services
from app.timeutil import utcnow


def deliver(outbox_id: int) -> str | None:
    """Send one outbox row (claimed first: a doubled job is a no-op)."""
    return services.deliver(db.session, outbox_id, utcnow())


def sweep_outbox() -> int:
    """Re-enqueue due rows whose job was lost (periodic)."""
    return services.sweep(db.session, utcnow())


def request_password_reset(email: str) -> bool:
    """Write the reset e-mail for this address if it has an account."""
    return reset.request_reset(db.session, email, utcnow())
