"""District boundaries: which 자치구 a point is in, and whether it is in Seoul at all."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import shapely
from shapely.geometry import Point, shape
from shapely.strtree import STRtree

BUNDLED_DISTRICTS = Path(__file__).resolve().parent.parent.parent / "geodata" / "seoul_districts.geojson"
# A user just across the city line may still search; further out is "outside Seoul".
SEOUL_MARGIN_DEG = 0.01


def read_district_features(path: Path = BUNDLED_DISTRICTS) -> list[dict]:
    """District features as dicts with code, name, name_en and a valid shapely geometry.

    Accepts our bundled layout (code/name/name_en) and the JUSO layout (SIG_CD/SIG_KOR_NM/SIG_ENG_NM).
    """
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    out = []
    for feature in data["features"]:
        props = feature["properties"]
        geom = shape(feature["geometry"])
        if not geom.is_valid:
            geom = shapely.make_valid(geom)
        out.append(
            {
                "code": str(props.get("code") or props.get("SIG_CD")),
                "name": props.get("name") or props.get("SIG_KOR_NM"),
                "name_en": props.get("name_en") or props.get("SIG_ENG_NM"),
                "geometry": geom,
            }
        )
    return out


class DistrictIndex:
    """Point-in-polygon look-ups over the 25 districts."""

    def __init__(self, features: list[dict]):
        self.codes = [f["code"] for f in features]
        self.names = {f["code"]: f["name"] for f in features}
        self.geometries = [f["geometry"] for f in features]
        self.tree = STRtree(self.geometries)
        self.seoul = shapely.union_all(self.geometries)
        shapely.prepare(self.seoul)
        for g in self.geometries:
            shapely.prepare(g)

    def code_at(self, lat: float, lon: float) -> str | None:
        """The district code containing the point, or None outside Seoul."""
        point = Point(lon, lat)
        for i in self.tree.query(point, predicate="intersects"):
            return self.codes[int(i)]
        return None

    def in_seoul(self, lat: float, lon: float, margin_deg: float = 0.0) -> bool:
        """Whether the point lies in Seoul (or within margin_deg of it)."""
        point = Point(lon, lat)
        if margin_deg:
            return self.seoul.dwithin(point, margin_deg)
        return self.seoul.intersects(point)


@lru_cache(maxsize=1)
def bundled_index() -> DistrictIndex:
    """The district index built from the shipped boundary file (read once per process)."""
    return DistrictIndex(read_district_features(BUNDLED_DISTRICTS))
