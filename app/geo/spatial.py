"""The spatial index behind "near me": SQLite R*Tree or PostGIS GiST, one interface.

SQLite: a virtual R*Tree table ``facility_rtree`` kept in step with ``facilities`` by triggers.
PostgreSQL: a stored generated ``geog`` column with a GiST index.
Both narrow the search to a small candidate set; exact distances are then computed here, the
same way on both databases, so results do not depend on the backend.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache

import geoalchemy2  # noqa: F401  (registers PostGIS types, so reflecting `geog` works)
from sqlalchemy import Connection, Float, bindparam, column, select, table, text, union_all
from sqlalchemy.sql.elements import ColumnElement, TextClause

EARTH_RADIUS_M = 6_371_008.8
METRES_PER_DEGREE_LAT = 111_320.0

# SQLite: each kind lives in its own latitude band of the R*Tree (lat + KIND_BAND_DEG * band), so
# "kids cafés in this box" reads only kids cafés' entries and looks up a quarter of the rows a shared
# tree would (1 km, one kind, 100k facilities: 0.4 ms of SQL instead of 1.2 ms).
KIND_BAND_DEG = 100.0
# The bands are stored in the index (migration 0007 froze the same table), so they are written out here rather
# than derived from the facilities package's list of kinds (which sits above geo); tests/geo check they match.
KIND_BANDS = {"kids_cafe": 0, "hourly_daycare": 1, "kids_ok_zone": 2, "family_restroom": 3}
RESTROOM = "family_restroom"
# Restrooms listed twice (see has_twin_sql) have a band of their own, after the ELSE band of unknown kinds (4):
# the search counts the restroom band like any kind and reads only the twins' few rows (migration 0016).
TWIN_RESTROOMS = "family_restroom_twin"
BANDS = {**KIND_BANDS, TWIN_RESTROOMS: len(KIND_BANDS) + 1}

# Two restrooms are the same place when they share the key the search shows once (services._one_per_restroom):
# name and address, or name and '#id' without an address. `{a}` is one row, `{p}` the other.
_SAME_RESTROOM = (
    f"{{a}}.kind = '{RESTROOM}' AND {{a}}.name = {{p}}.name"
    " AND coalesce(nullif({a}.address, ''), '#' || {a}.id) = coalesce(nullif({p}.address, ''), '#' || {p}.id)"
)


def has_twin_sql(p: str) -> str:
    """SQL true when the located restroom `p` (a row alias, e.g. NEW) has a twin: another located restroom with
    the same name and address. Such restrooms sit in the TWIN_RESTROOMS band, the others in the restroom band.

    Which twin the search shows depends on the query point, so the band marks the whole group; the triggers keep
    it (moving the other rows of a group when one arrives, changes or leaves) and the partial index
    facility_rtree_restroom_key makes the look-up a seek."""
    same = _SAME_RESTROOM.format(a="twin", p=p)
    return f"EXISTS (SELECT 1 FROM facilities twin WHERE {same} AND twin.id <> {p}.id AND twin.lat IS NOT NULL)"


def _band_sql(p: str) -> str:
    """The latitude offset of row `p`'s entry: its kind's band, restrooms with a twin in theirs."""
    whens = []
    for kind, band in KIND_BANDS.items():
        value = f"{band * KIND_BAND_DEG}"
        if kind == RESTROOM:
            value = f"(CASE WHEN {has_twin_sql(p)} THEN {BANDS[TWIN_RESTROOMS] * KIND_BAND_DEG} ELSE {value} END)"
        whens.append(f"WHEN '{kind}' THEN {value}")
    return f"(CASE {p}.kind {' '.join(whens)} ELSE {len(KIND_BANDS) * KIND_BAND_DEG} END)"


def _entry_sql(p: str) -> str:
    """Row `p`'s R*Tree entry (id, min_lat, max_lat, min_lon, max_lon): the one definition the triggers, the
    fill below and the import's bulk fill (which calls install) share."""
    return f"{p}.id, {p}.lat + {_band_sql(p)}, {p}.lat + {_band_sql(p)}, {p}.lon, {p}.lon"


