"""Small display formats shared by the map popups and the result list."""

from __future__ import annotations


def distance_text(metres: float | None) -> str:
    """A distance for people: "350m" below 1 km, "1.2km" above; empty when unknown."""
    if metres is None:
        return ""
    if metres < 1000:
        return f"{round(metres / 10) * 10:.0f}m"
    return f"{metres / 1000:.1f}km"
