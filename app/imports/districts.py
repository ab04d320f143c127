"""Loading district boundaries into the database."""
from __future__ import annotations

from pathlib import Path

from shapely.geometry import mapping
from sqlalchemy.orm import Session

from app.facilities.models import District
from app.geo.districts import BUNDLED_DISTRICTS, read_district_features


def load_districts(session: Session, path: Path = BUNDLED_DISTRICTS) -> dict[str, int]:
    """Insert or update the 25 districts from a boundary GeoJSON; returns counts (new, updated, unchanged)."""
    counts = {"new": 0, "updated": 0, "unchanged": 0}
    for feature in read_district_features(path):
        geom = feature["geometry"]
        point = geom.representative_point()
        values = {
            "name": feature["name"],
            "name_en": feature["name_en"],
            "geometry": mapping(geom),
            "center_lat": round(point.y, 6),
            "center_lon": round(point.x, 6),
        }
        district = session.get(District, feature["code"])
        if district is None:
            session.add(District(code=feature["code"], **values))
            counts["new"] += 1
            continue
        current = {k: getattr(district, k) for k in values}
        if _same(current, values):
            counts["unchanged"] += 1
        else:
            for k, v in values.items():
                setattr(district, k, v)
            counts["updated"] += 1
    session.flush()
    return counts


def _same(a: dict, b: dict) -> bool:
    import json

    return json.dumps(a, sort_keys=True, default=str) == json.dumps(b, sort_keys=True, default=str)
