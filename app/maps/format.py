"""Small display formats shared by the map popups and the result list."""

from __future__ import annotations

from urllib.parse import quote, urlencode


def distance_text(metres: float | None) -> str:
    """A distance for people: "350m" below 1 km, "1.2km" above; empty when unknown."""
    if metres is None:
        return ""
    if metres < 1000:
        return f"{round(metres / 10) * 10:.0f}m"
    return f"{metres / 1000:.1f}km"


# 길찾기 by name and coordinates; the browser builds the same links for popups from these prefixes.
KAKAO_ROUTE = "https://map.kakao.com/link/to/"
NAVER_ROUTE = "https://map.naver.com/index.nhn?menu=route&"


def age_text(age_min: int | None, age_max: int | None) -> str | None:
    """ "0~7세", "3세 이상", or None when the data has no ages."""
    if age_min is None and age_max is None:
        return None
    if age_max is None:
        return f"{age_min}세 이상"
    return f"{age_min or 0}~{age_max}세"


def directions(name: str, lat: float | None, lon: float | None) -> list[dict]:
    """Kakao Map and Naver Map route links to a facility (none without coordinates)."""
    if lat is None or lon is None:
        return []
    kakao = KAKAO_ROUTE + quote(f"{name.replace(',', ' ')},{lat},{lon}", safe=",")
    naver = NAVER_ROUTE + urlencode({"elat": lat, "elng": lon, "etext": name})
    return [{"label": "카카오 길찾기", "url": kakao}, {"label": "네이버 길찾기", "url": naver}]


def tel_href(phone: str | None) -> str | None:
    """A tel: link for a phone number (digits, + and - only), None when there is none."""
    digits = "".join(ch for ch in phone or "" if ch.isdigit() or ch in "+-")
    return f"tel:{digits}" if sum(ch.isdigit() for ch in digits) >= 7 else None
