"""The finder: facilities near a point, filtered, nearest first."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache

from flask import has_app_context
from sqlalchemy import Connection, Float, bindparam, func, literal_column, or_, select, text

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
    fields = [c.key for c in LIST_COLUMNS]
    if q.lat is None or q.lon is None:
        center = district_center(conn, q.district)
        rows = [(spatial.haversine_m(*center, r.lat, r.lon), r) for r in conn.execute(*filtered(q)).all()]
        rows.sort(key=lambda pair: (pair[0], pair[1].id))
    else:
        center = (q.lat, q.lon)
        paged = _near_page(conn, q, fields)
        if paged is not None:
            total, page = paged
            today = today or datetime.now(KST).date()
            return SearchResult([to_item(r, d, today) for d, r in page], total, center)
        rows = spatial.nearby_rows(conn, *filtered(q, conn.dialect.name), q.lat, q.lon, q.radius_m)
    # Plain dicts: a Row's mapping rebuilds its keys on every access, which shows at thousands of rows.
    if q.open_at is not None:
        rows = [(d, r) for d, r in ((d, dict(zip(fields, r))) for d, r in rows) if is_open_at(r, q.open_at)]
    rows = _one_per_restroom(rows)
    page = rows[q.offset : q.offset + q.limit]
    if q.open_at is None:
        page = [(d, dict(zip(fields, r))) for d, r in page]
    today = today or datetime.now(KST).date()
    return SearchResult([to_item(r, d, today) for d, r in page], len(rows), center)


# --- Near a point: the cost follows the page, not the crowd ----------------------------------------------------------
# Both databases count the circle without reading its rows and read only the page's rows (and, rarely, the few rows
# within a hair of the edge, checked exactly). Distances, order (distance, then id) and total are those of the full
# path above, which remains for what these cannot do in SQL: opening hours (`open_at`) everywhere, and on SQLite
# any filter besides kind. Restrooms listed twice count once (_one_per_restroom): SQLite keeps them in a band of
# their own (spatial.has_twin_sql) and reads only those rows' names; PostGIS counts distinct names in SQL.


def _near_page(conn: Connection, q: SearchQuery, fields: list[str]) -> tuple[int, list] | None:
    kinds = tuple(sorted(set(q.kinds))) or tuple(spatial.KIND_BANDS)
    if q.open_at is not None or not set(kinds) <= set(spatial.KIND_BANDS):
        return None
    if conn.dialect.name == "postgresql":
        return _postgis_page(conn, q, fields)
    if q.age is not None or q.amenities or q.district:
        return None
    if not spatial.rtree_page_fits(q.lat, q.radius_m):
        return None
    return _rtree_page(conn, q, kinds, fields)


# The page's rows, read on SQLite's own connection as plain tuples (positions as in LIST_COLUMNS): a few dozen rows,
# where SQLAlchemy's statement and row handling would cost more than the read.
_ROWS_BY_IDS = "SELECT {} FROM facilities WHERE id IN (SELECT value FROM json_each(?))".format(
    ", ".join(c.key for c in LIST_COLUMNS)
)
_ID, _KIND, _NAME, _ADDRESS, _LAT, _LON = (
    [c.key for c in LIST_COLUMNS].index(k) for k in ("id", "kind", "name", "address", "lat", "lon")
)


def _rtree_page(conn: Connection, q: SearchQuery, kinds: tuple[str, ...], fields: list[str]) -> tuple[int, list]:
    need = q.offset + q.limit
    # Restrooms without a twin are one per name and address already: their band is counted like any kind's.
    found = spatial.rtree_candidates(conn, q.lat, q.lon, q.radius_m, kinds, need)
    ids, ring, total = found.near + found.ring, set(found.ring), found.inside
    if FacilityKind.FAMILY_RESTROOM in kinds:
        twins, groups = _twin_candidates(conn, q, need)
        ids += twins
        total += groups
    driver = conn.connection.driver_connection
    rows = driver.execute(_ROWS_BY_IDS, (json.dumps(list(dict.fromkeys(ids))),)).fetchall()
    rows = _exact_tuples(rows, q)
    total += sum(1 for _, r in rows if r[_ID] in ring)
    page = _one_per_restroom_tuples(rows)[q.offset : q.offset + q.limit]
    return total, [(d, dict(zip(fields, r))) for d, r in page]


def _exact_tuples(rows: list[tuple], q: SearchQuery) -> list[tuple[float, tuple]]:
    """_exact for LIST_COLUMNS tuples: haversine_m's arithmetic, step by step, with the centre's terms hoisted."""
    radians, sin, cos, asin, sqrt = math.radians, math.sin, math.cos, math.asin, math.sqrt
    p1, lon1, diameter, radius = radians(q.lat), q.lon, 2 * spatial.EARTH_RADIUS_M, q.radius_m
    cos_p1 = cos(p1)
    out = []
    for row in rows:
        p2 = radians(row[_LAT])
        a = sin((p2 - p1) / 2) ** 2 + cos_p1 * cos(p2) * sin(radians(row[_LON] - lon1) / 2) ** 2
        d = diameter * asin(sqrt(a))
        if d <= radius:
            out.append((d, row))
    out.sort(key=lambda pair: (pair[0], pair[1][_ID]))
    return out


def _one_per_restroom_tuples(rows: list) -> list:
    """_one_per_restroom for LIST_COLUMNS tuples."""
    seen, out = set(), []
    restroom = FacilityKind.FAMILY_RESTROOM.value
    for pair in rows:
        r = pair[1]
        if r[_KIND] == restroom:
            key = restroom_key(r[_ID], r[_NAME], r[_ADDRESS])
            if key in seen:
                continue
            seen.add(key)
        out.append(pair)
    return out


def _twin_candidates(conn: Connection, q: SearchQuery, need: int) -> tuple[list[int], int]:
    """Restrooms listed twice (spatial.TWIN_RESTROOMS band) within the radius: how many groups (same name and
    address) they form, counted once each as _one_per_restroom does, and the ids of the nearest row of the `need`
    nearest groups. Few rows: all are read with their name and address and measured exactly."""
    found = spatial.rtree_rows(
        conn, q.lat, q.lon, q.radius_m, (spatial.TWIN_RESTROOMS,), ("name", "address", "lat", "lon")
    )
    nearest: dict[tuple, tuple[float, int]] = {}
    for fid, _, name, address, lat, lon in found.rows:
        d = spatial.haversine_m(q.lat, q.lon, lat, lon)
        if d <= q.radius_m:
            key = restroom_key(fid, name, address)
            nearest[key] = min(nearest.get(key, (d, fid)), (d, fid))
    return [fid for _, fid in sorted(nearest.values())[:need]], len(nearest)


def _exact(rows, q: SearchQuery, fields: list[str]) -> list[tuple[float, dict]]:
    """Rows as (exact distance, dict) within the radius, nearest first (then by id), as nearby_rows orders them."""
    out = []
    for row in rows:
        r = dict(zip(fields, row))
        d = spatial.haversine_m(q.lat, q.lon, r["lat"], r["lon"])
        if d <= q.radius_m:
            out.append((d, r))
    out.sort(key=lambda pair: (pair[0], pair[1]["id"]))
    return out


# PostGIS: the GiST index finds the box (`&&`, no distance computed: geography distances cost microseconds each); the
# count is a planar distance on lat/lon within proven bounds of haversine_m, so only rows within a hair of the edge
# are checked here; the page is a KNN scan (`<->`), which computes distances only for the rows it returns.
_PG_POINT = "ST_SetSRID(ST_MakePoint(:pg_lon, :pg_lat), 4326)::geography"
_PG_BOX = text(f"facilities.geog && _ST_Expand({_PG_POINT}, :pg_box)")


@lru_cache(maxsize=256)
def _postgis_statements(kinds: tuple[str, ...], district: bool, age: bool, amenities: tuple[str, ...]):
    near = _statement(kinds, district, age, amenities, None).where(_PG_BOX)
    page = near.order_by(text(f"facilities.geog <-> {_PG_POINT}")).limit(bindparam("k"))
    dlat, dlon = F.lat - bindparam("pg_lat", type_=Float), F.lon - bindparam("pg_lon", type_=Float)
    q = dlat * dlat * bindparam("ky2", type_=Float) + dlon * dlon * bindparam("kx2", type_=Float)
    inner = q <= bindparam("in2")
    ring = (q > bindparam("in2")) & (q <= bindparam("out2"))
    columns = [func.count().filter(inner), func.array_agg(F.id).filter(ring)]
    if FacilityKind.FAMILY_RESTROOM in (kinds or spatial.KIND_BANDS):
        # Restrooms listed twice count once (_one_per_restroom): how many inner rows a twin makes redundant.
        restroom = inner & (F.kind == FacilityKind.FAMILY_RESTROOM.value)
        key = literal_column("(facilities.name, coalesce(nullif(facilities.address, ''), '#' || facilities.id))")
        columns.append(func.count().filter(restroom) - func.count(key.distinct()).filter(restroom))
    else:
        columns.append(literal_column("0"))
    by_ids = _statement((), False, False, (), None).where(F.id == func.any(bindparam("ids")))
    return page, near.with_only_columns(*columns), by_ids


def _postgis_page(conn: Connection, q: SearchQuery, fields: list[str]) -> tuple[int, list] | None:
    page_stmt, count_stmt, by_ids = _postgis_statements(
        tuple(sorted(set(q.kinds))), bool(q.district), q.age is not None, tuple(sorted(q.amenities))
    )
    bounds = spatial.planar_bounds(q.lat, q.radius_m)
    inner, outer = max(0.0, (q.radius_m - bounds.abs_m) / (1 + bounds.rel)), bounds.reach(q.radius_m)
    params = {
        **filtered(q)[1],
        **spatial.planar_scales(q.lat),
        "pg_lat": q.lat,
        "pg_lon": q.lon,
        # PostGIS's sphere is 5e-9 smaller than haversine_m's: its box around radius_m holds every row within it.
        "pg_box": q.radius_m * (1 + 1e-6),
        "in2": inner * inner,
        "out2": outer * outer,
    }
    inside, ring_ids, twins = conn.execute(count_stmt, params).one()
    total = inside - twins
    if ring_ids:
        ring = _exact(conn.execute(by_ids, {"ids": ring_ids}).all(), q, fields)
        if any(r["kind"] == FacilityKind.FAMILY_RESTROOM for _, r in ring):
            return None  # a restroom at the very edge might be a twin of one inside: let the full path decide
        total += len(ring)
    need, k = q.offset + q.limit, q.offset + q.limit + 1
    while True:
        fetched = conn.execute(page_stmt, {**params, "k": k}).all()
        rows = _one_per_restroom(_exact(fetched, q, fields))
        if len(fetched) < k:
            return total, rows[q.offset : q.offset + q.limit]
        if len(rows) >= need:
            # Rows not fetched lie at least as far (by PostGIS's sphere) as the last one fetched: the page is complete
            # when that is clearly beyond its last row.
            last = fetched[-1]
            beyond = spatial.haversine_m(q.lat, q.lon, last.lat, last.lon)
            if beyond * (1 - 1e-7) - 1e-6 > rows[need - 1][0]:
                return total, rows[q.offset : q.offset + q.limit]
        k *= 4


def restroom_key(facility_id: int, name: str, address: str | None) -> tuple[str, str]:
    """What makes two restrooms the same place, shown once: name and address (name and '#id' without an address).
    SQLite's R*Tree keeps the same rule in SQL (spatial.has_twin_sql)."""
    return (name, address or f"#{facility_id}")


