"""The search page's results in two sizes: every match as a marker for the map, full items for one list page.

The map needs only where each facility is, its kind, id and name; a popup asks for the rest when it opens
(GET /facilities/<id>/card). So the page runs the search's own filters (services.filtered) once with a few
columns, ranks every match nearest first as services.search does (distance, then id), and turns only the
listed page into full items. Distances are computed for all matches at once with numpy: a crowded search
holds thousands. tests/facilities/test_finder_points.py checks ranking, filters and total against services.search.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
from sqlalchemy import Connection, select

from app.facilities import services
from app.facilities.choices import FacilityKind
from app.facilities.hours import is_open_at
from app.facilities.services import HOURS_KEYS, LIST_COLUMNS, SearchQuery
from app.geo import spatial
from app.maps.builder import Markers

F = services.F
# id, kind, name, lat, lon: the markers.
_LEAN = (F.id, F.kind, F.name, F.lat, F.lon)
_HOURS = tuple(F[k] for k in HOURS_KEYS)


@dataclass
class Ranked:
    """Every match nearest first: its markers, their distances from the centre (metres), and the centre."""

    markers: Markers
    distance_m: np.ndarray
    center: tuple[float, float]

    def __len__(self) -> int:
        return len(self.markers)

    def page(self, start: int, stop: int) -> list[tuple[int, float]]:
        """(id, distance_m) of the matches ranked start..stop-1 (0-based)."""
        return list(zip(self.markers.id[start:stop].tolist(), self.distance_m[start:stop].tolist()))


def distances_m(lat: float, lon: float, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    """spatial.haversine_m from one point to many."""
    p1, p2 = np.radians(lat), np.radians(lats)
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin((np.radians(lons) - np.radians(lon)) / 2) ** 2
    return 2 * spatial.EARTH_RADIUS_M * np.arcsin(np.sqrt(a))


def rank(conn: Connection, q: SearchQuery) -> Ranked:
    """All facilities matching q (its limit and offset ignored), nearest first, ties by id: services.search's order."""
    # The address only tells restrooms listed twice apart; reading 5,000 of them costs a third of the query.
    restrooms = not q.kinds or FacilityKind.FAMILY_RESTROOM.value in q.kinds
    columns = _LEAN[:5] + ((F.address,) if restrooms else ()) + (_HOURS if q.open_at is not None else ())
    if q.lat is None or q.lon is None:
        center = services.district_center(conn, q.district)
        stmt, params = services.filtered(q)
    else:
        center = (q.lat, q.lon)
        stmt, params = services.filtered(q, conn.dialect.name)
        params = {**params, **spatial.within_params(q.lat, q.lon, q.radius_m)}
    # The driver's own tuples: these columns need no conversion, and Row objects for thousands cost milliseconds.
    result = conn.execute(stmt.with_only_columns(*columns), params)
    rows = result.cursor.fetchall()
    result.close()
    if not rows:
        return Ranked(Markers.empty(), np.zeros(0), center)
    cols = list(zip(*rows))
    ids = np.array(cols[0], dtype=np.int64)
    lats, lons = np.array(cols[3], dtype=float), np.array(cols[4], dtype=float)
    dist = distances_m(*center, lats, lons)
    keep = np.ones(len(rows), dtype=bool) if q.lat is None or q.lon is None else dist <= q.radius_m
    if q.open_at is not None:
        keys = [c.key for c in columns]
        keep &= np.array([bool(is_open_at(dict(zip(keys, r)), q.open_at)) for r in rows])
    order = np.flatnonzero(keep)
    order = order[np.lexsort((ids[order], dist[order]))]
    kinds, names = np.array(cols[1], dtype=str), np.array(cols[2], dtype=object)
    restroom = kinds[order] == FacilityKind.FAMILY_RESTROOM.value if restrooms else None
    if restroom is not None and restroom.any():
        # Restrooms listed twice (same name and address, e.g. a station's two entries): the nearest kept.
        seen, drop = set(), np.zeros(len(order), dtype=bool)
        for at in np.flatnonzero(restroom).tolist():
            i = order[at]
            key = services.restroom_key(ids[i], names[i], cols[5][i])
            drop[at] = key in seen
            seen.add(key)
        order = order[~drop]
    markers = Markers(ids[order], kinds[order], names[order], lats[order], lons[order])
    return Ranked(markers, dist[order], center)


def items_for(conn: Connection, wanted: list[tuple[int, float | None]], today: date) -> list[dict]:
    """Full list items (services.to_item) for a few (id, distance_m) pairs, in their order; unknown ids left out."""
    if not wanted:
        return []
    fields = [c.key for c in LIST_COLUMNS]
    rows = conn.execute(select(*LIST_COLUMNS).where(F.id.in_([i for i, _ in wanted]))).all()
    by_id = {r[0]: dict(zip(fields, r)) for r in rows}
    return [services.to_item(by_id[i], d, today) for i, d in wanted if i in by_id]
