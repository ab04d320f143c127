"""Deterministic demo facilities at random points inside the district polygons (bulk Core inserts)."""

from __future__ import annotations

import numpy as np
import shapely
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from app.facilities.choices import FacilityKind
from app.facilities.models import Facility, FacilityFlag
from app.geo.districts import BUNDLED_DISTRICTS, read_district_features
from app.imports.districts import load_districts
from app.imports.parsing import ALL_DAYS, UNKNOWN_HOURS, WEEKDAYS
from app.timeutil import utcnow

CHUNK = 5000
NAME_PREFIX = {
    FacilityKind.KIDS_CAFE: "데모 키즈카페",
    FacilityKind.HOURLY_DAYCARE: "데모 시간제보육 어린이집",
    FacilityKind.KIDS_OK_ZONE: "데모 키즈오케이존",
    FacilityKind.FAMILY_RESTROOM: "데모 가족화장실",
}
TUE_SUN = ALL_DAYS & ~1
CAFE_AGES = ((0, 6), (3, 9), (4, 10), (0, 3), (2, 7))
ZONE_TYPES = ("한식", "양식", "중식", "일식", "카페", "제과", "패스트푸드")


def random_points(features: list[dict], count: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, list]:
    """count points spread over the districts by area, each inside its polygon; returns lat, lon, codes."""
    areas = np.array([f["geometry"].area for f in features])
    per = rng.multinomial(count, areas / areas.sum())
    lats, lons, codes = [], [], []
    for feature, n in zip(features, per):
        geom = feature["geometry"]
        shapely.prepare(geom)
        minx, miny, maxx, maxy = geom.bounds
        got_x, got_y = np.empty(0), np.empty(0)
        while len(got_x) < n:
            # Rejection sampling in the bounding box; districts fill about half of it.
            x = rng.uniform(minx, maxx, 3 * (n - len(got_x)) + 10)
            y = rng.uniform(miny, maxy, len(x))
            inside = shapely.contains_xy(geom, x, y)
            got_x, got_y = np.concatenate([got_x, x[inside]]), np.concatenate([got_y, y[inside]])
        lons.append(np.round(got_x[:n], 6))
        lats.append(np.round(got_y[:n], 6))
        codes += [feature["code"]] * int(n)
    return np.concatenate(lats), np.concatenate(lons), codes


# Every demo row starts from these: unknown hours and ages, no amenities unless drawn below, marked as demo.
DEMO_DEFAULTS = {
    **UNKNOWN_HOURS,
    **dict.fromkeys(("phone", "age_min", "age_max", "capacity_individual", "capacity_group")),
    **dict.fromkeys(("diaper_table", "kids_menu", "child_chair", "nursing_room"), False),
    "source": "demo",
    "source_hash": "demo",
    "details": {"demo": True},
    "is_demo": True,
}


def _row(
    i: int, kind: FacilityKind, number: int, lat: float, lon: float, code: str, name: str, r: np.ndarray, now
) -> dict:
    row = {
        **DEMO_DEFAULTS,
        "kind": kind.value,
        "source_id": f"demo-{i}",
        "name": f"{NAME_PREFIX[kind]} {number}",
        "address": f"서울특별시 {name} 데모로 {number}",
        "district_code": code,
        "stated_district": name,
        "lat": float(lat),
        "lon": float(lon),
        "stroller_access": bool(r[0] < 0.5),
        "parking": bool(r[1] < 0.4),
        "created_at": now,
        "updated_at": now,
    }
    if kind == FacilityKind.KIDS_CAFE:
        age_min, age_max = CAFE_AGES[int(r[2] * len(CAFE_AGES))]
        cap = 10 + int(r[3] * 40)
        row.update(
            age_min=age_min,
            age_max=age_max,
            capacity_individual=cap,
            capacity_group=cap if r[4] < 0.6 else None,
            open_days=TUE_SUN,
            opens_at="09:30",
            closes_at="17:30",
            closed_on_holidays=True,
            days_text="화~일",
            closed_days_text="월, 공휴일",
            diaper_table=bool(r[5] < 0.7),
            nursing_room=bool(r[6] < 0.5),
            details={"demo": True, "cafe_type": "일반형 키즈카페"},
        )
    elif kind == FacilityKind.HOURLY_DAYCARE:
        row.update(
            age_min=0,
            age_max=7,
            open_days=WEEKDAYS,
            opens_at="07:30",
            closes_at="19:30",
            closed_on_holidays=True,
            diaper_table=True,
            details={"demo": True, "capacity": 20 + int(r[3] * 60)},
        )
    elif kind == FacilityKind.KIDS_OK_ZONE:
        opens = 10 + int(r[2] * 2)
        row.update(
            kids_menu=True,
            child_chair=True,
            opens_at=f"{opens:02d}:00",
            closes_at="21:00",
            details={"demo": True, "category": ZONE_TYPES[int(r[3] * len(ZONE_TYPES))]},
        )
    else:
        always = r[2] < 0.4
        row.update(
            always_open=bool(always),
            opens_at=None if always else "06:00",
            closes_at=None if always else "22:00",
            diaper_table=True,
            child_chair=bool(r[3] < 0.6),
            nursing_room=bool(r[4] < 0.2),
            hours_text="상시" if always else "정시(06:00~22:00)",
        )
    return row


def district_codes(features: list[dict], lats: np.ndarray, lons: np.ndarray) -> list:
    """The district code of each point (None outside every district)."""
    codes = np.full(len(lats), None, dtype=object)
    for feature in features:
        inside = shapely.contains_xy(feature["geometry"], lons, lats) & (codes == None)  # noqa: E711
        codes[inside] = feature["code"]
    return list(codes)


def insert_demo(
    session: Session, count: int, seed: int, now=None, points: tuple[np.ndarray, np.ndarray] | None = None
) -> int:
    """Replace earlier demo rows with count deterministic facilities of all four kinds; returns how many.

    `points` (lats, lons) places them there instead of spreading them over the districts by area.
    """
    now = now or utcnow()
    load_districts(session)
    demo_ids = select(Facility.id).where(Facility.is_demo.is_(True))
    session.execute(delete(FacilityFlag).where(FacilityFlag.facility_id.in_(demo_ids)))
    session.execute(delete(Facility).where(Facility.is_demo.is_(True)))
    features = read_district_features(BUNDLED_DISTRICTS)
    names = {f["code"]: f["name"] for f in features}
    rng = np.random.default_rng(seed)
    if points is None:
        lats, lons, codes = random_points(features, count, rng)
    else:
        lats, lons = points
        count = len(lats)
        codes = district_codes(features, lats, lons)
    order = rng.permutation(count)
    kinds = rng.choice(len(FacilityKind), size=count, p=[0.3, 0.2, 0.3, 0.2])
    randoms = rng.random((count, 7))
    numbers = {k: 0 for k in FacilityKind}
    batch: list[dict] = []
    members = list(FacilityKind)
    for i in range(count):
        kind = members[int(kinds[i])]
        numbers[kind] += 1
        j = int(order[i])
        code = codes[j]
        batch.append(_row(i + 1, kind, numbers[kind], lats[j], lons[j], code, names.get(code), randoms[i], now))
        if len(batch) == CHUNK:
            session.execute(insert(Facility.__table__), batch)
            batch = []
    if batch:
        session.execute(insert(Facility.__table__), batch)
    session.flush()
    return count
