"""Runs in a separate OS process (spawn): race_worker.attempt with every transaction begun on demand, as the rush
route (POST /api/bookings) runs them."""

from __future__ import annotations

from tests.bookings.race_worker import attempt


def attempt_on_demand(url: str, jobs: list[tuple], now_iso: str, barrier, results) -> None:
    """race_worker.attempt inside app.database.lock_on_demand."""
    from app.database import lock_on_demand

    with lock_on_demand():
        attempt(url, jobs, now_iso, barrier, results)