def _one_per_restroom(rows: list) -> list:
    """Restrooms listed twice (same name and address, e.g. a station's two entries) kept once, the nearest."""
    seen, out = set(), []
    for d, r in rows:
        get = r.get if isinstance(r, dict) else r._mapping.get
        if get("kind") == FacilityKind.FAMILY_RESTROOM:
            key = restroom_key(get("id"), get("name"), get("address"))
            if key in seen:
                continue
            seen.add(key)
        out.append((d, r))
    return out


def filter_choices(conn: Connection) -> tuple[list[str], list[str]]:
    """The kinds and amenities some located facility has: a filter without data is not offered.

    One EXISTS per kind and amenity, each a seek in its partial index (models.Facility: ix_facilities_located_kind,
    ix_facilities_has_*), whose WHERE these conditions repeat word for word (SQLite uses a partial index only then).
    """
    kinds, amenities = FacilityKind.values(), list(AMENITIES)
    tests = [f"EXISTS (SELECT 1 FROM facilities WHERE kind = :k{i} AND lon IS NOT NULL)" for i in range(len(kinds))]
    tests += [f"EXISTS (SELECT 1 FROM facilities WHERE {a} AND lon IS NOT NULL)" for a in amenities]
    found = conn.execute(text("SELECT " + ", ".join(tests)), {f"k{i}": k for i, k in enumerate(kinds)}).one()
    return [k for k, n in zip(kinds, found) if n], [a for a, n in zip(amenities, found[len(kinds) :]) if n]


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
    # A seek in the partial index ix_facilities_demo (empty when no demo rows), whose WHERE this repeats.
    return bool(db.session.execute(text("SELECT EXISTS (SELECT 1 FROM facilities WHERE is_demo)")).scalar())


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
