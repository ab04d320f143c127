"""A facility page's facts in a parent's words: what the import kept in `details`, hours from the sessions.

Source strings such as "기저귀교환대1유아용보호의자1비상벨7" become "기저귀교환대 1, 유아용보호의자 1, 비상벨 7";
a kids café's "놀이돌봄서비스 운영 · 미끄럼방지 양말 필수" becomes a list of notes.
"""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy.orm import Session

from app.bookings.live import NO_SESSION_TEXT, live_places
from app.bookings.upcoming import session_hours
from app.facilities import services
from app.facilities.choices import FacilityKind
from app.facilities.hours import days_label
from app.maps.format import age_text, directions, tel_href

# details key → label, per kind, in the order a parent reads them.
DETAIL_LABELS = {
    FacilityKind.KIDS_CAFE: (
        ("cafe_type", "유형"),
        ("operation_period", "운영 기간"),
        ("parking_info", "주차 안내"),
    ),
    FacilityKind.HOURLY_DAYCARE: (
        ("daycare_type", "어린이집 유형"),
        ("capacity", "정원(어린이집 전체)"),
        ("shuttle", "통학 차량"),
    ),
    FacilityKind.FAMILY_RESTROOM: (
        ("toilet_type", "유형"),
        ("location_use", "위치"),
        ("toilets", "화장실"),
        ("accessible_toilets", "장애인 화장실·설비"),
        ("equipment", "기타 설비"),
        ("location", "소재지"),
        ("note", "비고"),
    ),
    FacilityKind.KIDS_OK_ZONE: (("value_01", "분류"),),
}
NEAR_RESTROOMS_M = 1500
_COUNTED = re.compile(r"([가-힣A-Za-z()]+)\s*(\d+)")
_ONLY_COUNTS = re.compile(r"(?:[가-힣A-Za-z()]+\s*\d+\s*)+")


def readable(text) -> str:
    """A source string as text: counts spaced from their names, items separated by commas."""
    text = str(text).strip()
    if _ONLY_COUNTS.fullmatch(text):
        text = ", ".join(f"{name} {n}" for name, n in _COUNTED.findall(text))
    return re.sub(r"\s*,\s*", ", ", re.sub(r"\s+", " ", text)).strip(", ").lstrip("-· ")


def detail_rows(kind: str, details: dict) -> list[tuple[str, str]]:
    """(label, text) rows from a facility's imported details, only those it has."""
    rows = []
    for key, label in DETAIL_LABELS.get(FacilityKind(kind), ()):
        value = details.get(key)
        if value not in (None, "", [], {}):
            rows.append((label, readable(value)))
    return rows


def notes(details: dict) -> list[str]:
    """A kids café's notes ("미끄럼방지 양말 필수", "현장 계좌이체 결제"), one per item."""
    summary = details.get("feature_summary") or ""
    return [n.strip() for n in re.split(r"\s*[·•|]\s*", str(summary)) if n.strip()]


def hours_from_sessions(session: Session, facility_id: int, today: date) -> dict | None:
    """Hours as the sessions run them: days, first start–last end, and today's (None without sessions)."""
    by_day = session_hours(session, facility_id)
    if not by_day:
        return None
    spans = sorted(set(by_day.values()))
    mask = sum(1 << d for d in by_day)
    return {
        "days": days_label(mask),
        "span": " / ".join(f"{a}–{b}" for a, b in spans)
        if len(spans) <= 2
        else f"{spans[0][0]}–{spans[-1][1]} (요일마다 다름)",
        "today": "–".join(by_day[today.weekday()]) if today.weekday() in by_day else "휴무 (회차 없음)",
    }


def facility_extras(session: Session, info: dict, now) -> dict:
    """Everything beyond the columns the facility page shows: actions, session, notes, nearby restrooms."""
    extras = {
        "tel": tel_href(info["phone"]),
        "directions": directions(info["name"], info["lat"], info["lon"]),
        "age_text": age_text(info["age_min"], info["age_max"]),
        "fee": FacilityKind(info["kind"]).fee,
        "rows": detail_rows(info["kind"], info["details"]),
        "notes": notes(info["details"]),
        "image_url": safe_url(info["details"].get("image_url")),
        "session_text": None,
        "session_hours": None,
        "restrooms": [],
    }
    if info["bookable"]:
        live = live_places(session, [info["id"]], now).get(info["id"])  # as the cards say it: 잔여 n석, 마감, 추첨
        extras["session_text"] = live["text"] if live else NO_SESSION_TEXT
        extras["session_hours"] = hours_from_sessions(session, info["id"], now.date())
    if info["kind"] in (FacilityKind.KIDS_CAFE, FacilityKind.KIDS_OK_ZONE) and info["lat"] is not None:
        query = services.SearchQuery(
            lat=info["lat"], lon=info["lon"], radius_m=NEAR_RESTROOMS_M, kinds=[FacilityKind.FAMILY_RESTROOM], limit=3
        )
        extras["restrooms"] = services.search(session.connection(), query, today=now.date()).items
    return extras


def safe_url(url) -> str | None:
    """An http(s) URL from data, stripped; None for anything else (javascript:, data:, blanks)."""
    return url.strip() if isinstance(url, str) and url.strip().lower().startswith(("http://", "https://")) else None
