"""What a result card, a map popup and a facility page tell a parent deciding where to go.

For bookable kinds: the next session and its places left (or 마감), the age range and the fee; for
every facility: 전화 and 길찾기 (Kakao Map and Naver Map, by name and coordinates). The next sessions
of a whole page come from one query (app.bookings.live.live_places, which GET /api/availability refreshes).
A map popup asks for its facility's card (facility_card) when it opens: the page carries only the markers.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from app.bookings.live import NO_SESSION_TEXT, LiveState, live_places
from app.facilities.choices import FacilityKind
from app.finder.points import items_for
from app.geo.spatial import haversine_m
from app.maps.format import age_text, distance_text


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


def card_json(item: dict) -> dict:
    """A popup's facts as JSON for static/js/nadeuri-map.js (text only: the browser sets it with textContent)."""
    return {
        "id": item["id"],
        "kind": item["kind"],
        "name": item["name"],
        "distance": distance_text(item.get("distance_m")),
        "hours_today": item.get("hours_today") or "",
        "address": item.get("address") or "",
        "phone": item.get("phone") or "",
        "lat": item.get("lat"),
        "lon": item.get("lon"),
        "session": item.get("session_text") or "",
        "full": bool(item.get("full")),
        "lottery": bool(item.get("lottery")),
        "ages": item.get("age_text") or "",
        "fee": item.get("fee") or "",
    }


def facility_card(session: Session, facility_id: int, center: tuple[float, float] | None, now: datetime):
    """One facility's popup card, its distance measured from `center` (a search's centre), or None."""
    found = items_for(session.connection(), [(facility_id, None)], now.date())
    if not found:
        return None
    item = found[0]
    if center is not None and item["lat"] is not None:
        item["distance_m"] = haversine_m(center[0], center[1], item["lat"], item["lon"])
    add_card_facts(session, [item], now)
    return card_json(item)
