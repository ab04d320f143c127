"""Runs in a separate OS process (spawn): its own app and engine, running the lottery's due steps."""

from __future__ import annotations

from datetime import datetime


def run_steps(url: str, moments: list[str], barrier, results) -> None:
    """At each moment, wait for the others, then run every due lottery step; report what this process did."""
    from app import create_app
    from app.config import TestConfig
    from app.extensions import db
    from app.lottery.runner import run_lottery

    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    config["SQLALCHEMY_DATABASE_URI"] = url
    app = create_app(config)
    done = []
    with app.app_context():
        for moment in moments:
            barrier.wait()
            done += run_lottery(db.session, datetime.fromisoformat(moment))
        db.session.remove()
        db.engine.dispose()
    results.put(done)