def _reband_sql(group_of: str, other_than: str | None) -> str:
    """Trigger statements that re-enter the restrooms of `group_of`'s group (but `other_than`): a twin arrived
    or left, so they may belong to the other band."""
    rows = f"FROM facilities k WHERE {group_of}.kind = '{RESTROOM}' AND {_SAME_RESTROOM.format(a='k', p=group_of)}"
    if other_than:
        rows += f" AND k.id <> {other_than}.id"
    return f"""DELETE FROM facility_rtree WHERE id IN (SELECT k.id {rows});
         INSERT INTO facility_rtree SELECT {_entry_sql("k")} {rows} AND k.lat IS NOT NULL;"""


# The live definition (the test databases and create_all use it). Migrations carry their own copy: a change here
# needs a migration making the same change, or tests/test_migrations.py fails.
_SQLITE_DDL = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS facility_rtree USING rtree(id, min_lat, max_lat, min_lon, max_lon)",
    f"CREATE INDEX IF NOT EXISTS facility_rtree_restroom_key ON facilities (name, address) WHERE kind = '{RESTROOM}'",
    f"""CREATE TRIGGER IF NOT EXISTS facility_rtree_insert AFTER INSERT ON facilities
       WHEN NEW.lat IS NOT NULL BEGIN
         INSERT OR REPLACE INTO facility_rtree VALUES ({_entry_sql("NEW")});
         {_reband_sql("NEW", "NEW")}
       END""",
    f"""CREATE TRIGGER IF NOT EXISTS facility_rtree_update
       AFTER UPDATE OF lat, lon, kind, name, address ON facilities BEGIN
         DELETE FROM facility_rtree WHERE id = OLD.id;
         INSERT INTO facility_rtree SELECT {_entry_sql("NEW")} WHERE NEW.lat IS NOT NULL;
         {_reband_sql("OLD", "NEW")}
         {_reband_sql("NEW", "NEW")}
       END""",
    f"""CREATE TRIGGER IF NOT EXISTS facility_rtree_delete AFTER DELETE ON facilities BEGIN
         DELETE FROM facility_rtree WHERE id = OLD.id;
         {_reband_sql("OLD", None)}
       END""",
    # Restrooms whose entry sits in the wrong band (rows added with the insert trigger dropped gave some a twin)
    # are taken out, then every located facility without an entry gets one.
    f"""DELETE FROM facility_rtree WHERE id IN (SELECT f.id FROM facilities f JOIN facility_rtree r ON r.id = f.id
       WHERE f.kind = '{RESTROOM}' AND abs(r.min_lat - (f.lat + {_band_sql("f")})) > 1.0)""",
    f"""INSERT INTO facility_rtree SELECT {_entry_sql("f")} FROM facilities f
       WHERE f.lat IS NOT NULL AND f.id NOT IN (SELECT id FROM facility_rtree)""",
]
_POSTGRES_DDL = [
    "CREATE EXTENSION IF NOT EXISTS postgis",
    """ALTER TABLE facilities ADD COLUMN IF NOT EXISTS geog geography(Point, 4326)
       GENERATED ALWAYS AS (CASE WHEN lat IS NULL THEN NULL
                                 ELSE ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography END) STORED""",
    "CREATE INDEX IF NOT EXISTS ix_facilities_geog ON facilities USING gist (geog)",
]
_SQLITE_DROP = ["DROP TABLE IF EXISTS facility_rtree", "DROP INDEX IF EXISTS facility_rtree_restroom_key"] + [
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
    # On the sphere of haversine_m a point radius_m away is at most radius_m / R radians north or south, and at
    # most asin(sin(radius_m / R) / cos(lat)) east or west; a hair more for rounding.
    angle = radius_m / EARTH_RADIUS_M
    dlat = math.degrees(angle) * (1 + 1e-9) + 1e-12
    ratio = math.sin(min(angle, math.pi / 2)) / max(math.cos(math.radians(lat)), 1e-12)
    dlon = (math.degrees(math.asin(ratio)) if ratio < 1 else 180.0) * (1 + 1e-9) + 1e-12
    return BBox(lat - dlat, lat + dlat, lon - dlon, lon + dlon)


_rtree = table(
    "facility_rtree", column("id"), column("min_lat"), column("max_lat"), column("min_lon"), column("max_lon")
)


def within_clause(dialect_name: str, id_col, kinds: tuple[str, ...] = ()) -> ColumnElement:
    """An indexed WHERE clause that keeps (a superset of) the facilities of `kinds` (all when empty)
    within a radius. On SQLite restrooms are read from both their bands (with and without a twin).

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
    kinds = tuple(kinds or KIND_BANDS)
    for band in [BANDS[k] for k in kinds] + ([BANDS[TWIN_RESTROOMS]] if RESTROOM in kinds else []):
        shift = band * KIND_BAND_DEG
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


# --- Page-sized search on SQLite: the R*Tree's own coordinates bound every distance ------------------------------
# The R*Tree stores each point as a float32 box that contains it (min rounded down, max rounded up), so its min
# corner is within one float32 step of the point. A planar (equirectangular) distance on that corner is within a
# known bound of the exact haversine distance: rows certainly inside the circle are only counted, rows certainly
# outside are dropped, and only the thin ring between (and the page's candidates) are read from `facilities`.
METRES_PER_DEGREE = EARTH_RADIUS_M * math.pi / 180


def _ulp32(value: float) -> float:
    """The spacing of float32 numbers at `value` (an upper bound for values up to abs(value))."""
    return 2.0 ** (math.frexp(abs(value) or 1.0)[1] - 24)


@dataclass(frozen=True)
class Bounds:
    """How far the planar distance on an R*Tree corner may be from the exact one: d_exact within
    [d * (1 - rel) - abs_m, d * (1 + rel) + abs_m]."""

    rel: float
    abs_m: float

    def low(self, d: float) -> float:
        return d * (1 - self.rel) - self.abs_m

    def high(self, d: float) -> float:
        return d * (1 + self.rel) + self.abs_m

    def reach(self, d: float) -> float:
        """The largest planar distance whose lower bound is at most d."""
        return (d + self.abs_m) / (1 - self.rel)


def planar_bounds(lat: float, radius_m: float, step_deg: float = 0.0) -> Bounds:
    """How far the planar distance (planar_scales) from (lat, ·) to a point within radius_m, measured on a
    position up to step_deg degrees off in latitude and in longitude, may be from haversine_m."""
    span = radius_m / EARTH_RADIUS_M  # radians of latitude the search may cover
    # Equirectangular with the centre's cos(lat): its east-west scale is off by at most tan(lat') * span, where lat'
    # is the furthest latitude in reach; the factor 2 and the 1e-6 cover second-order terms and rounding.
    rel = 2 * math.tan(min(math.radians(abs(lat)) + span, 1.5)) * span + 1e-6
    # 111,320 m is more than a degree of latitude (or longitude) on our sphere.
    return Bounds(rel, (1 + rel) * 2 * step_deg * METRES_PER_DEGREE_LAT + 1e-6)


def planar_scales(lat: float) -> dict[str, float]:
    """Squared metres per degree north (ky2) and east (kx2) at `lat`: q = dlat² ky2 + dlon² kx2 is a squared
    planar distance."""
    kx = METRES_PER_DEGREE * math.cos(math.radians(lat))
    return {"ky2": METRES_PER_DEGREE * METRES_PER_DEGREE, "kx2": kx * kx}


def _rtree_bounds(lat: float, radius_m: float, box: BBox, kinds: tuple[str, ...]) -> Bounds:
    top = max(abs(box.min_lat), abs(box.max_lat)) + max(BANDS[k] for k in kinds) * KIND_BAND_DEG
    step = max(_ulp32(top), _ulp32(max(abs(box.min_lon), abs(box.max_lon))))  # corner vs point, in degrees
    return planar_bounds(lat, radius_m, step)


@dataclass
class RtreeCandidates:
    """What the R*Tree alone says about a circle: `inside` rows certainly within it, `ring` ids that may be,
    and `near` ids that hold the `need` nearest (a superset, usually a few more)."""

    inside: int
    ring: list[int]
    near: list[int]


@lru_cache(maxsize=64)
def _rtree_sql(kinds: tuple[str, ...]) -> TextClause:
    """The R*Tree entries of `kinds` in a box that may lie within the circle, as (id, q): q is the squared planar
    distance of each entry's corner. OFFSET 0 keeps each part a co-routine, so q is computed once per entry."""
    parts = []
    for kind in kinds:
        b = BANDS[kind]
        parts.append(
            f"SELECT * FROM (SELECT id, {_q_sql(b)} AS q"
            f" FROM facility_rtree WHERE min_lat <= :maxla{b} AND max_lat >= :minla{b}"
            " AND min_lon <= :maxlo AND max_lon >= :minlo LIMIT -1 OFFSET 0)"
        )
    return text(f"SELECT id, q FROM ({' UNION ALL '.join(parts)}) WHERE q <= :out2")


def _q_sql(band: int) -> str:
    return f"(min_lat - :la{band}) * (min_lat - :la{band}) * :ky2 + (min_lon - :lo) * (min_lon - :lo) * :kx2"


# The count: the box around the circle is cut into strips across it (by the entries' corners, half-open, so each
# entry falls in exactly one piece). The middle of each strip lies certainly inside the circle: SQLite counts its
# entries without reading them (count(*) steps through the R*Tree's cells but decodes no coordinates: about a third
# of the cost of computing q). Only the pieces outside those (the strips' ends, the caps above and below) are read,
# each entry's q computed as before. The centre strip holds a square around the point, counted apart: how crowded
# the centre is sizes the page box. Each piece is one more R*Tree look-up (about 7 µs): STRIPS angle-spaced strips
# on each side of the centre's, 1 measured best on the crowded benchmark (0.40 ms against 0.44 with 2, 0.48 with 3).
STRIPS = 1
_SIZING_SHARE = 8  # the centre square's half-side: radius / 8
# The page box is sized to hold this many times `need` entries in its inscribed circle, if evenly filled.
PAGE_ROOM = 1.3 * 4 / math.pi


def _square_half(inner: float, radius_m: float) -> float:
    """The centre square's half-side: its corners (h * sqrt(2)) within `inner`."""
    return min(radius_m / _SIZING_SHARE, inner / 2)


def _strip_pieces(inner: float, outer: float, radius_m: float) -> tuple[list, list, list, list, tuple]:
    """(ys, xs, counted, read, square): the pieces of the box (half-sides `outer`) whose entries are only counted
    (certainly within `inner`), read, and the counted centre square. ys and xs are the lines that cut it, in planar
    metres from the centre (north, east); a piece (iy0, iy1, ix0, ix1) is [ys[iy0], ys[iy1]) x [xs[ix0], xs[ix1]).
    Which lines bound which piece is the same for every circle (one SQL statement serves all).

    A counted piece's far corner is within `inner` (less a relative 1e-9); turning the lines into degrees moves them
    by under 1e-7 m, inside the 1e-6 m Bounds.abs_m keeps for rounding. Pieces that meet share the line, the same
    float in both, so they meet without gap or overlap."""
    h = _square_half(inner, radius_m)
    t0 = math.asin(h / inner) if inner > 0 else 0.0
    tops = [inner * math.sin(t0 + (math.pi / 2 - t0) * i / (STRIPS + 1)) for i in range(1, STRIPS + 1)]
    edge = outer * (1 + 1e-9)
    ys, xs = [-edge, edge], [-edge, edge]

    def lines(values: list, v: float) -> tuple[int, int]:
        values += [v, -v]
        return len(values) - 2, len(values) - 1

    def half_width(y: float) -> float:
        return math.sqrt(max(inner * inner - y * y, 0.0)) * (1 - 1e-9)

    counted, read = [], []
    (h_n, h_s), (w_e, w_w), (h_e, h_w) = lines(ys, h), lines(xs, half_width(h)), lines(xs, h)
    counted += [(h_s, h_n, w_w, h_w), (h_s, h_n, h_e, w_e)]  # the centre strip, either side of the square
    read += [(h_s, h_n, 0, w_w), (h_s, h_n, w_e, 1)]
    below, above = h_s, h_n
    for top in tops:
        (n, s), (e, w) = lines(ys, top), lines(xs, half_width(top))
        for y0, y1 in ((s, below), (above, n)):
            counted.append((y0, y1, w, e))
            read += [(y0, y1, 0, w), (y0, y1, e, 1)]
        below, above = s, n
    read += [(0, below, 0, 1), (above, 1, 0, 1)]  # the caps
    return ys, xs, counted, read, (h_s, h_n, h_w, h_e)


@lru_cache(maxsize=64)
def _strips_sql(kinds: tuple[str, ...]) -> TextClause:
    """(count inside but the centre square, ring ids as JSON, count in the centre square) over the strips of
    `kinds`' bands."""
    _, _, counted, read, square = _strip_pieces(2.0, 3.0, 1.0)  # which lines bound which piece: any circle's

    def where(b: int, piece: tuple) -> str:
        y0, y1, x0, x1 = piece
        return f"min_lat >= :y{y0}_{b} AND min_lat < :y{y1}_{b} AND min_lon >= :x{x0} AND min_lon < :x{x1}"

    def count(b: int, piece: tuple) -> str:
        return f"(SELECT count(*) FROM facility_rtree WHERE {where(b, piece)})"

    bands = [BANDS[k] for k in kinds]
    read_sql = " UNION ALL ".join(
        f"SELECT id, {_q_sql(b)} AS q FROM facility_rtree WHERE {where(b, p)}" for b in bands for p in read
    )
    return text(
        f"SELECT {' + '.join(count(b, p) for b in bands for p in counted)} + count(*) FILTER (WHERE q <= :in2),"
        f" json_group_array(id) FILTER (WHERE q > :in2), {' + '.join(count(b, square) for b in bands)}"
        f" FROM ({read_sql}) WHERE q <= :out2"
    )


def _strip_params(
    lat: float, lon: float, inner: float, outer: float, radius_m: float, kinds: tuple[str, ...]
) -> dict[str, float]:
    ys, xs, *_ = _strip_pieces(inner, outer, radius_m)
    scales = planar_scales(lat)
    ky, kx = math.sqrt(scales["ky2"]), math.sqrt(scales["kx2"])
    params = {**scales, "lo": lon, **{f"x{j}": lon + x / kx for j, x in enumerate(xs)}}
    for kind in kinds:
        b = BANDS[kind]
        la = params[f"la{b}"] = lat + b * KIND_BAND_DEG
        params.update({f"y{i}_{b}": la + y / ky for i, y in enumerate(ys)})
    return params


def _box_params(lat: float, lon: float, radius_m: float, kinds: tuple[str, ...]) -> dict[str, float]:
    box = bbox_around(lat, lon, radius_m)
    params = {"lo": lon, "minlo": box.min_lon, "maxlo": box.max_lon}
    for kind in kinds:
        b = BANDS[kind]
        shift = b * KIND_BAND_DEG
        params.update({f"la{b}": lat + shift, f"minla{b}": box.min_lat + shift, f"maxla{b}": box.max_lat + shift})
    return params


# Beyond this the box may reach another kind's band (or a pole) and the planar bounds grow loose: the full path then.
RTREE_PAGE_MAX_RADIUS_M = 50_000


def _run(connection: Connection, statement: TextClause, params: dict) -> list[tuple]:
    """A read on SQLite's own connection, in the same transaction: these statements run on every search and
    return up to thousands of rows, where SQLAlchemy's result rows cost more than the query."""
    return connection.connection.driver_connection.execute(statement.text, params).fetchall()


def rtree_page_fits(lat: float, radius_m: float) -> bool:
    """Whether rtree_candidates can answer a circle: not too big, and clear of the poles."""
    return radius_m <= RTREE_PAGE_MAX_RADIUS_M and abs(lat) + radius_m / METRES_PER_DEGREE * 2 < 80


def rtree_candidates(
    connection: Connection, lat: float, lon: float, radius_m: float, kinds: tuple[str, ...], need: int
) -> RtreeCandidates:
    """SQLite: count the facilities of `kinds` certainly within radius_m from the R*Tree alone, and name the few
    that need an exact look: the ring near the edge and the candidates for the `need` nearest.

    `kinds` name bands (BANDS): family_restroom is the band of restrooms without a twin."""
    bounds = _rtree_bounds(lat, radius_m, bbox_around(lat, lon, radius_m), kinds)
    inner = max(0.0, (radius_m - bounds.abs_m) / (1 + bounds.rel))
    outer = bounds.reach(radius_m)
    common = {**planar_scales(lat), "in2": inner * inner, "out2": outer * outer}
    strips = _strip_params(lat, lon, inner, outer, radius_m, kinds)
    inside, ring, square = _run(connection, _strips_sql(kinds), {**common, **strips})[0]
    inside += square
    # The page: the entries in a smaller box, sized from the centre square's count (as if evenly filled, and for
    # the circle within the box), with room to spare; doubled until it certainly holds the `need` nearest.
    reach = _square_half(inner, radius_m) * max(0.25, math.sqrt(PAGE_ROOM * need / max(square, 1)))
    if not 0 < reach <= radius_m / 2:
        # A sparse circle: one read of it all costs less than a second round. Or a circle of a few metres, within
        # the R*Tree's float32 rounding, where nothing is certainly inside (no square: reach 0, which doubles to 0).
        reach = radius_m
    rows = _rtree_sql(kinds)
    while True:
        found = _run(connection, rows, {**common, **_box_params(lat, lon, reach, kinds)})
        found.sort(key=lambda pair: pair[1])
        if len(found) >= need:
            # The need-th nearest lies no further than the need-th entry can (its upper bound); every entry whose
            # lower bound reaches that far is a candidate. All of those lie in the box when that is within reach.
            limit = bounds.high(math.sqrt(found[need - 1][1]))
            if limit <= min(reach, radius_m):
                within = bounds.reach(limit) ** 2
                return RtreeCandidates(inside, json.loads(ring), [i for i, q in found if q <= within])
        if reach >= radius_m:
            return RtreeCandidates(inside, json.loads(ring), [i for i, _ in found])
        reach = min(radius_m, reach * 2)


@dataclass
class RtreeRows:
    """Every R*Tree entry that may lie within a circle, as (id, q, *columns): q is its corner's squared planar
    distance; `inner2` the q under which an entry is certainly within; `bounds` relate q to exact distances."""

    rows: list[tuple]
    inner2: float
    bounds: Bounds


@lru_cache(maxsize=16)
def _rtree_rows_sql(kinds: tuple[str, ...], columns: tuple[str, ...]) -> TextClause:
    rows = _rtree_sql(kinds)
    picked = ", ".join(f"f.{c}" for c in columns)
    return text(f"SELECT c.id, c.q, {picked} FROM ({rows.text} LIMIT -1 OFFSET 0) c JOIN facilities f ON f.id = c.id")


def rtree_rows(
    connection: Connection, lat: float, lon: float, radius_m: float, kinds: tuple[str, ...], columns: tuple[str, ...]
) -> RtreeRows:
    """SQLite: the entries of `kinds` (bands, as for rtree_candidates) that may lie within radius_m, with `columns`
    of their facilities rows (for rules that need every row in the circle, e.g. one restroom per name and address:
    the TWIN_RESTROOMS band)."""
    bounds = _rtree_bounds(lat, radius_m, bbox_around(lat, lon, radius_m), kinds)
    inner = max(0.0, (radius_m - bounds.abs_m) / (1 + bounds.rel))
    params = {**planar_scales(lat), "out2": bounds.reach(radius_m) ** 2, **_box_params(lat, lon, radius_m, kinds)}
    rows = _run(connection, _rtree_rows_sql(kinds, columns), params)
    return RtreeRows(rows, inner * inner, bounds)
