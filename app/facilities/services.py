"""The finder: facilities near a point, filtered, nearest first."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache

from flask import has_app_context
from sqlalchemy import Connection, Integer, bindparam, cast, exists, func, or_, select

from app.extensions import db
from app.facilities.choices import BOOKABLE_KINDS, FacilityKind
from app.facilities.hours import hours_on, is_open_at
from app.facilities.models import AMENITIES, District, Facility
from app.geo import spatial
from app.timeutil import KST

F = Facility.__table__.c
LIST_COLUMNS = [
    F.id,
    F.kind,
    F.name,
    F.address,
    F.district_code,
    F.lat,
    F.lon,
    F.phone,
    F.age_min,
    F.age_max,
    F.open_days,
    F.opens_at,
    F.closes_at,
    F.always_open,
    F.closed_on_holidays,
    F.is_demo,
    *[F[a] for a in AMENITIES],
]
HOURS_KEYS = ("open_days", "opens_at", "closes_at", "always_open", "closed_on_holidays")


@dataclass
class SearchQuery:
    """What a parent asked for. lat/lon may be None when searching a whole district."""

    lat: float | None = None
    lon: float | None = None
    radius_m: float = 1000
    kinds: list[str] = field(default_factory=list)
    age: int | None = None
    open_at: datetime | None = None
    amenities: list[str] = field(default_factory=list)
    district: str | None = None
    limit: int = 50
    offset: int = 0


@dataclass
class SearchResult:
    items: list[dict]
    total: int
    center: tuple[float, float]


def filtered(q: SearchQuery, dialect_name: str | None = None):
    """The select for a query's filters, with the spatial narrowing when a dialect is given.

    Returns (statement, parameters). The statement depends only on the query's shape (which
    filters are set), so it is built once per shape and reused.
    """
    kinds = tuple(sorted(set(q.kinds)))
    return _statement(kinds, bool(q.district), q.age is not None, tuple(sorted(q.amenities)), dialect_name), {
        "kinds": q.kinds,
        "district": q.district,
        "age": q.age,
    }


@lru_cache(maxsize=256)
def _statement(kinds: tuple[str, ...], district: bool, age: bool, amenities: tuple[str, ...], near_dialect: str | None):
    stmt = select(*LIST_COLUMNS).where(F.lat.is_not(None))
    if kinds:
        stmt = stmt.where(F.kind.in_(bindparam("kinds", expanding=True)))
    if district:
        stmt = stmt.where(F.district_code == bindparam("district"))
    if age:
        stmt = stmt.where(or_(F.age_min.is_(None), F.age_min <= bindparam("age")))
        stmt = stmt.where(or_(F.age_max.is_(None), F.age_max >= bindparam("age")))
    for amenity in amenities:
        stmt = stmt.where(F[amenity].is_(True))
    if near_dialect:
        stmt = stmt.where(spatial.within_clause(near_dialect, F.id, kinds))
    return stmt


def search(conn: Connection, q: SearchQuery, today: date | None = None) -> SearchResult:
    """Facilities matching the query, nearest first, with a page of items and the total."""
    if q.lat is None or q.lon is None:
        center = district_center(conn, q.district)
        rows = [(spatial.haversine_m(*center, r.lat, r.lon), r) for r in conn.execute(*filtered(q)).all()]
        rows.sort(key=lambda pair: (pair[0], pair[1].id))
    else:
        center = (q.lat, q.lon)
        rows = spatial.nearby_rows(conn, *filtered(q, conn.dialect.name), q.lat, q.lon, q.radius_m)
    # Plain dicts: a Row's mapping rebuilds its keys on every access, which shows at thousands of rows.
    fields = [c.key for c in LIST_COLUMNS]
    if q.open_at is not None:
        rows = [(d, r) for d, r in ((d, dict(zip(fields, r))) for d, r in rows) if is_open_at(r, q.open_at)]
    rows = _one_per_restroom(rows)
    page = rows[q.offset : q.offset + q.limit]
    if q.open_at is None:
        page = [(d, dict(zip(fields, r))) for d, r in page]
    today = today or datetime.now(KST).date()
    return SearchResult([to_item(r, d, today) for d, r in page], len(rows), center)


def _one_per_restroom(rows: list) -> list:
    """Restrooms listed twice (same name and address, e.g. a station's two entries) kept once, the nearest."""
    seen, out = set(), []
    for d, r in rows:
        get = r.get if isinstance(r, dict) else r._mapping.get
        if get("kind") == FacilityKind.FAMILY_RESTROOM:
            key = (get("name"), get("address") or f"#{get('id')}")
            if key in seen:
                continue
            seen.add(key)
        out.append((d, r))
    return out


def filter_choices(conn: Connection) -> tuple[list[str], list[str]]:
    """The kinds and amenities some located facility has: a filter without data is not offered."""
    kinds = {k for (k,) in conn.execute(select(F.kind).where(F.lat.is_not(None)).distinct())}
    has = conn.execute(select(*[func.max(cast(F[a], Integer)) for a in AMENITIES]).where(F.lat.is_not(None))).one()
    return [k for k in FacilityKind.values() if k in kinds], [a for a, n in zip(AMENITIES, has) if n]


def to_item(row, distance_m: float | None, today: date) -> dict:
    """A facility (a dict of LIST_COLUMNS) as an API list item."""
    return {
        "id": row["id"],
        "kind": row["kind"],
        "name": row["name"],
        "address": row["address"],
        "district": row["district_code"],
        "lat": row["lat"],
        "lon": row["lon"],
        "distance_m": None if distance_m is None else round(distance_m, 1),
        "phone": row["phone"],
        "age_min": row["age_min"],
        "age_max": row["age_max"],
        "amenities": [a for a in AMENITIES if row[a]],
        "hours_today": hours_on(row, today),
        "bookable": row["kind"] in BOOKABLE_KINDS,
        "demo": bool(row["is_demo"]),
    }


def district_center(conn: Connection, code: str | None) -> tuple[float, float]:
    """A district's representative point; Seoul City Hall when no district is given."""
    if code:
        row = conn.execute(select(District.center_lat, District.center_lon).where(District.code == code)).first()
        if row:
            return row[0], row[1]
    return 37.5663, 126.9779


def district_counts(conn: Connection) -> list[dict]:
    """Every district with its facility count per kind."""
    counts: dict[str, dict[str, int]] = {}
    for code, kind, n in conn.execute(select(F.district_code, F.kind, func.count()).group_by(F.district_code, F.kind)):
        counts.setdefault(code, {})[kind] = n
    out = []
    for d in conn.execute(
        select(District.code, District.name, District.name_en, District.center_lat, District.center_lon).order_by(
            District.code
        )
    ):
        out.append(
            {
                "code": d.code,
                "name": d.name,
                "name_en": d.name_en,
                "lat": d.center_lat,
                "lon": d.center_lon,
                "counts": counts.get(d.code, {}),
            }
        )
    return out


def data_is_demo() -> bool:
    """Whether the facilities on show are generated demo data."""
    if not has_app_context():
        return False
    return bool(db.session.execute(select(exists().where(F.is_demo.is_(True)))).scalar())


def get_facility(facility_id: int) -> Facility | None:
    """One facility by id."""
    return db.session.get(Facility, facility_id)


def facility_detail(f: Facility, today: date) -> dict:
    """Everything the facility page and API show about one facility."""
    from app.facilities.hours import days_label

    hours = {k: getattr(f, k) for k in HOURS_KEYS}
    return {
        "id": f.id,
        "kind": f.kind,
        "kind_label": f.kind_label,
        "name": f.name,
        "address": f.address,
        "phone": f.phone,
        "district": f.district_code,
        "district_name": f.district.name if f.district else None,
        "lat": f.lat,
        "lon": f.lon,
        "age_min": f.age_min,
        "age_max": f.age_max,
        "capacity_individual": f.capacity_individual,
        "capacity_group": f.capacity_group,
        "open_days": days_label(f.open_days),
        "opens_at": f.opens_at,
        "closes_at": f.closes_at,
        "always_open": f.always_open,
        "closed_on_holidays": f.closed_on_holidays,
        "hours_today": hours_on(hours, today),
        "hours_text": f.hours_text,
        "days_text": f.days_text,
        "closed_days_text": f.closed_days_text,
        "amenities": f.amenities,
        "bookable": f.bookable,
        "details": f.details or {},
        "flags": [{"reason": fl.reason, "detail": fl.detail, "status": fl.status} for fl in f.flags],
        "source": f.source,
        "demo": f.is_demo,
    }
