"""The kids-café coverage report the admin pages and the admin API show: minutes parsed, speed from config."""

from __future__ import annotations

import math

from flask import current_app

from app.extensions import db
from app.geo.cafe_coverage import DEFAULT_MINUTES, compute_coverage

MAX_MINUTES = 60


def parse_minutes(raw: str | None) -> float | None:
    """Minutes of walking from a query string: a number in (0, 60], default 10; None when invalid."""
    if raw is None or raw.strip() == "":
        return float(DEFAULT_MINUTES)
    try:
        value = float(raw)
    except ValueError:
        return None
    return value if math.isfinite(value) and 0 < value <= MAX_MINUTES else None


def report_for(minutes: float):
    """The coverage report at the configured walking speed."""
    return compute_coverage(
        db.session, minutes=minutes, metres_per_minute=current_app.config["NADEURI_WALK_METRES_PER_MINUTE"]
    )
