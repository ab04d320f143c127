"""What a result card, a map popup and a facility page tell a parent deciding where to go.

For bookable kinds: the next session and its places left (or 마감), the age range and the fee; for
every facility: 전화 and 길찾기 (Kakao Map and Naver Map, by name and coordinates). The next sessions
of a whole page come from one query (app.bookings.live.live_places, which GET /api/availability refreshes).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from app.bookings.live import NO_SESSION_TEXT, LiveState, live_places
from app.facilities.choices import FacilityKind
from app.maps.format import age_text


def add_card_facts(session: Session, items: list[dict], now: datetime) -> None:
    """Put session, age and fee facts on search items in place (one query for every bookable item)."""
    bookable = [i["id"] for i in items if i.get("bookable")]
    places = live_places(session, bookable, now)
    for item in items:
        item["age_text"] = age_text(item.get("age_min"), item.get("age_max"))
        if item.get("bookable"):
            found = places.get(item["id"])
            item["session_text"] = found["text"] if found else NO_SESSION_TEXT
            item["full"] = bool(found) and found["state"] == LiveState.FULL
            item["lottery"] = bool(found) and found["state"] == LiveState.LOTTERY
            item["fee"] = FacilityKind(item["kind"]).fee
