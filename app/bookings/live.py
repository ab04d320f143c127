"""Live places for the finder's cards and map popups: one state per facility, from its next bookable session.

The page shows these first (app/finder/cards.py) and refreshes them from GET /api/availability; both ask
`live_places`, so a card and its refresh can never disagree. `facility_state` is the one place a facility's
state is decided, the weekend lottery's "추첨" included: while a lottery session is before its first-come cut-off
(LOTTERY_OFFERS_STOP before it starts) its places are not for booking, so "잔여 n석" would mislead.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.bookings.models import BookingPolicy
from app.bookings.policy import lottery_allocates
from app.bookings.upcoming import next_sessions, when_text
from app.choices import Choices
from app.facilities.hours import is_public_holiday

NO_SESSION_TEXT = "예정된 회차 없음"
REFRESH_SECONDS = 30  # how often an open search page asks again (static/js/live-places.js)


class LiveState(Choices):
    """What a card or popup says about a facility's places, checked in this order by facility_state."""

    OPEN = "open", "예약 가능"
    LOTTERY = "lottery", "추첨"
    FULL = "full", "마감"
    NONE = "none", NO_SESSION_TEXT


def facility_state(found: dict | None, policy: BookingPolicy | None = None, now: datetime | None = None) -> LiveState:
    """The facility's state from its next_sessions entry (None: no session within the horizon).

    LOTTERY when the session the card names (the next with places, else the next) is a lottery session of the
    facility's policy before its cut-off; `policy` None: the facility allocates first-come.
    """
    if found is None:
        return LiveState.NONE
    if policy is not None and now is not None:
        starts_at = datetime.fromisoformat(_shown(found)["starts_at"])
        if lottery_allocates(policy, starts_at, now):
            return LiveState.LOTTERY
    if found["next"]["left"] or "free" in found:
        return LiveState.OPEN
    return LiveState.FULL


def live_places(session: Session, facility_ids: list[int], now: datetime) -> dict[int, dict]:
    """Per facility with an upcoming session: state, places left in its next bookable session, and the text.

    `left` and `starts_at` are those of the next session with places (the next session when all are full,
    with left 0); a lottery session says "추첨 · 12/13(토) 10:00". Facilities without an upcoming session (or
    unknown ids) are left out. One query for the sessions, and one for the policies when any of them falls on a
    Saturday, Sunday or holiday (only those can be lottery sessions).
    """
    found_by_id = next_sessions(session, facility_ids, now)
    weekend = [i for i, found in found_by_id.items() if _weekend_or_holiday(found)]
    lottery = _lottery_policies(session, weekend)
    out = {}
    for facility_id, found in found_by_id.items():
        state = facility_state(found, lottery.get(facility_id), now)
        bookable = _shown(found)
        text = found["text"]
        if state == LiveState.LOTTERY:
            text = f"{LiveState.LOTTERY.label} · {when_text(datetime.fromisoformat(bookable['starts_at']))}"
        out[facility_id] = {"state": state.value, "left": bookable["left"], "starts_at": bookable["starts_at"]}
        out[facility_id]["text"] = text
    return out


def _shown(found: dict) -> dict:
    """The session a card names: the next with places, else the next."""
    return found.get("free") or found["next"]


def _weekend_or_holiday(found: dict) -> bool:
    """Whether the session a card names may be a lottery one (most are not: then no policy is read)."""
    day = datetime.fromisoformat(_shown(found)["starts_at"]).date()  # a Seoul time
    return day.weekday() >= 5 or is_public_holiday(day)


def _lottery_policies(session: Session, facility_ids: list[int]) -> dict[int, BookingPolicy]:
    """The stored policies that allocate weekends by lottery (the kinds' defaults are first-come)."""
    if not facility_ids:
        return {}
    rows = session.scalars(
        select(BookingPolicy).where(
            BookingPolicy.facility_id.in_(sorted(facility_ids)), BookingPolicy.allocation == "lottery_weekends"
        )
    )
    return {p.facility_id: p for p in rows}
