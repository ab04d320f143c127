"""The search page's request handling: form values → SearchQuery → results, map and list.

The form shares the API's parameter parsing (app.facilities.search.parse_search) and adds what a
page needs: a place text resolved on the server, a default view, and values to fill the form back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
from sqlalchemy import Connection
from werkzeug.datastructures import MultiDict

from app.errors import ApiError
from app.facilities.choices import VISIT_KINDS, FacilityKind
from app.facilities.models import AMENITIES
from app.facilities.places import find_places
from app.facilities.search import parse_search
from app.finder.facts import safe_url
from app.finder.points import Ranked, items_for, rank
from app.geo.districts import bundled_index
from app.maps.builder import Markers
from app.maps.format import distance_text

CITY_HALL = (37.5663, 126.9779)
DEFAULT_RADIUS_M = 2000
RADIUS_CHOICES = (500, 1000, 2000, 5000, 10000, 20000)
MAP_LIMIT = 5000  # markers on the map (clustered); the list shows the nearest LIST_LIMIT
LIST_LIMIT = 50
PLACE_MAX_CHARS = 100


@dataclass
class FinderPage:
    """What the search page shows."""

    form: dict
    where: str
    # How far the search reached (None: a district search or a refused one) and the district searched.
    radius_m: float | None
    district: str | None
    # Every match nearest first (the map shows the first MAP_LIMIT), and the listed page as full items.
    ranked: Ranked = field(default_factory=lambda: Ranked(Markers.empty(), np.zeros(0), CITY_HALL))
    listed: list[dict] = field(default_factory=list)
    # Other places the words could mean ("다른 곳을 찾으셨나요?").
    alternatives: list[dict] = field(default_factory=list)
    # A refused search: the message, and the page answers 400.
    error: str | None = None
    list_page: int = 1

    @property
    def total(self) -> int:
        return len(self.ranked)

    @property
    def center(self) -> tuple[float, float]:
        return self.ranked.center

    @property
    def on_map(self) -> Markers:
        return self.ranked.markers[:MAP_LIMIT]

    @property
    def status(self) -> int:
        return 400 if self.error else 200

    @property
    def list_start(self) -> int:
        """The rank (1-based) of the first listed facility."""
        return (self.list_page - 1) * LIST_LIMIT + 1

    @property
    def list_pages(self) -> int:
        """Pages of the list (the map shows every result; the list shows LIST_LIMIT a page)."""
        return max(1, -(-len(self.on_map) // LIST_LIMIT))

    @property
    def distance_from(self) -> str:
        """Where the distances are measured from, in words (a district search has no point of its own)."""
        if self.district:
            return f"{bundled_index().names.get(self.district, self.district)} 중심"
        return self.where

    @property
    def filter_summary(self) -> str:
        """The chosen conditions in a few words, shown while the filter box is closed."""
        f = self.form
        visits = [k for k in f["kinds"] if k != FacilityKind.FAMILY_RESTROOM]
        restrooms = FacilityKind.FAMILY_RESTROOM in f["kinds"]
        if restrooms and not visits:
            parts = ["화장실만"]  # not "종류 0개 · 화장실 포함" (short: the summary shares a phone-width line)
        else:
            parts = ["가볼 곳 모두" if set(visits) >= set(VISIT_KINDS) else f"종류 {len(visits)}개"]
            if restrooms:
                parts.append("화장실 포함")
        if self.radius_m is not None and _is_number(f["radius_m"]):
            parts.append(f"반경 {distance_text(float(f['radius_m']))}")
        if f["age"]:
            parts.append(f"{f['age']}세")
        if f["amenities"]:
            parts.append(f"편의시설 {len(f['amenities'])}개")
        if f["open_now"]:
            parts.append("지금 열림")
        return " · ".join(parts)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def district_choices() -> list[tuple[str, str]]:
    """(code, name) for the 25 districts, in Korean alphabetical order."""
    return sorted(bundled_index().names.items(), key=lambda pair: pair[1])


def _form_values(args) -> dict:
    kinds = [k for raw in args.getlist("kind") for k in raw.split(",") if k in FacilityKind.values()]
    return {
        "q": (args.get("q") or "").strip()[:PLACE_MAX_CHARS],
        "lat": args.get("lat", ""),
        "lon": args.get("lon", ""),
        "place": (args.get("place") or "")[:PLACE_MAX_CHARS],
        "district": args.get("district", ""),
        "kinds": kinds or [k.value for k in VISIT_KINDS],
        "age": args.get("age", ""),
        "amenities": [a for raw in args.getlist("amenity") for a in raw.split(",") if a in AMENITIES],
        "open_now": args.get("open_at") == "now",
        "radius_m": args.get("radius_m") or str(DEFAULT_RADIUS_M),
    }


def _where_label(form: dict, district: str | None, has_point: bool, resolved: dict | None, default: bool) -> str:
    if default:
        return "서울시청 주변"
    if resolved is not None:
        return resolved["label"]
    if has_point:
        return form["place"] or "지정한 위치"
    if district:
        return f"{bundled_index().names.get(district, district)} 전체"
    return "서울시청 주변"


def run_finder(conn: Connection, args, now: datetime) -> FinderPage:
    """Parse the form, resolve a place text, search, and say what was searched."""
    form = _form_values(args)
    params = MultiDict(
        [(k, v) for k, v in args.items(multi=True) if k not in ("q", "place", "limit", "offset", "list_page")]
    )
    for key in ("lat", "lon", "district", "age", "open_at", "radius_m"):
        if not (params.get(key) or "").strip():
            params.pop(key, None)
    params.setdefault("radius_m", str(DEFAULT_RADIUS_M))
    if not params.getlist("kind"):  # places to visit; restrooms are a layer a parent switches on
        params.setlist("kind", [k.value for k in VISIT_KINDS])
    has_point = "lat" in params or "lon" in params
    resolved, alternatives, default = None, [], False
    if form["q"] and not has_point:
        candidates = find_places(conn, form["q"])
        if not candidates:
            return FinderPage(
                form,
                form["q"],
                radius_m=None,
                district=None,
                error=f"'{form['q']}'에 맞는 장소를 찾지 못했습니다. "
                "자치구(예: 강남구), 동(예: 합정동)이나 도로명(예: 세종대로)으로 찾아 보세요.",
            )
        resolved, alternatives = candidates[0], candidates[1:6]
        if resolved["type"] == "district" and "district" not in params:
            params["district"] = resolved["district"]
        else:
            params["lat"], params["lon"] = str(resolved["lat"]), str(resolved["lon"])
            has_point = True
    elif not has_point and "district" not in params:
        params["lat"], params["lon"] = str(CITY_HALL[0]), str(CITY_HALL[1])
        has_point = default = True
    try:
        query = parse_search(params)
    except ApiError as error:
        # A bad point would fail again on the next submit: drop it, keep the other choices.
        form.update(lat="", lon="", place="")
        return FinderPage(form, "", radius_m=None, district=None, error=error.message)
    ranked = rank(conn, query)
    page = FinderPage(
        form=form,
        where=_where_label(form, query.district, has_point, resolved, default),
        ranked=ranked,
        radius_m=query.radius_m if has_point else None,
        district=None if has_point else query.district,
        alternatives=alternatives,
    )
    list_page = args.get("list_page", "1")
    page.list_page = min(int(list_page), page.list_pages) if list_page.isdigit() and int(list_page) > 0 else 1
    page.listed = items_for(conn, ranked.page(page.list_start - 1, page.list_start - 1 + LIST_LIMIT), now.date())
    return page


# The city's own booking page (reserve_url) is left out: booking happens here, and two booking links
# would leave a parent unsure which booking is real. The city's facility page stays as information.
SOURCE_LINK_LABELS = {
    "detail_url": "시설 안내 (서울시 누리집)",
    "image_url": "시설 사진 (서울시 누리집)",
    "homepage": "홈페이지",
    "source_url": "데이터 출처",
}


def source_links(details: dict) -> list[dict]:
    """Links from a facility's details that are safe to show (http/https only), one per address."""
    out, seen = [], set()
    for key, label in SOURCE_LINK_LABELS.items():
        url = safe_url(details.get(key))
        if url and url not in seen:
            seen.add(url)
            out.append({"label": label, "url": url})
    return out
