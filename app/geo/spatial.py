"""The spatial index behind "near me": SQLite R*Tree or PostGIS GiST, one interface.

SQLite: a virtual R*Tree table ``facility_rtree`` kept in step with ``facilities`` by triggers.
PostgreSQL: a stored generated ``geog`` column with a GiST index.
Both narrow the search to a small candidate set; exact distances are then computed here, the
same way on both databases, so results do not depend on the backend.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import geoalchemy2  # noqa: F401  (registers PostGIS types, so reflecting `geog` works)
from sqlalchemy import Connection, Float, bindparam, column, select, table, text, union_all
from sqlalchemy.sql.elements import ColumnElement

EARTH_RADIUS_M = 6_371_008.8
METRES_PER_DEGREE_LAT = 111_320.0

# SQLite: each kind lives in its own latitude band of the R*Tree (lat + KIND_BAND_DEG * band), so
# "kids cafés in this box" reads only kids cafés' entries and looks up a quarter of the rows a shared
# tree would (1 km, one kind, 100k facilities: 0.4 ms of SQL instead of 1.2 ms).
KIND_BAND_DEG = 100.0
# The bands are stored in the index (migration 0007 froze the same table), so they are written out here rather
# than derived from the facilities package's list of kinds (which sits above geo); tests/geo check they match.
KIND_BANDS = {"kids_cafe": 0, "hourly_daycare": 1, "kids_ok_zone": 2, "family_restroom": 3}
_BAND = (
    "(CASE {kind} "
    + " ".join(f"WHEN '{k}' THEN {b * KIND_BAND_DEG}" for k, b in KIND_BANDS.items())
    + f" ELSE {len(KIND_BANDS) * KIND_BAND_DEG} END)"
)
_ENTRY = (
    "{p}.id, {p}.lat + "
    + _BAND.format(kind="{p}.kind")
    + ", {p}.lat + "
    + _BAND.format(kind="{p}.kind")
    + ", {p}.lon, {p}.lon"
)

# The live definition (the test databases and create_all use it). Migrations carry their own copy: a change here
# needs a migration making the same change, or tests/test_migrations.py fails.
_SQLITE_DDL = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS facility_rtree USING rtree(id, min_lat, max_lat, min_lon, max_lon)",
    f"""CREATE TRIGGER IF NOT EXISTS facility_rtree_insert AFTER INSERT ON facilities
       WHEN NEW.lat IS NOT NULL BEGIN
         INSERT OR REPLACE INTO facility_rtree VALUES ({_ENTRY.format(p="NEW")});
       END""",
    f"""CREATE TRIGGER IF NOT EXISTS facility_rtree_update AFTER UPDATE OF lat, lon, kind ON facilities BEGIN
         DELETE FROM facility_rtree WHERE id = OLD.id;
         INSERT INTO facility_rtree SELECT {_ENTRY.format(p="NEW")} WHERE NEW.lat IS NOT NULL;
       END""",
    """CREATE TRIGGER IF NOT EXISTS facility_rtree_delete AFTER DELETE ON facilities BEGIN
         DELETE FROM facility_rtree WHERE id = OLD.id;
       END""",
    f"""INSERT INTO facility_rtree SELECT {_ENTRY.format(p="f")} FROM facilities f
       WHERE f.lat IS NOT NULL AND f.id NOT IN (SELECT id FROM facility_rtree)""",
]
_POSTGRES_DDL = [
    "CREATE EXTENSION IF NOT EXISTS postgis",
    """ALTER TABLE facilities ADD COLUMN IF NOT EXISTS geog geography(Point, 4326)
       GENERATED ALWAYS AS (CASE WHEN lat IS NULL THEN NULL
                                 ELSE ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography END) STORED""",
    "CREATE INDEX IF NOT EXISTS ix_facilities_geog ON facilities USING gist (geog)",
]
_SQLITE_DROP = ["DROP TABLE IF EXISTS facility_rtree"] + [
    f"DROP TRIGGER IF EXISTS facility_rtree_{op}" for op in ("insert", "update", "delete")
]
_POSTGRES_DROP = [
    "DROP INDEX IF EXISTS ix_facilities_geog",
    "ALTER TABLE IF EXISTS facilities DROP COLUMN IF EXISTS geog",
]

# Names the migrations' autogenerate must leave alone: they are managed here.
MANAGED_NAMES = ("facility_rtree", "geog", "ix_facilities_geog")


def install(connection: Connection) -> None:
    """Create the spatial index for the connection's database (idempotent)."""
    ddl = _POSTGRES_DDL if connection.dialect.name == "postgresql" else _SQLITE_DDL
    for statement in ddl:
        connection.exec_driver_sql(statement)


