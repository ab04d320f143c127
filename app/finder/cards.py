"""What a result card, a map popup and a facility page tell a parent deciding where to go.

For bookable kinds: the next session and its places left (or 마감), the age range and the fee; for
every facility: 전화 and 길찾기 (Kakao Map and Naver Map, by name and coordinates). The next sessions
of a whole page come from one query (app.bookings.upcoming.next_sessions).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from app.bookings.upcoming import next_sessions
from app.facilities.choices import FacilityKind
from app.maps.format import age_text


def add_card_facts(session: Session, items: list[dict], now: datetime) -> None:
    """Put session, age and fee facts on search items in place (one query for every bookable item)."""
    bookable = [i["id"] for i in items if i.get("bookable")]
    sessions = next_sessions(session, bookable, now)
    for item in items:
        item["age_text"] = age_text(item.get("age_min"), item.get("age_max"))
        if item.get("bookable"):
            found = sessions.get(item["id"])
            item["session_text"] = found["text"] if found else "예정된 회차 없음"
            item["full"] = bool(found) and not found["next"]["left"] and "free" not in found
            item["fee"] = FacilityKind(item["kind"]).fee
