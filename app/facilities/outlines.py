"""The 25 district outlines, simplified for drawing (the stored boundaries are ~850 KB)."""

from __future__ import annotations

from flask import current_app
from shapely.geometry import mapping, shape
from sqlalchemy import select

from app.extensions import db
from app.facilities.models import District

# ~50 m: invisible at city zoom, and the page stays light.
SIMPLIFY_DEG = 0.0005
_CACHE_KEY = "nadeuri_district_outlines"


def _round(coords, digits: int = 5):
    if isinstance(coords, (int, float)):
        return round(coords, digits)
    return [_round(c, digits) for c in coords]


def _build() -> dict:
    features, bounds = [], {}
    for d in db.session.execute(select(District).order_by(District.code)).scalars():
        geom = shape(d.geometry).simplify(SIMPLIFY_DEG, preserve_topology=True)
        gj = mapping(geom)
        features.append(
            {
                "type": "Feature",
                # The code only: maps need no names, and names are data (never for Folium, see app.maps.data).
                "properties": {"code": d.code},
                "geometry": {"type": gj["type"], "coordinates": _round(gj["coordinates"])},
            }
        )
        min_lon, min_lat, max_lon, max_lat = geom.bounds
        bounds[d.code] = [[min_lat, min_lon], [max_lat, max_lon]]
    return {"geojson": {"type": "FeatureCollection", "features": features}, "bounds": bounds}


def district_outlines() -> dict:
    """{"geojson": FeatureCollection, "bounds": {code: [[s, w], [n, e]]}}, built once per app.

    Districts are loaded at set-up and change only with a new boundary import; restart after one.
    """
    cache = current_app.extensions.setdefault(_CACHE_KEY, {})
    if "value" not in cache or not cache["value"]["geojson"]["features"]:
        cache["value"] = _build()
    return cache["value"]
