"""Runs in a separate OS process (spawn): its own app and engine, booking through the service layer."""

from __future__ import annotations

from datetime import datetime


def attempt(url: str, jobs: list[tuple], now_iso: str, barrier, results) -> None:
    """Wait for the others, then try every (user_id, slot_id, child_ids, hours) job; report the outcome codes."""
    from app import create_app
    from app.auth.models import User
    from app.bookings.services import BookingError, book
    from app.config import TestConfig
    from app.extensions import db

    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    config["SQLALCHEMY_DATABASE_URI"] = url
    app = create_app(config)
    now = datetime.fromisoformat(now_iso)
    outcomes = []
    with app.app_context():
        barrier.wait()
        for user_id, slot_id, child_ids, hours in jobs:
            user = db.session.get(User, user_id)
            try:
                book(db.session, user, slot_id, child_ids, 1, hours, now)
                db.session.commit()
                outcomes.append("confirmed")
            except BookingError as error:
                db.session.rollback()
                outcomes.append(error.code)
        db.session.remove()
        db.engine.dispose()
    results.put(outcomes)