def uninstall(connection: Connection) -> None:
    """Remove the spatial index (idempotent)."""
    ddl = _POSTGRES_DROP if connection.dialect.name == "postgresql" else _SQLITE_DROP
    for statement in ddl:
        connection.exec_driver_sql(statement)


def is_managed(name: str | None) -> bool:
    """Whether a table, column or index name belongs to the spatial index."""
    return bool(name) and name.startswith(MANAGED_NAMES)


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


@dataclass(frozen=True)
class BBox:
    min_lat: float
    max_lat: float
    min_lon: float
    max_lon: float


def bbox_around(lat: float, lon: float, radius_m: float) -> BBox:
    """A lat/lon box that contains the circle of radius_m around the point."""
    dlat = radius_m / METRES_PER_DEGREE_LAT
    dlon = radius_m / (METRES_PER_DEGREE_LAT * max(math.cos(math.radians(lat)), 1e-6))
    return BBox(lat - dlat, lat + dlat, lon - dlon, lon + dlon)


_rtree = table(
    "facility_rtree", column("id"), column("min_lat"), column("max_lat"), column("min_lon"), column("max_lon")
)


def within_clause(dialect_name: str, id_col, kinds: tuple[str, ...] = ()) -> ColumnElement:
    """An indexed WHERE clause that keeps (a superset of) the facilities of `kinds` (all when empty)
    within a radius.

    Its values are bind parameters, filled by ``within_params``: callers can build the
    statement once and reuse it, which spares SQLAlchemy rebuilding and re-keying it per query.
    """
    if dialect_name == "postgresql":
        return text(
            "ST_DWithin(facilities.geog, ST_SetSRID(ST_MakePoint(:wc_lon, :wc_lat), 4326)::geography, :wc_r, false)"
        )

    def bound(name: str, shift: float = 0.0):
        return bindparam(name, type_=Float) + shift if shift else bindparam(name, type_=Float)

    boxes = []
    for kind in kinds or KIND_BANDS:
        shift = KIND_BANDS[kind] * KIND_BAND_DEG
        boxes.append(
            select(_rtree.c.id)
            .where(_rtree.c.min_lat <= bound("wc_max_lat", shift), _rtree.c.max_lat >= bound("wc_min_lat", shift))
            .where(_rtree.c.min_lon <= bound("wc_max_lon"), _rtree.c.max_lon >= bound("wc_min_lon"))
        )
    return id_col.in_(boxes[0] if len(boxes) == 1 else union_all(*boxes))


def within_params(lat: float, lon: float, radius_m: float) -> dict[str, float]:
    """The bind parameters of ``within_clause`` for a circle (both dialects)."""
    box = bbox_around(lat, lon, radius_m)
    # 1 % margin on PostGIS: its sphere and the exact filter here may differ by a hair.
    return {
        "wc_lat": lat,
        "wc_lon": lon,
        "wc_r": radius_m * 1.01,
        "wc_min_lat": box.min_lat,
        "wc_max_lat": box.max_lat,
        "wc_min_lon": box.min_lon,
        "wc_max_lon": box.max_lon,
    }


def nearby_rows(
    connection: Connection,
    narrowed,
    params: dict,
    lat: float,
    lon: float,
    radius_m: float,
    keys: tuple[str, str, str] = ("id", "lat", "lon"),
):
    """Run a statement that includes ``within_clause``; return (distance_m, row) within radius_m, nearest first.

    ``keys`` name the id, latitude and longitude columns of the statement's rows.
    """
    rows = connection.execute(narrowed, {**params, **within_params(lat, lon, radius_m)}).all()
    # Positional access: Row lookups by name cost microseconds each, and pages can hold thousands.
    fields = list(rows[0]._fields) if rows else list(keys)
    i_id, i_lat, i_lon = (fields.index(k) for k in keys)
    # haversine_m inlined with the centre's terms hoisted: this loop runs for every candidate.
    p1, cos_p1, l1 = math.radians(lat), math.cos(math.radians(lat)), math.radians(lon)
    radians, sin, cos, asin, sqrt, diameter = math.radians, math.sin, math.cos, math.asin, math.sqrt, 2 * EARTH_RADIUS_M
    found = []
    for row in rows:
        p2 = radians(row[i_lat])
        a = sin((p2 - p1) / 2) ** 2 + cos_p1 * cos(p2) * sin((radians(row[i_lon]) - l1) / 2) ** 2
        d = diameter * asin(sqrt(a))
        if d <= radius_m:
            found.append((d, row))
    found.sort(key=lambda pair: (pair[0], pair[1][i_id]))
    return found
