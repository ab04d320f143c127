"""Live places for the finder's cards and map popups: one state per facility, from its next bookable session.

The page shows these first (app/finder/cards.py) and refreshes them from GET /api/availability; both ask
`live_places`, so a card and its refresh can never disagree. `facility_state` is the one place a facility's
state is decided: the weekend lottery's "추첨" belongs there when it comes.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from app.bookings.upcoming import next_sessions
from app.choices import Choices

NO_SESSION_TEXT = "예정된 회차 없음"
REFRESH_SECONDS = 30  # how often an open search page asks again (static/js/live-places.js)


class LiveState(Choices):
    """What a card or popup says about a facility's places, checked in this order by facility_state."""

    OPEN = "open", "예약 가능"
    FULL = "full", "마감"
    NONE = "none", NO_SESSION_TEXT


def facility_state(found: dict | None) -> LiveState:
    """The facility's state from its next_sessions entry (None: no session within the horizon)."""
    if found is None:
        return LiveState.NONE
    if found["next"]["left"] or "free" in found:
        return LiveState.OPEN
    return LiveState.FULL


def live_places(session: Session, facility_ids: list[int], now: datetime) -> dict[int, dict]:
    """Per facility with an upcoming session: state, places left in its next bookable session, and the text.

    `left` and `starts_at` are those of the next session with places (the next session when all are full,
    with left 0). Facilities without an upcoming session (or unknown ids) are left out. One query for all.
    """
    out = {}
    for facility_id, found in next_sessions(session, facility_ids, now).items():
        state = facility_state(found)
        bookable = found.get("free") or found["next"]
        out[facility_id] = {
            "state": state.value,
            "left": bookable["left"],
            "starts_at": bookable["starts_at"],
            "text": found["text"],
        }
    return out
